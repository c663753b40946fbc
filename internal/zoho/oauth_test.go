package zoho_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestDataCentresMatchReference(t *testing.T) {
	t.Parallel()
	want := map[string][2]string{
		"us": {"https://accounts.zoho.com", "https://www.zohoapis.com"},
		"eu": {"https://accounts.zoho.eu", "https://www.zohoapis.eu"},
		"in": {"https://accounts.zoho.in", "https://www.zohoapis.in"},
		"au": {"https://accounts.zoho.com.au", "https://www.zohoapis.com.au"},
		"jp": {"https://accounts.zoho.jp", "https://www.zohoapis.jp"},
		"ca": {"https://accounts.zohocloud.ca", "https://www.zohoapis.ca"},
		"sa": {"https://accounts.zoho.sa", "https://www.zohoapis.sa"},
		"uk": {"https://accounts.zoho.uk", "https://www.zohoapis.uk"},
		"cn": {"https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"},
	}
	dcs := zoho.DataCentres()
	if len(dcs) != len(want) {
		t.Fatalf("got %d data centres, want %d", len(dcs), len(want))
	}
	for _, dc := range dcs {
		w, ok := want[dc.Location]
		if !ok || dc.AccountsServer != w[0] || dc.APIDomain != w[1] {
			t.Errorf("data centre %+v, want %v", dc, w)
		}
	}
	if dc, ok := zoho.DataCentreByLocation("EU"); !ok || dc.APIDomain != "https://www.zohoapis.eu" {
		t.Errorf("DataCentreByLocation(EU) = %+v, %v", dc, ok)
	}
}

func TestAuthCodeURL(t *testing.T) {
	t.Parallel()
	o, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "cid", ClientSecret: "sec", RedirectURL: "https://gw.example/cb"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(o.AuthCodeURL("st4te", "ana@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != "https://accounts.zoho.com/oauth/v2/auth" {
		t.Errorf("endpoint = %s", got)
	}
	q := u.Query()
	for k, v := range map[string]string{
		"response_type": "code", "client_id": "cid", "redirect_uri": "https://gw.example/cb",
		"scope":       "PhoneBridge.call.log,PhoneBridge.zohoone.search,AaaServer.profile.Read",
		"access_type": "offline", "prompt": "consent", "state": "st4te", "login_hint": "ana@example.com",
	} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Has("code_challenge") {
		t.Error("PKCE must not be sent (see package doc)")
	}
}

func TestAccountsServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	prod, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "c", ClientSecret: "s", RedirectURL: "https://gw/cb"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		o     *zoho.OAuth
		raw   string
		want  string
		allow bool
	}{
		{"us", prod, "https://accounts.zoho.com", "https://accounts.zoho.com", true},
		{"eu trailing slash", prod, "https://accounts.zoho.eu/", "https://accounts.zoho.eu", true},
		{"ca zohocloud", prod, "https://accounts.zohocloud.ca", "https://accounts.zohocloud.ca", true},
		{"cn", prod, "https://accounts.zoho.com.cn", "https://accounts.zoho.com.cn", true},
		{"upper case host", prod, "https://ACCOUNTS.ZOHO.IN", "https://accounts.zoho.in", true},
		{"sim home", e.oauth, e.srv.URL, e.srv.URL, true},
		{"sim eu prefix", e.oauth, e.srv.URL + "/eu", e.srv.URL + "/eu", true},
		{"suffix trick", prod, "https://accounts.zoho.com.evil.example", "", false},
		{"http scheme", prod, "http://accounts.zoho.com", "", false},
		{"userinfo", prod, "https://accounts.zoho.com@evil.example", "", false},
		{"userinfo on zoho", prod, "https://evil.example@accounts.zoho.com", "", false},
		{"path on zoho", prod, "https://accounts.zoho.com/evil", "", false},
		{"query", prod, "https://accounts.zoho.com?x=1", "", false},
		{"fragment", prod, "https://accounts.zoho.com#x", "", false},
		{"port", prod, "https://accounts.zoho.com:8443", "", false},
		{"ca not zoho.ca", prod, "https://accounts.zoho.ca", "", false},
		{"backslash", prod, `https://accounts.zoho.com\@evil.example`, "", false},
		{"scheme relative", prod, "//accounts.zoho.com", "", false},
		{"empty", prod, "", "", false},
		{"sim origin refused in prod", prod, e.srv.URL, "", false},
		{"zoho refused? no: real DC allowed with sim home", e.oauth, "https://accounts.zoho.eu", "https://accounts.zoho.eu", true},
		{"sim other port", e.oauth, "http://127.0.0.1:1", "", false},
		{"sim dotdot", e.oauth, e.srv.URL + "/eu/../x", "", false},
		{"sim userinfo", e.oauth, "http://x@" + e.srv.Listener.Addr().String(), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.o.AccountsServer(tt.raw)
			if tt.allow {
				if err != nil || got != tt.want {
					t.Fatalf("AccountsServer(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, zoho.ErrAccountsServer) {
				t.Fatalf("AccountsServer(%q) = %q, %v; want ErrAccountsServer", tt.raw, got, err)
			}
			var ae *zoho.AccountsServerError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T is not *AccountsServerError", err)
			}
		})
	}
}

func TestNoRequestReachesEvilServer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"access_token":"x","api_domain":"https://evil.example"}`))
	}))
	defer evil.Close()
	e := newEnv(t, zohosim.Options{})
	ctx := t.Context()
	if _, err := e.oauth.Exchange(ctx, evil.URL, "", "code"); !errors.Is(err, zoho.ErrAccountsServer) {
		t.Errorf("Exchange: %v", err)
	}
	if _, err := e.oauth.Refresh(ctx, evil.URL, "", "rt"); !errors.Is(err, zoho.ErrAccountsServer) {
		t.Errorf("Refresh: %v", err)
	}
	if err := e.oauth.Revoke(ctx, evil.URL, "rt"); !errors.Is(err, zoho.ErrAccountsServer) {
		t.Errorf("Revoke: %v", err)
	}
	if _, err := e.oauth.ConsentingUser(ctx, evil.URL, "at"); !errors.Is(err, zoho.ErrAccountsServer) {
		t.Errorf("ConsentingUser: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("evil server got %d requests", n)
	}
}
