package zohosim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const (
	tClient   = "1000.CLIENT"
	tSecret   = "client-secret"
	tRedirect = "https://gw.example/cb"
)

// fixture is a served simulator with the demo org.
type fixture struct {
	sim *Sim
	srv *httptest.Server
	org *Org
}

func newFixture(tb testing.TB, opts Options) *fixture {
	tb.Helper()
	opts.ClientID, opts.ClientSecret = tClient, tSecret
	s := New(opts)
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	s.SetBaseURL(srv.URL)
	org := s.AddOrg(DemoOrgName, DemoOrgDC)
	org.AddUser(DemoAdminEmail, "Miguel Martín Buil", DemoPassword, true)
	org.AddUser(DemoUserEmail, "Gema Castro", DemoPassword, false)
	return &fixture{sim: s, srv: srv, org: org}
}

// post sends form params in the body and returns status and body.
func (f *fixture) post(tb testing.TB, path string, form url.Values, header http.Header) (int, string) {
	tb.Helper()
	return f.do(tb, http.MethodPost, path, form, header)
}

func (f *fixture) do(tb testing.TB, method, path string, form url.Values, header http.Header) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token exchanges a fresh code for email and returns access and refresh
// tokens plus the accounts path prefix.
func (f *fixture) token(tb testing.TB, email string) (access, refresh, prefix string) {
	tb.Helper()
	code, _, as, err := f.sim.IssueCode(email, tRedirect, "PhoneBridge.call.log,PhoneBridge.zohoone.search,AaaServer.profile.Read")
	if err != nil {
		tb.Fatal(err)
	}
	prefix = strings.TrimPrefix(as, f.srv.URL)
	st, body := f.post(tb, prefix+"/oauth/v2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {tClient},
		"client_secret": {tSecret}, "redirect_uri": {tRedirect}, "code": {code}}, nil)
	if st != 200 || !strings.Contains(body, "access_token") {
		tb.Fatalf("token: %d %s", st, body)
	}
	return field(body, "access_token"), field(body, "refresh_token"), prefix
}

// field extracts a string JSON field without a full decode.
func field(body, name string) string {
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func auth(tok string) http.Header {
	return http.Header{"Authorization": {"Zoho-oauthtoken " + tok}}
}
