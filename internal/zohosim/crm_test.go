package zohosim

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// crmBrowser is a person using the CRM page, with cookies.
type crmBrowser struct {
	tb   testing.TB
	c    *http.Client
	base string
	// last is the path and query of the page the last request ended on.
	last string
}

func newBrowser(tb testing.TB, f *fixture) *crmBrowser {
	jar, _ := cookiejar.New(nil)
	return &crmBrowser{tb: tb, c: &http.Client{Jar: jar, Timeout: 5 * time.Second}, base: f.srv.URL}
}

func (b *crmBrowser) do(method, path string, form url.Values, header http.Header) (int, string) {
	b.tb.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.last = resp.Request.URL.RequestURI()
	return resp.StatusCode, string(body)
}

func (b *crmBrowser) page() string {
	b.tb.Helper()
	st, body := b.do(http.MethodGet, "/crm/", nil, nil)
	if st != http.StatusOK {
		b.tb.Fatalf("GET /crm/: %d", st)
	}
	return body
}

func (b *crmBrowser) signIn(email string) string {
	b.tb.Helper()
	st, body := b.do(http.MethodPost, "/crm/", url.Values{"action": {"login"}, "email": {email}, "password": {DemoPassword}}, nil)
	if st != http.StatusOK || !strings.Contains(body, "Registro de llamadas") {
		b.tb.Fatalf("sign in as %s: %d %s", email, st, body)
	}
	return body
}

// crmEnv is an integrated org whose admin has click-to-dial and call
// control registered towards a recording provider.
type crmEnv struct {
	f             *fixture
	rc            *receiver
	access, api   string
	admin, gema   string
	providerCalls func() []*http.Request
}

func newCRMEnv(t *testing.T) *crmEnv {
	f, access, api := integrated(t, Options{})
	rc := &receiver{}
	prov := httptest.NewServer(rc)
	t.Cleanup(prov.Close)
	users := f.org.Users()
	e := &crmEnv{f: f, rc: rc, access: access, api: api, admin: users[0], gema: users[1]}
	e.providerCalls = func() []*http.Request {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return append([]*http.Request(nil), rc.reqs...)
	}
	reg := url.Values{"clicktodialuri": {prov.URL + "/c2d"}, "zohouser": {e.admin}, "authorizationparam": {"{name:X-Key,value:k3y}"}}
	if st, body := f.post(t, api+"clicktodial", reg, auth(access)); st != 200 {
		t.Fatalf("clicktodial: %d %s", st, body)
	}
	cc := url.Values{"zohouser": {e.admin}}
	for _, a := range []string{"answer", "hungup", "hold", "unhold", "keypress"} {
		cc.Set(controlActions[a], prov.URL+"/"+a)
	}
	if st, body := f.post(t, api+"callcontrol", cc, auth(access)); st != 200 {
		t.Fatalf("callcontrol: %d %s", st, body)
	}
	return e
}

// notify posts a callnotify for the admin as the provider would.
func (e *crmEnv) notify(t *testing.T, typ, state, id, from, to string, extra ...string) {
	t.Helper()
	v := url.Values{"type": {typ}, "state": {state}, "id": {id}, "from": {from}, "to": {to}, "zohouser": {e.admin}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if st, body := e.f.post(t, e.api+"callnotify", v, auth(e.access)); st != 200 {
		t.Fatalf("callnotify %s: %d %s", state, st, body)
	}
}
