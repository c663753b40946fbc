package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// The signed-in routes of each site (a path parameter filled in).
var (
	portalRoutes = []string{
		"GET /home", "GET /zoho", "GET /zoho/enable", "GET /zoho/disable", "GET /zoho/seats/1/activate",
		"GET /zoho/seats/1/deactivate", "GET /zoho/result", "GET /zoho/suggestions", "GET /zoho/links.csv",
		"GET /audit", "GET /activity", "GET /settings/time-zone",
		"POST /logout", "POST /zoho/enable", "POST /zoho/disable", "POST /zoho/language", "POST /zoho/seats/1/activate",
		"POST /zoho/seats/1/deactivate", "POST /zoho/seats/bulk", "POST /zoho/seats/suggested", "POST /zoho/seats/sync",
		"POST /zoho/links/restore", "POST /zoho/users/refresh", "POST /activity/outbox/1/retry", "POST /settings/time-zone",
	}
	consoleRoutes = []string{
		"GET /operator/", "GET /operator/companies/1", "GET /operator/companies/1/switch-off", "GET /operator/audit",
		"POST /operator/companies/1/centrex", "POST /operator/companies/1/seats/sync", "POST /operator/companies/1/outbox/retry",
		"POST /operator/companies/1/admin", "POST /operator/companies/1/admin/password", "POST /operator/companies/1/switch-off",
		"POST /operator/companies/1/switch-on", "POST /operator/logout",
	}
	// Odd spellings of a route of the other site, which must not reach it
	// either.
	oddPaths = []string{"/operator/../home", "/home/../operator/", "/operator//", "/OPERATOR/", "/operator%2F",
		"/operator/./", "//operator/", "/operator/%2e%2e/home", "/static/../operator/"}
)

// TestSessionsStayInTheirSite: an administrator's session reaches no
// console route and an operator's no portal route, whatever the URL, even
// with the session's token put in the other site's cookie; each lands on
// its own sign-in. Each session still reaches its own site.
func TestSessionsStayInTheirSite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": testdb.URL(t), "SECRET_KEY": testdb.SecretKey, "DEV_CAPTCHA_SOLUTION": "424242"}
	cfg, err := config.Load(func(k string) string { return vars[k] }, config.ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PasswordParams = password.Params{Memory: 64, Time: 1, Threads: 1}
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	hash, _ := password.Hash("a password 1234", cfg.PasswordParams)
	if _, _, err := a.Store.CreateCompany(ctx, "Fermax", "admin@fermax.example", hash); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateOperator(ctx, "ana@orange.example", hash); err != nil {
		t.Fatal(err)
	}

	admin := newBrowser(t, srv.URL)
	admin.signIn(t, "/login", "admin@fermax.example")
	if r := admin.send(t, "GET /home"); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="admin-email"`) {
		t.Fatalf("the administrator does not reach the portal: %d", r.status)
	}
	op := newBrowser(t, srv.URL)
	op.signIn(t, "/operator/login", "ana@orange.example")
	if r := op.send(t, "GET /operator/"); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="operator-email"`) {
		t.Fatalf("the operator does not reach the console: %d", r.status)
	}

	check := func(t *testing.T, b *browser, routes []string, signIn, foreign string) {
		t.Helper()
		for _, route := range routes {
			r := b.send(t, route)
			if r.status != http.StatusSeeOther || r.location != signIn {
				t.Errorf("%s: %d to %q, want a redirect to %s", route, r.status, r.location, signIn)
			}
		}
		for _, p := range oddPaths {
			if r := b.send(t, "GET "+p); r.status == http.StatusOK && strings.Contains(r.body, foreign) {
				t.Errorf("GET %s shows a page of the other site", p)
			}
		}
	}
	t.Run("an administrator on the console", func(t *testing.T) {
		check(t, admin, consoleRoutes, "/operator/login", `data-testid="operator-email"`)
		// The portal's token in the console's cookie is nobody there.
		admin.setCookie(t, "dc_operator", "/operator", admin.cookie(t, "dc_session"))
		check(t, admin, consoleRoutes, "/operator/login", `data-testid="operator-email"`)
	})
	t.Run("an operator on the portal", func(t *testing.T) {
		check(t, op, portalRoutes, "/login", `data-testid="admin-email"`)
		op.setCookie(t, "dc_session", "/", op.cookie(t, "dc_operator"))
		check(t, op, portalRoutes, "/login", `data-testid="admin-email"`)
	})
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status         int
	location, body string
}

// send sends "METHOD /path" (a POST with an empty form, or form).
func (b *browser) send(t *testing.T, route string, form ...url.Values) answer {
	t.Helper()
	method, path, _ := strings.Cut(route, " ")
	var body io.Reader
	if method == http.MethodPost {
		f := url.Values{}
		if len(form) > 0 {
			f = form[0]
		}
		body = strings.NewReader(f.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, location: res.Header.Get("Location"), body: string(raw)}
}

var (
	captchaToken = regexp.MustCompile(`name="captcha_token" value="([^"]+)"`)
	totpSecret   = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7 ]+)<`)
)

// signIn signs in at the site whose sign-in form is at loginPath: the
// password step, then for the console the enrolment with its TOTP code.
func (b *browser) signIn(t *testing.T, loginPath, email string) {
	t.Helper()
	m := captchaToken.FindStringSubmatch(b.send(t, "GET "+loginPath).body)
	if m == nil {
		t.Fatalf("%s has no captcha", loginPath)
	}
	r := b.send(t, "POST "+loginPath, url.Values{"email": {email}, "password": {"a password 1234"}, "captcha": {"424242"}, "captcha_token": {m[1]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign-in at %s: %d", loginPath, r.status)
	}
	if r.location != "/operator/login/code" {
		return
	}
	s := totpSecret.FindStringSubmatch(b.send(t, "GET /operator/login/code").body)
	if s == nil {
		t.Fatal("no enrolment")
	}
	code, err := totp.GenerateCode(strings.ReplaceAll(s[1], " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := b.send(t, "POST /operator/login/code", url.Values{"code": {code}}); r.status != http.StatusSeeOther || r.location != "/operator/" {
		t.Fatalf("code: %d to %q", r.status, r.location)
	}
}

func (b *browser) cookie(t *testing.T, name string) string {
	t.Helper()
	u, _ := url.Parse(b.base + "/operator/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	t.Fatalf("no %s cookie", name)
	return ""
}

func (b *browser) setCookie(t *testing.T, name, path, value string) {
	t.Helper()
	u, _ := url.Parse(b.base + path)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: path}})
}
