package portal_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/portal"
	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	adminEmail    = "admin@fermax.com"
	adminPassword = "correct horse battery staple"
	captchaDigits = "424242"
)

// cheapHash is the argon2id cost of the test administrators' passwords,
// and so of the portal's check of an unknown e-mail.
var cheapHash = password.Params{Memory: 1024, Time: 1, Threads: 1}

// clock is a settable time shared by the store and the portal.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testEnv struct {
	zsim    *zohosim.Sim
	zorg    *zohosim.Org
	store   *store.Store
	clock   *clock
	company store.Company
	admin   store.Admin
	srv     *httptest.Server
	// options adjusts the portal's options of every instance (nil: none).
	options func(*portal.Options)
	metrics *metrics.Metrics
}

// newTestEnv starts the portal on a fresh database with the company Fermax
// and its administrator. The captcha's digits are fixed to captchaDigits.
func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	return newTestEnvWith(t, nil)
}

// newTestEnvWith is newTestEnv with options adjusting the portal's.
func newTestEnvWith(t testing.TB, options func(*portal.Options)) *testEnv {
	t.Helper()
	st := testdb.Open(t)
	clk := &clock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	st.SetClock(clk.Now)
	hash, err := password.Hash(adminPassword, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	c, a, err := st.CreateCompany(context.Background(), "Fermax", adminEmail, hash)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{store: st, clock: clk, company: c, admin: a, options: options, metrics: metrics.New(buildinfo.Read())}
	e.zsim = zohosim.New(zohosim.Options{ClientID: "cid", ClientSecret: "csecret", ProviderName: "Digital Centrex"})
	zsrv := httptest.NewServer(e.zsim.Handler())
	t.Cleanup(zsrv.Close)
	e.zsim.SetBaseURL(zsrv.URL)
	e.zorg = zohosim.SeedDemo(e.zsim)
	e.srv = httptest.NewServer(e.handler(t, "http://127.0.0.1"))
	t.Cleanup(e.srv.Close)
	return e
}

// integration is the Zoho integration service against the env's simulator.
func (e *testEnv) integration(t testing.TB, logger *slog.Logger) *integration.Service {
	t.Helper()
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "cid", ClientSecret: "csecret",
		RedirectURL: "http://127.0.0.1/zoho/callback", HomeAccountsURL: e.zsim.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	return integration.New(integration.Options{Store: e.store, OAuth: oauth, Logger: logger, Now: e.clock.Now,
		Links: integration.StoreLinks{Store: e.store}, URIs: zohoapi.URIsFor("http://127.0.0.1")})
}

// handler builds a portal on the env's database, as another instance would.
func (e *testEnv) handler(t testing.TB, public string) http.Handler {
	t.Helper()
	u, _ := url.Parse(public)
	logger := slog.New(slog.NewTextHandler(debugOut(), nil))
	// Every instance keeps its copies of the seat tables, built in the
	// background: a page comes from one or from the database, the same.
	tables := seattable.New(seattable.Options{Load: e.store.SeatTableAll, Logger: logger})
	t.Cleanup(tables.Close)
	o := portal.Options{
		Tables:             tables,
		Store:              e.store,
		Logger:             logger,
		Integration:        e.integration(t, logger),
		PublicURL:          u,
		Dev:                true,
		Login:              login.New(gateOptions(e.store, e.clock.Now)),
		SessionIdleTimeout: 30 * time.Minute,
		SessionLifetime:    12 * time.Hour,
		Now:                e.clock.Now,
		Metrics:            e.metrics,
	}
	if e.options != nil {
		e.options(&o)
	}
	return portal.New(o).Handler()
}

// gateOptions are the login gate's options of the tests: the tests' box
// and captcha digits, cheap hashes.
func gateOptions(st *store.Store, now func() time.Time) login.Options {
	return login.Options{Store: st, Box: testBox(), CaptchaSolution: captchaDigits, PasswordParams: cheapHash, Now: now}
}

// withGate is a portal option: the login gate with change applied to the
// tests' gate options.
func withGate(change func(*login.Options)) func(*portal.Options) {
	return func(o *portal.Options) {
		lo := gateOptions(o.Store, o.Now)
		change(&lo)
		o.Login = login.New(lo)
	}
}

// testBox seals with the tests' SECRET_KEY, the same in every instance.
func testBox() *secretbox.Box {
	box, _ := secretbox.New(bytes.Repeat([]byte{9}, 32))
	return box
}

// client is a browser-like client: a cookie jar, redirects not followed.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	hdr  http.Header
}

func (e *testEnv) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.srv.URL, hdr: http.Header{}, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (r response) doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (c *client) do(method, path string, form url.Values, hdr http.Header) response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.hdr {
		req.Header[k] = v
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b), location: res.Header.Get("Location")}
}

func (c *client) get(path string) response { c.t.Helper(); return c.do("GET", path, nil, nil) }

// tryPost posts form and returns the status, or an error; unlike post it
// may be called from any goroutine.
func (c *client) tryPost(path string, form url.Values) (int, error) {
	res, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.do("POST", path, form, nil)
}

// login loads the form (which issues the captcha) and posts the credentials.
func (c *client) login(email, pw, captcha string) response {
	c.t.Helper()
	return c.post("/login", c.loginForm(email, pw, captcha))
}

// loginForm loads the login form, as a browser would, and fills it in: the
// form carries its captcha's token.
func (c *client) loginForm(email, pw, captcha string) url.Values {
	c.t.Helper()
	r := c.get("/login")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET /login: %d", r.status)
	}
	token, ok := r.doc(c.t).Find("input[name=captcha_token]").Attr("value")
	if !ok || token == "" {
		c.t.Fatal("the login form carries no captcha token")
	}
	return url.Values{"email": {email}, "password": {pw}, "captcha": {captcha}, "captcha_token": {token}}
}

func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "dc_session" {
			return ck.Value
		}
	}
	return ""
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body:\n%.600s", r.status, want, r.body)
	}
}

// debugOut is where the portal's log goes in tests: nowhere, unless
// PORTAL_TEST_LOG is set.
func debugOut() io.Writer {
	if os.Getenv("PORTAL_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
