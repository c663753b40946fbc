package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func httptestServer(t testing.TB, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestCrossOriginPostIsRejected(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	c.get("/login")
	form := url.Values{"email": {adminEmail}, "password": {adminPassword}, "captcha": {captchaDigits}}
	r := c.do("POST", "/login", form, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
	wantStatus(t, r, http.StatusForbidden)
	// And no login happened.
	wantStatus(t, c.get("/home"), http.StatusSeeOther)

	t.Run("same origin passes", func(t *testing.T) {
		c := e.client(t)
		c.get("/login")
		r := c.do("POST", "/login", form, http.Header{"Sec-Fetch-Site": {"same-origin"}})
		if r.status == http.StatusForbidden {
			t.Fatal("a same-origin POST was rejected")
		}
	})
	t.Run("logout from another site", func(t *testing.T) {
		c := e.client(t)
		wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
		r := c.do("POST", "/logout", url.Values{}, http.Header{"Origin": {"https://evil.example"}})
		wantStatus(t, r, http.StatusForbidden)
		wantStatus(t, c.get("/home"), http.StatusOK)
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.client(t).get("/")
	wantStatus(t, r, http.StatusOK)
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent for a plain-HTTP public URL")
	}
	if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") {
		t.Error("page carries inline script or style")
	}

	t.Run("https public URL", func(t *testing.T) {
		srv := httptestServer(t, e.handler(t, "https://gateway.example.com"))
		res, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS with an https public URL")
		}
	})
	t.Run("session cookie flags", func(t *testing.T) {
		srv := httptestServer(t, e.handler(t, "https://gateway.example.com"))
		// Choosing a language is the first thing that starts a session.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.PostForm(srv.URL+"/lang", url.Values{"lang": {"en"}, "next": {"/login"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		ck := res.Header.Get("Set-Cookie")
		for _, want := range []string{"dc_session=", "HttpOnly", "Secure", "SameSite=Lax"} {
			if !strings.Contains(ck, want) {
				t.Errorf("Set-Cookie %q lacks %s", ck, want)
			}
		}
	})
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	if h1 := c.get("/login").doc(t).Find("h1").Text(); h1 != "Acceso al portal" {
		t.Errorf("default language h1 = %q", h1)
	}
	en := e.client(t)
	en.hdr.Set("Accept-Language", "en-GB,en;q=0.9")
	if h1 := en.get("/login").doc(t).Find("h1").Text(); h1 != "Portal sign-in" {
		t.Errorf("Accept-Language en h1 = %q", h1)
	}
	r := c.post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/login" {
		t.Errorf("lang redirect = %q", r.location)
	}
	if h1 := c.get("/login").doc(t).Find("h1").Text(); h1 != "Portal sign-in" {
		t.Errorf("after switching to English h1 = %q", h1)
	}
	// The choice survives login.
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	if got := c.get("/home").doc(t).Find("[data-testid=company]").Text(); got != "Company Fermax" {
		t.Errorf("header in English = %q", got)
	}
	// Browsers drop TAB, CR and LF from a URL: "/\t/evil.example" is
	// "//evil.example" to them. No control character passes.
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil",
		"/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\x0b/evil.example", "/x\x7f", "/x\u0085"} {
		if r := c.post("/lang", url.Values{"lang": {"es"}, "next": {next}}); r.location != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, r.location)
		}
	}
	wantStatus(t, c.post("/lang", url.Values{"lang": {"fr"}}), http.StatusBadRequest)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	wantStatus(t, c.get("/healthz"), http.StatusOK)
	r := c.get("/readyz")
	wantStatus(t, r, http.StatusOK)
	if r.body != "ready\n" {
		t.Errorf("readyz body = %q", r.body)
	}
	wantStatus(t, c.get("/no/such/page"), http.StatusNotFound)
}
