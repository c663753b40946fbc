package operator_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// captchaDigits is the fixed captcha answer of the tests' gateways
// (DEV_CAPTCHA_SOLUTION).
const captchaDigits = "424242"

// cheapHash keeps the tests' password hashes fast.
var cheapHash = password.Params{Memory: 64, Time: 1, Threads: 1}

// env is a gateway built by app.New, as `gateway dev` builds it, on a
// fresh database, with a Centrex simulator for the seat sync.
type env struct {
	app    *app.App
	cfg    config.Config
	store  *store.Store
	srv    *httptest.Server
	xsiURL string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	xs := xsisim.New(xsisim.Options{})
	xsisim.SeedDemo(xs)
	xsrv := httptest.NewServer(xs)
	t.Cleanup(func() { xs.Close(); xsrv.Close() })
	vars := map[string]string{
		"DATABASE_URL":         testdb.URL(t),
		"SECRET_KEY":           testdb.SecretKey,
		"DEV_CAPTCHA_SOLUTION": captchaDigits,
	}
	cfg, err := config.Load(func(k string) string { return vars[k] }, config.ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PasswordParams = cheapHash
	e := newInstance(t, cfg)
	e.xsiURL = xsrv.URL
	return e
}

// newInstance builds one gateway instance from cfg and serves it.
func newInstance(t *testing.T, cfg config.Config) *env {
	t.Helper()
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &env{app: a, cfg: cfg, store: a.Store, srv: srv}
}

// secondInstance is another gateway on the same database, as a second
// server behind a load balancer.
func (e *env) secondInstance(t *testing.T) *env {
	t.Helper()
	o := newInstance(t, e.cfg)
	o.xsiURL = e.xsiURL
	return o
}

// operator creates an operator with password pw.
func (e *env) operator(t *testing.T, email, pw string) store.Operator {
	t.Helper()
	hash, err := password.Hash(pw, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.store.CreateOperator(context.Background(), email, hash)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// company creates a company with an administrator.
func (e *env) company(t *testing.T, name, adminEmail string) store.Company {
	t.Helper()
	hash, err := password.Hash("admin password 1", cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := e.store.CreateCompany(context.Background(), name, adminEmail, hash)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// client is a browser-like client: a cookie jar, redirects not followed.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	// secret is the TOTP secret the client's operator enrolled with.
	secret string
}

func (e *env) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.srv.URL, http: &http.Client{
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

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// text is the trimmed text of what sel selects in the page.
func (r response) text(t *testing.T, sel string) string {
	t.Helper()
	return strings.TrimSpace(r.doc(t).Find(sel).Text())
}

// try sends a request and returns the answer or the error; unlike do it
// may be called from any goroutine.
func (c *client) try(method, path string, form url.Values) (response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return response{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b), location: res.Header.Get("Location")}, err
}

func (c *client) do(method, path string, form url.Values) response {
	c.t.Helper()
	r, err := c.try(method, path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

func (c *client) get(path string) response { c.t.Helper(); return c.do("GET", path, nil) }

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.do("POST", path, form)
}

// password posts the first step of the sign-in: the form loaded as a
// browser would (it carries its captcha's token), then e-mail, password
// and the captcha's digits.
func (c *client) password(email, pw string) response {
	c.t.Helper()
	r := c.get("/operator/login")
	wantStatus(c.t, r, http.StatusOK)
	token, ok := r.doc(c.t).Find("input[name=captcha_token]").Attr("value")
	if !ok || token == "" {
		c.t.Fatal("the sign-in form carries no captcha token")
	}
	return c.post("/operator/login", url.Values{"email": {email}, "password": {pw}, "captcha": {captchaDigits},
		"captcha_token": {token}})
}

// signIn walks the whole sign-in: the password, then the enrolment (the
// secret read from the page, as a person would type it into their app) or
// the code of the secret enrolled before, computed from it at at.
func (c *client) signIn(email, pw string, at time.Time) {
	c.t.Helper()
	r := c.password(email, pw)
	wantRedirect(c.t, r, "/operator/login/code")
	page := c.get("/operator/login/code")
	wantStatus(c.t, page, http.StatusOK)
	if s := page.text(c.t, "[data-testid=totp-secret]"); s != "" {
		c.secret = strings.ReplaceAll(s, " ", "")
	}
	if c.secret == "" {
		c.t.Fatal("no TOTP secret: the operator enrolled with another client")
	}
	wantRedirect(c.t, c.post("/operator/login/code", url.Values{"code": {code(c.t, c.secret, at)}}), "/operator/")
}

// code is secret's TOTP code at t, as an authenticator app computes it.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body:\n%.800s", r.status, want, r.body)
	}
}

func wantRedirect(t *testing.T, r response, to string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.location != to {
		t.Fatalf("answer %d to %q, want 303 to %q; body:\n%.800s", r.status, r.location, to, r.body)
	}
}
