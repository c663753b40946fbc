package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// browse walks the simulator's login and consent pages like a person and
// returns the redirect back to the gateway.
func browse(tb testing.TB, e *env, email, password string) *url.URL {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	start := e.oauth.AuthCodeURL("xyz", email)
	resp, err := c.Get(start)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.PostForm(start, url.Values{"action": {"login"}, "email": {email}, "password": {password}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	consentURL := resp.Request.URL.String() // after the DC redirect
	resp, err = c.PostForm(consentURL, url.Values{"action": {"accept"}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("accept: status %d", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestConsentExchangeRefreshRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	ctx := t.Context()
	cb := browse(t, e, "miguel.martin@satec.es", "pw")
	q := cb.Query()
	if q.Get("state") != "xyz" || q.Get("location") != "eu" {
		t.Fatalf("callback query = %v", q)
	}
	as, err := e.oauth.AccountsServer(q.Get("accounts-server"))
	if err != nil || as != e.srv.URL+"/eu" {
		t.Fatalf("accounts server = %q, %v", as, err)
	}
	tok, err := e.oauth.Exchange(ctx, as, "", q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.APIDomain != e.srv.URL+"/api/eu" {
		t.Fatalf("token = %v", tok)
	}
	if d := time.Until(tok.Expiry); d < 55*time.Minute || d > 61*time.Minute {
		t.Errorf("expiry in %v", d)
	}
	if _, err := e.oauth.Exchange(ctx, as, "", q.Get("code")); !errors.Is(err, zoho.ErrInvalidCode) {
		t.Errorf("second exchange: %v, want ErrInvalidCode", err)
	}
	acct, err := e.oauth.ConsentingUser(ctx, as, tok.AccessToken)
	if err != nil || acct.Email != "miguel.martin@satec.es" || acct.ZUID != e.admin || acct.DisplayName != "Miguel Martín Buil" {
		t.Fatalf("consenting user = %+v, %v", acct, err)
	}
	r, err := e.oauth.Refresh(ctx, as, "", tok.RefreshToken)
	if err != nil || r.AccessToken == "" || r.AccessToken == tok.AccessToken || r.RefreshToken != "" {
		t.Fatalf("refresh = %v, %v", r, err)
	}
	if err := e.oauth.Revoke(ctx, as, tok.RefreshToken); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := e.oauth.Refresh(ctx, as, "", tok.RefreshToken); !errors.Is(err, zoho.ErrInvalidGrant) {
		t.Fatalf("refresh after revoke: %v, want ErrInvalidGrant", err)
	}
	if err := e.oauth.Revoke(ctx, as, tok.RefreshToken); !errors.Is(err, zoho.ErrInvalidGrant) {
		t.Fatalf("second revoke: %v", err)
	}
	for _, r := range e.sim.Requests() {
		if r.AuthScheme == "Bearer" {
			t.Errorf("Bearer sent to %s", r.Path)
		}
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	ctx := t.Context()
	code, _, as, err := e.sim.IssueCode("miguel.martin@satec.es", testRedirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := zoho.NewOAuth(zoho.OAuthConfig{ClientID: testClientID, ClientSecret: "wrong", RedirectURL: testRedirect,
		HomeAccountsURL: e.srv.URL, HTTPClient: e.srv.Client()})
	if _, err := bad.Exchange(ctx, as, "", code); !errors.Is(err, zoho.ErrInvalidClient) {
		t.Errorf("wrong secret: %v", err)
	}
	code, _, as, _ = e.sim.IssueCode("miguel.martin@satec.es", testRedirect, zoho.Scopes)
	e.sim.Advance(3 * time.Minute)
	if _, err := e.oauth.Exchange(ctx, as, "", code); !errors.Is(err, zoho.ErrInvalidCode) || zoho.Retryable(err) {
		t.Errorf("expired code: %v", err)
	}
	if _, err := e.oauth.Refresh(ctx, as, "", "1000.nope.nope"); !errors.Is(err, zoho.ErrInvalidGrant) {
		t.Errorf("unknown refresh token: %v", err)
	}
}

func TestRefreshThrottle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{})
	ctx := t.Context()
	tok, as := e.consent(t, "miguel.martin@satec.es")
	for i := range 10 {
		if _, err := e.oauth.Refresh(ctx, as, "", tok.RefreshToken); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	_, err := e.oauth.Refresh(ctx, as, "", tok.RefreshToken)
	if !errors.Is(err, zoho.ErrThrottled) || errors.Is(err, zoho.ErrInvalidGrant) || !zoho.Retryable(err) {
		t.Fatalf("11th refresh: %v, want ErrThrottled", err)
	}
	e.sim.Advance(11 * time.Minute)
	if _, err := e.oauth.Refresh(ctx, as, "", tok.RefreshToken); err != nil {
		t.Fatalf("after window: %v", err)
	}
}

// TestTokenErrorBodiesWith200 feeds Zoho's HTTP-200 error bodies directly.
func TestTokenErrorBodiesWith200(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		op         string
		want       error
	}{
		{"invalid_code on exchange", `{"error":"invalid_code"}`, "exchange", zoho.ErrInvalidCode},
		{"invalid_client", `{"error":"invalid_client"}`, "exchange", zoho.ErrInvalidClient},
		{"invalid_client_secret", `{"error":"invalid_client_secret"}`, "refresh", zoho.ErrInvalidClient},
		{"invalid_code on refresh", `{"error":"invalid_code"}`, "refresh", zoho.ErrInvalidGrant},
		{"throttle 200", `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`, "refresh", zoho.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			o, _ := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "c", ClientSecret: "topsecret", RedirectURL: testRedirect,
				HomeAccountsURL: srv.URL, HTTPClient: srv.Client()})
			var err error
			if tt.op == "exchange" {
				_, err = o.Exchange(t.Context(), srv.URL, "", "1000.code")
			} else {
				_, err = o.Refresh(t.Context(), srv.URL, "", "1000.refresh")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var te *zoho.TokenError
			if !errors.As(err, &te) || te.Status != http.StatusOK {
				t.Fatalf("err %T %v is not a *TokenError with status 200", err, err)
			}
			if s := err.Error(); strings.Contains(s, "topsecret") || strings.Contains(s, "1000.") {
				t.Errorf("error leaks a secret: %s", s)
			}
		})
	}
}

func TestTokenRedaction(t *testing.T) {
	t.Parallel()
	tok := zoho.Token{AccessToken: "1000.aaa", RefreshToken: "1000.rrr", APIDomain: "https://www.zohoapis.eu"}
	cred := zoho.Credential{APIDomain: "https://www.zohoapis.eu", AccessToken: "1000.aaa"}
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("t", "token", tok, "cred", cred)
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v", tok, tok, tok), fmt.Sprintf("%v %#v", cred, cred), logBuf.String()} {
		if strings.Contains(s, "1000.") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

// TestClientSecretPerDataCentre: a client whose secret differs in the EU
// exchanges and refreshes an EU consent with the EU secret, chosen by the
// consent's location, and a consent elsewhere with the common one.
func TestClientSecretPerDataCentre(t *testing.T) {
	t.Parallel()
	e := newEnv(t, zohosim.Options{ClientSecrets: map[string]string{"eu": "eu-only-secret"}})
	us := e.sim.AddOrg("Acme", zohosim.HomeLocation)
	us.AddUser("ana@acme.example", "Ana", "pw", true)
	perDC, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: testClientID, ClientSecret: testClientSecret,
		ClientSecrets: map[string]string{"eu": "eu-only-secret"}, RedirectURL: testRedirect,
		HomeAccountsURL: e.srv.URL, HTTPClient: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, email := range []string{"miguel.martin@satec.es", "ana@acme.example"} {
		code, loc, as, err := e.sim.IssueCode(email, testRedirect, zoho.Scopes)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := perDC.Exchange(ctx, as, loc, code)
		if err != nil {
			t.Fatalf("%s (%s): exchange: %v", email, loc, err)
		}
		if _, err := perDC.Refresh(ctx, as, loc, tok.RefreshToken); err != nil {
			t.Fatalf("%s (%s): refresh: %v", email, loc, err)
		}
	}
	// The common secret alone does not open the EU.
	code, loc, as, err := e.sim.IssueCode("miguel.martin@satec.es", testRedirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.oauth.Exchange(ctx, as, loc, code); !errors.Is(err, zoho.ErrInvalidClient) {
		t.Fatalf("the common secret in the EU: %v, want ErrInvalidClient", err)
	}
}
