package callflow

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// phoneBridge serves a simulator whose org's first user is link.ZohoUser and
// returns an integrated client for it.
func phoneBridge(tb testing.TB, strictLive bool) (*zoho.PhoneBridge, *zohosim.Org) {
	tb.Helper()
	const client, secret, redirect = "1000.CF", "cf-secret", "https://gw.example/cb"
	sim := zohosim.New(zohosim.Options{ClientID: client, ClientSecret: secret, StrictLive: strictLive})
	srv := httptest.NewServer(sim.Handler())
	tb.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	org := sim.AddOrg("Fermax", "eu")
	if id := org.AddUser("miguel.martin@satec.es", "Miguel", "pw", true); id != link.ZohoUser {
		tb.Fatalf("zohouser %s, want %s", id, link.ZohoUser)
	}
	code, _, as, err := sim.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
	if err != nil {
		tb.Fatal(err)
	}
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: client, ClientSecret: secret, RedirectURL: redirect,
		HomeAccountsURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := oauth.Exchange(context.Background(), as, "", code)
	if err != nil {
		tb.Fatal(err)
	}
	pb := zoho.NewPhoneBridge(srv.Client(), zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken})
	if err := pb.Integrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return pb, org
}

// TestZohoAcceptsNotifications sends the notifications of random calls to
// the PhoneBridge simulator: with the default settings even its strict-live
// mode accepts every one; without the mapping, strict-live refuses some.
func TestZohoAcceptsNotifications(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		strict     bool
		set        Settings
		wantReject bool
	}{
		{"documented states, lenient Zoho", false, documented, false},
		{"default settings, strict-live Zoho", true, DefaultSettings(), false},
		{"documented states, strict-live Zoho", true, documented, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pb, org := phoneBridge(t, tt.strict)
			r := rand.New(rand.NewPCG(7, 11))
			ctx := context.Background()
			sent, rejected := 0, 0
			for range 150 {
				var st State
				var all []Notification
				for range 1 + r.IntN(8) {
					var out []Notification
					st, out, _ = Apply(st, randomEvent(r), link, tt.set)
					FillStartTime(out, at(300))
					all = append(all, out...)
				}
				_, out, _ := Close(st, at(600), link, tt.set)
				for _, n := range append(all, out...) {
					var err error
					if n.Endpoint == EndpointClickToDialError {
						err = pb.ClickToDialError(ctx, n.ClickToDialError())
					} else {
						err = pb.CallNotify(ctx, n.CallNotify())
						sent++
					}
					var zerr *zoho.Error
					switch {
					case err == nil:
					case tt.wantReject && errors.As(err, &zerr) && zerr.Status == 400:
						rejected++
					default:
						t.Fatalf("%+v: %v", n, err)
					}
				}
			}
			if got := len(org.Notifies()); got != sent-rejected || sent == 0 {
				t.Errorf("simulator kept %d of %d notifications (%d rejected)", got, sent, rejected)
			}
			if tt.wantReject != (rejected > 0) {
				t.Errorf("%d rejected", rejected)
			}
		})
	}
}
