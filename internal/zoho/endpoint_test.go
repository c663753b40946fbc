package zoho_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// endpoints is a transport that notes the Endpoint of every request.
type endpoints struct {
	mu    sync.Mutex
	names []string
	base  http.RoundTripper
}

func (e *endpoints) RoundTrip(r *http.Request) (*http.Response, error) {
	e.mu.Lock()
	e.names = append(e.names, zoho.Endpoint(r))
	e.mu.Unlock()
	return e.base.RoundTrip(r)
}

// TestEndpointNamesWhatTheClientsSend makes every request of the OAuth and
// PhoneBridge clients against the simulator (a data centre under a path
// prefix) and checks the endpoint names the metrics get.
func TestEndpointNamesWhatTheClientsSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	rec := &endpoints{base: e.srv.Client().Transport}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: rec}
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: testRedirect, HomeAccountsURL: e.srv.URL, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	code, _, as, err := e.sim.IssueCode("miguel.martin@satec.es", testRedirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oauth.Exchange(ctx, as, "", code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oauth.ConsentingUser(ctx, as, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := oauth.Refresh(ctx, as, "", tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	pb := zoho.NewPhoneBridge(hc, zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pb.Integrate(ctx))
	if _, err := pb.Users(ctx); err != nil {
		t.Fatal(err)
	}
	must(pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: e.admin, URI: "https://gw.example/bridge/zoho/clicktodial"}))
	must(pb.EnableCallControl(ctx, zoho.CallControl{ZohoUser: e.admin, HungupURI: "https://gw.example/bridge/zoho/call/hangup"}))
	must(pb.CallNotify(ctx, zoho.CallNotify{Type: zoho.CallDialed, State: zoho.StateRinging, ID: "c1",
		From: "910726329", To: "+34600111222", ZohoUser: e.admin}))
	must(pb.ClickToDialError(ctx, zoho.ClickToDialError{Code: zoho.DialInvalid, From: "910726329", To: "+34600111222", ZohoUser: e.admin}))
	must(pb.DisableCallControl(ctx, e.admin))
	must(pb.DisableClickToDial(ctx, e.admin))
	must(pb.Disintegrate(ctx))
	must(oauth.Revoke(ctx, as, tok.RefreshToken))

	want := []string{"token", "userinfo", "token", "integrate", "users", "clicktodial", "callcontrol", "callnotify",
		"clicktodialerror", "callcontrol", "clicktodial", "integrate", "revoke"}
	if !slices.Equal(rec.names, want) {
		t.Errorf("endpoints = %q\nwant       %q", rec.names, want)
	}
}
