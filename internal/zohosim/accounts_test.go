package zohosim

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

func authURL(base string, mod func(url.Values)) string {
	q := url.Values{"response_type": {"code"}, "client_id": {tClient}, "redirect_uri": {tRedirect},
		"scope": {"PhoneBridge.call.log,PhoneBridge.zohoone.search"}, "access_type": {"offline"},
		"prompt": {"consent"}, "state": {"s1"}, "login_hint": {DemoAdminEmail}}
	if mod != nil {
		mod(q)
	}
	return base + "/oauth/v2/auth?" + q.Encode()
}

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), tRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

func read(tb testing.TB, resp *http.Response, err error) string {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestLoginConsentAndDCRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	c := browser()
	start := authURL(f.srv.URL, nil)
	resp, err := c.Get(start)
	page := read(t, resp, err)
	for _, want := range []string{"Iniciar sesión para acceder a Accounts", "INICIAR SESIÓN", `value="` + DemoAdminEmail + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("login page has a script")
	}
	resp, err = c.PostForm(start, url.Values{"action": {"login"}, "email": {DemoAdminEmail}, "password": {"nope"}})
	bad := read(t, resp, err)
	if !strings.Contains(bad, "incorrectos") {
		t.Error("wrong password accepted")
	}
	resp, err = c.PostForm(start, url.Values{"action": {"login"}, "email": {DemoAdminEmail}, "password": {DemoPassword}})
	page = read(t, resp, err)
	if got := resp.Request.URL.Path; got != "/eu/oauth/v2/auth" {
		t.Fatalf("EU user not routed to EU accounts: %s", got)
	}
	for _, want := range []string{
		"Digital Centrex desea acceder a la siguiente información.", "Zoho PhoneBridge",
		"Allow to log your calls inside Zoho", "To view the information associated with the caller/callee",
		`Cuando pulsa el botón "Aceptar", concede permiso para que Digital Centrex acceda a los datos de su cuenta de Zoho.`,
		">Aceptar<", ">Rechazar<",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	consent := resp.Request.URL.String()
	resp, err = c.PostForm(consent, url.Values{"action": {"reject"}})
	read(t, resp, err)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s1" || loc.Query().Has("code") {
		t.Errorf("reject redirect = %s", loc)
	}
	resp, err = c.PostForm(consent, url.Values{"action": {"accept"}})
	read(t, resp, err)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if resp.StatusCode != http.StatusFound || q.Get("code") == "" || q.Get("location") != "eu" ||
		q.Get("accounts-server") != f.srv.URL+"/eu" || q.Get("state") != "s1" {
		t.Errorf("accept redirect = %s", loc)
	}
}

func TestAuthValidationPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{RedirectURIs: []string{tRedirect}})
	tests := []struct {
		name  string
		mod   func(url.Values)
		title string
	}{
		{"client", func(q url.Values) { q.Set("client_id", "other") }, "Invalid Client"},
		{"redirect", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, "Invalid Redirect Uri"},
		{"response type", func(q url.Values) { q.Set("response_type", "token") }, "Invalid Response Type"},
		{"scope missing", func(q url.Values) { q.Del("scope") }, "Invalid OAuth Scope"},
		{"scope spaces", func(q url.Values) { q.Set("scope", "PhoneBridge.call.log PhoneBridge.zohoone.search") }, "Invalid OAuth Scope"},
		{"access type", func(q url.Values) { q.Set("access_type", "forever") }, "Invalid Access Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(authURL(f.srv.URL, tt.mod))
			page := read(t, resp, err)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, tt.title) {
				t.Errorf("status %d, page lacks %q", resp.StatusCode, tt.title)
			}
		})
	}
}

func TestTokenEndpointQuirks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	code, _, _, _ := f.sim.IssueCode(DemoAdminEmail, tRedirect, "PhoneBridge.call.log")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {tClient}, "client_secret": {tSecret},
		"redirect_uri": {tRedirect}, "code": {code}}
	// Wrong DC: the code belongs to the EU user.
	if st, body := f.post(t, "/oauth/v2/token", form, nil); st != 200 || !strings.Contains(body, `"error":"invalid_code"`) {
		t.Errorf("home DC: %d %s", st, body)
	}
	code, _, _, _ = f.sim.IssueCode(DemoAdminEmail, tRedirect, "PhoneBridge.call.log")
	form.Set("code", code)
	// Params in the query string work too.
	st, body := f.post(t, "/eu/oauth/v2/token?"+form.Encode(), nil, nil)
	if st != 200 || field(body, "api_domain") != f.srv.URL+"/api/eu" || field(body, "refresh_token") == "" {
		t.Fatalf("query params: %d %s", st, body)
	}
	if st, body := f.post(t, "/eu/oauth/v2/token", form, nil); st != 200 || !strings.Contains(body, "invalid_code") {
		t.Errorf("reused code: %d %s", st, body)
	}
	for name, mod := range map[string]func(url.Values){
		"client":   func(v url.Values) { v.Set("client_id", "x") },
		"secret":   func(v url.Values) { v.Set("client_secret", "x") },
		"redirect": func(v url.Values) { v.Set("redirect_uri", "https://other.example/cb") },
	} {
		c, _, _, _ := f.sim.IssueCode(DemoAdminEmail, tRedirect, "PhoneBridge.call.log")
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		v.Set("code", c)
		mod(v)
		st, body := f.post(t, "/eu/oauth/v2/token", v, nil)
		if st != 200 || !strings.Contains(body, `"error":"invalid_`) {
			t.Errorf("%s: %d %s", name, st, body)
		}
	}
	c, _, _, _ := f.sim.IssueCode(DemoAdminEmail, tRedirect, "PhoneBridge.call.log")
	form.Set("code", c)
	f.sim.Advance(CodeLifetime + time.Second)
	if _, body := f.post(t, "/eu/oauth/v2/token", form, nil); !strings.Contains(body, "invalid_code") {
		t.Errorf("expired code accepted: %s", body)
	}
}

func TestRefreshTokenCapAndThrottle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	_, first, prefix := f.token(t, DemoAdminEmail)
	for range MaxRefreshTokens {
		f.token(t, DemoAdminEmail)
	}
	if n := f.sim.RefreshTokenCount(DemoAdminEmail); n != MaxRefreshTokens {
		t.Fatalf("refresh tokens = %d", n)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {tClient}, "client_secret": {tSecret}, "refresh_token": {first}}
	if _, body := f.post(t, prefix+"/oauth/v2/token", refresh, nil); !strings.Contains(body, "invalid_code") {
		t.Errorf("evicted refresh token still works: %s", body)
	}
	_, rt, _ := f.token(t, DemoAdminEmail)
	refresh.Set("refresh_token", rt)
	for i := range RefreshLimit {
		if st, body := f.post(t, prefix+"/oauth/v2/token", refresh, nil); st != 200 || field(body, "access_token") == "" || field(body, "refresh_token") != "" {
			t.Fatalf("refresh %d: %d %s", i, st, body)
		}
	}
	st, body := f.post(t, prefix+"/oauth/v2/token", refresh, nil)
	if st != 400 || !strings.Contains(body, "too many requests continuously") || !strings.Contains(body, `"error":"Access Denied"`) {
		t.Fatalf("throttle: %d %s", st, body)
	}
}

func TestRevokeBothForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	access, rt, prefix := f.token(t, DemoAdminEmail)
	if st, body := f.post(t, prefix+"/oauth/v2/token/revoke?token="+url.QueryEscape(rt), nil, nil); st != 200 || !strings.Contains(body, "success") {
		t.Fatalf("legacy revoke: %d %s", st, body)
	}
	if f.sim.AccessTokenValid(access) {
		t.Error("access token survives revoking its refresh token")
	}
	if st, _ := f.post(t, prefix+"/oauth/v2/token/revoke?token="+url.QueryEscape(rt), nil, nil); st != 400 {
		t.Errorf("second revoke status %d", st)
	}
	_, rt2, _ := f.token(t, DemoAdminEmail)
	form := url.Values{"token": {rt2}, "token_type": {"refresh_token"}}
	if st, _ := f.post(t, prefix+"/oauth/v2/revoke/token", form, nil); st != 401 {
		t.Errorf("revoke without Basic: %d", st)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+prefix+"/oauth/v2/revoke/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(tClient, tSecret)
	resp, err := http.DefaultClient.Do(req)
	if body := read(t, resp, err); resp.StatusCode != 200 || !strings.Contains(body, "success") {
		t.Errorf("basic revoke: %d %s", resp.StatusCode, body)
	}
}

func TestUserInfo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	access, _, prefix := f.token(t, DemoAdminEmail)
	st, body := f.do(t, http.MethodGet, prefix+"/oauth/user/info", nil, auth(access))
	if st != 200 || field(body, "Email") != DemoAdminEmail || !strings.Contains(body, `"ZUID":`+f.org.Users()[0]) {
		t.Fatalf("user info: %d %s", st, body)
	}
	for _, r := range f.sim.Requests() {
		for k, vs := range r.Form {
			for _, v := range vs {
				if k == "client_id" {
					continue
				}
				if strings.HasPrefix(v, "1000.") {
					t.Errorf("recorded request keeps a secret: %s %v", r.Path, r.Form)
				}
			}
		}
	}
}
