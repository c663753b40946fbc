package zoho_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

const (
	testClientID     = "1000.TESTCLIENT"
	testClientSecret = "s3cr3t-client"
	testRedirect     = "https://gateway.example/zoho/callback"
)

// env is a simulator served by httptest plus an OAuth client aimed at it.
type env struct {
	sim    *zohosim.Sim
	srv    *httptest.Server
	oauth  *zoho.OAuth
	org    *zohosim.Org
	admin  string // zohouser of the org admin
	bodies *bodyLog
}

// bodyLog keeps raw request bodies so tests can assert wire encodings.
type bodyLog struct {
	mu     sync.Mutex
	bodies []string
}

func (b *bodyLog) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.bodies...)
}

func newEnv(tb testing.TB, opts zohosim.Options) *env {
	tb.Helper()
	opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	sim := zohosim.New(opts)
	bl := &bodyLog{}
	h := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		bl.mu.Lock()
		bl.bodies = append(bl.bodies, r.URL.RawQuery+"|"+string(raw))
		bl.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	org := sim.AddOrg("Fermax", "eu")
	admin := org.AddUser("miguel.martin@satec.es", "Miguel Martín Buil", "pw", true)
	org.AddUser("gema.castro@satec.es", "Gema Castro", "pw", false)
	o, err := zoho.NewOAuth(zoho.OAuthConfig{
		ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: testRedirect,
		HomeAccountsURL: srv.URL, HTTPClient: srv.Client(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &env{sim: sim, srv: srv, oauth: o, org: org, admin: admin, bodies: bl}
}

// consent runs the grant and exchange for email and returns the token and
// the accounts server it came from.
func (e *env) consent(tb testing.TB, email string) (zoho.Token, string) {
	tb.Helper()
	code, _, as, err := e.sim.IssueCode(email, testRedirect, zoho.Scopes)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := e.oauth.Exchange(context.Background(), as, "", code)
	if err != nil {
		tb.Fatalf("exchange: %v", err)
	}
	return tok, as
}

// source is a TokenSource over the simulator that refreshes on Rejected.
type source struct {
	mu        sync.Mutex
	e         *env
	as        string
	tok       zoho.Token
	refreshes int
}

func (s *source) Token(context.Context) (zoho.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return zoho.Credential{APIDomain: s.tok.APIDomain, AccessToken: s.tok.AccessToken}, nil
}

func (s *source) Rejected(ctx context.Context, _ zoho.Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.e.oauth.Refresh(ctx, s.as, "", s.tok.RefreshToken)
	if err != nil {
		return err
	}
	s.refreshes++
	s.tok.AccessToken, s.tok.Expiry = t.AccessToken, t.Expiry
	return nil
}

// phoneBridge consents as the admin, integrates when asked, and returns a
// client with fast retries.
func (e *env) phoneBridge(tb testing.TB, integrate bool) (*zoho.PhoneBridge, *source) {
	tb.Helper()
	tok, as := e.consent(tb, "miguel.martin@satec.es")
	src := &source{e: e, as: as, tok: tok}
	pb := zoho.NewPhoneBridge(e.srv.Client(), src).WithRetry(zoho.RetryPolicy{
		Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond, AttemptTimeout: 2 * time.Second,
	})
	if integrate {
		if err := pb.Integrate(context.Background()); err != nil {
			tb.Fatalf("integrate: %v", err)
		}
	}
	return pb, src
}
