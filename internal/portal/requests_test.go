package portal_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/conecta-zoho/gateway/internal/portal"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// logBuffer collects the portal's log lines for a test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// withLog sends the portal's log to a buffer the test reads.
func withLog(logs *logBuffer) func(*portal.Options) {
	return func(o *portal.Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) }
}

// TestBodyLimits: the portal reads at most a few KiB of a form before
// login and 64 KiB after, answering 413 beyond; multipart bodies, which no
// portal route takes, are refused with 415 before they are read.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	big := url.Values{"email": {adminEmail}, "password": {strings.Repeat("x", 1<<20)}, "captcha": {captchaDigits}}
	wantStatus(t, c.post("/login", big), http.StatusRequestEntityTooLarge)
	wantStatus(t, c.post("/lang", url.Values{"lang": {"en"}, "next": {"/" + strings.Repeat("a", 9<<10)}}), http.StatusRequestEntityTooLarge)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("email", adminEmail)
	f, _ := mw.CreateFormFile("upload", "big.bin")
	_, _ = f.Write(bytes.Repeat([]byte{0}, 1<<20))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("multipart login: status %d, want 415", res.StatusCode)
	}

	s := e.signedIn(t)
	wantStatus(t, s.post("/zoho/seats/bulk", url.Values{"action": {"deactivate"}, "seat": {strings.Repeat("s", 65<<10)}}), http.StatusRequestEntityTooLarge)
	// The largest real form, a bulk action over a page of 100 seats with
	// long ids, is within the limit.
	seats := make([]string, 100)
	for i := range seats {
		seats[i] = strings.Repeat("9", 300) + "@conecta.orange.es"
	}
	if r := s.post("/zoho/seats/bulk", url.Values{"action": {"deactivate"}, "seat": seats}); r.status == http.StatusRequestEntityTooLarge {
		t.Error("a bulk action over a full page was refused as too large")
	}
	wantStatus(t, s.get("/home"), http.StatusOK)
}

// TestBadBytesAreTheClientsError: invalid UTF-8 or a NUL in any form or
// query value, or in the path, is a 400, never a 500 or an error in the
// log; text the portal shortens is cut by characters.
func TestBadBytesAreTheClientsError(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newTestEnvWith(t, withLog(logs))
	c := e.client(t)
	form := c.loginForm(adminEmail, adminPassword, captchaDigits)
	for name, bad := range map[string][2]string{
		"NUL in the e-mail":        {"email", "admin\x00@fermax.com"},
		"invalid UTF-8 password":   {"password", "correct \xff horse"},
		"NUL in the captcha":       {"captcha", "4242\x0042"},
		"invalid UTF-8 in a token": {"captcha_token", "\xc3"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(bad[0], bad[1])
		if r := c.post("/login", f); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, r.status)
		}
	}
	wantStatus(t, c.do("POST", "/login", nil, nil), http.StatusUnprocessableEntity) // sanity: an empty post is a 422
	for _, path := range []string{"/login?next=%00", "/login?x=%ff", "/login?%ff=x", "/%ff"} {
		if r := c.get(path); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, r.status)
		}
	}
	s := e.signedIn(t)
	for _, path := range []string{"/zoho?q=%ff", "/zoho?q=a%00b", "/zoho/seats/%ff/activate", "/activity?page=%c3"} {
		if r := s.get(path); r.status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, r.status)
		}
	}
	if r := s.post("/zoho/enable", url.Values{"zoho_email": {"miguel\x00@satec.es"}}); r.status != http.StatusBadRequest {
		t.Errorf("NUL in a signed-in form: status %d, want 400", r.status)
	}
	// The table's search is cut to 100 characters, never inside one.
	wantStatus(t, s.get("/zoho?q="+url.QueryEscape("a"+strings.Repeat("ñ", 120))), http.StatusOK)
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("bad bytes were logged as errors:\n%s", logs.String())
	}
}

// TestHeadHealth: HEAD /healthz and /readyz answer like GET.
func TestHeadHealth(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := e.client(t).do("HEAD", path, nil, nil)
		wantStatus(t, r, http.StatusOK)
		if r.body != "" {
			t.Errorf("HEAD %s has a body: %q", path, r.body)
		}
	}
}

// TestCookielessLoginWritesNoSession: the login form, asked for 300 times
// without a cookie (as a crawler or a flood would), writes no session row;
// a visitor's first choice (the language) does.
func TestCookielessLoginWritesNoSession(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	sessions := func() int {
		var n int
		if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 300 {
		res, err := http.Get(e.srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Set-Cookie") != "" {
			t.Fatalf("GET /login: %d, Set-Cookie %q", res.StatusCode, res.Header.Get("Set-Cookie"))
		}
	}
	if n := sessions(); n != 0 {
		t.Fatalf("300 cookieless GET /login wrote %d session rows, want 0", n)
	}
	wantStatus(t, e.client(t).post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}}), http.StatusSeeOther)
	if n := sessions(); n != 1 {
		t.Fatalf("choosing the language wrote %d session rows, want 1", n)
	}
}

// TestDatabaseOutage: the database goes away under a signed-in
// administrator. Every request gets a clean error page (readiness says
// 503), the log has one "server error" line per failed request, and the
// session code neither panics nor complains of missing session data.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newTestEnvWith(t, withLog(logs))
	signed := e.signedIn(t)
	wantStatus(t, signed.get("/home"), http.StatusOK)
	visitor := e.client(t)
	form := visitor.loginForm(adminEmail, adminPassword, captchaDigits)
	chose := e.client(t)
	wantStatus(t, chose.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), http.StatusSeeOther)

	testdb.Drop(t, e.store)

	failed := 0
	for _, r := range []response{
		signed.get("/home"),
		signed.get("/zoho"),
		signed.post("/logout", url.Values{}),
		chose.get("/"),
		visitor.post("/login", form),
		visitor.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), // a new session cannot be saved
	} {
		if r.status != http.StatusInternalServerError {
			t.Errorf("status %d during the outage, want 500", r.status)
			continue
		}
		failed++
		if !strings.Contains(r.body, "Error interno") && !strings.Contains(r.body, "Internal error") {
			t.Errorf("not the error page: %.300s", r.body)
		}
		if strings.Count(r.body, "<html") != 1 {
			t.Errorf("two pages in one answer: %.600s", r.body)
		}
	}
	wantStatus(t, visitor.get("/readyz"), http.StatusServiceUnavailable)
	// The login form needs no database: it still shows.
	wantStatus(t, e.client(t).get("/login"), http.StatusOK)

	log := logs.String()
	for _, noise := range []string{"panic", "no session data"} {
		if strings.Contains(log, noise) {
			t.Errorf("the log mentions %q:\n%s", noise, log)
		}
	}
	if n := strings.Count(log, `msg="server error"`); n != failed {
		t.Errorf("%d server error lines for %d failed requests:\n%s", n, failed, log)
	}
}
