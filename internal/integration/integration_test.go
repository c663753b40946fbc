package integration_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	redirect = "https://gw.example.com/zoho/callback"
	miguel   = "miguel.martin@satec.es" // admin of the demo org
	gema     = "gema.castro@satec.es"   // not an admin
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	t       *testing.T
	store   *store.Store
	sim     *zohosim.Sim
	org     *zohosim.Org
	clock   *clock
	company store.Company
	svc     *integration.Service
	links   *fakeLinks
	metrics *metrics.Metrics
	secrets map[string]string // the gateway's client secrets per data centre
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, zohosim.Options{}, nil)
}

// newEnvWith is newEnv with the simulator's options (its client is always
// cid/csecret) and the gateway's secrets per data centre.
func newEnvWith(t *testing.T, opts zohosim.Options, secrets map[string]string) *env {
	t.Helper()
	clk := &clock{now: time.Now()}
	opts.ClientID, opts.ClientSecret, opts.ProviderName, opts.Clock = "cid", "csecret", "Digital Centrex", clk.Now
	sim := zohosim.New(opts)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	org := zohosim.SeedDemo(sim)
	st := testdb.Open(t)
	c, _, err := st.CreateCompany(context.Background(), "Fermax", "admin@fermax.com", "h")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, sim: sim, org: org, clock: clk, company: c, links: &fakeLinks{enabled: map[string]bool{}},
		metrics: metrics.New(buildinfo.Read()), secrets: secrets}
	e.svc = e.newService()
	return e
}

// newService is one gateway instance; several may share the store.
func (e *env) newService() *integration.Service {
	return integration.New(integration.Options{Store: e.store, OAuth: e.newOAuth(), Links: e.links, URIs: uris,
		Logger: discard(), Now: e.clock.Now, Metrics: e.metrics})
}

func (e *env) newOAuth() *zoho.OAuth {
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "cid", ClientSecret: "csecret", ClientSecrets: e.secrets,
		RedirectURL: redirect, HomeAccountsURL: e.sim.BaseURL()})
	if err != nil {
		e.t.Fatal(err)
	}
	return oauth
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// consent is the browser part: the user logs in at Zoho and accepts.
func (e *env) consent(email string) integration.Callback {
	e.t.Helper()
	code, loc, accounts, err := e.sim.IssueCode(email, redirect, zoho.Scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return integration.Callback{Code: code, Location: loc, AccountsServer: accounts}
}

func (e *env) enable() {
	e.t.Helper()
	if err := e.svc.CompleteConsent(context.Background(), e.company.ID, "admin@fermax.com", miguel, e.consent(miguel)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) status() store.ZohoIntegration {
	e.t.Helper()
	z, err := e.store.ZohoIntegration(context.Background(), e.company.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return z
}

func (e *env) lastAudit() store.AuditEntry {
	e.t.Helper()
	log, err := e.store.AuditLog(context.Background(), e.company.ID, 1)
	if err != nil || len(log) == 0 {
		e.t.Fatalf("audit log: %v, %d entries", err, len(log))
	}
	return log[0]
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ie *integration.Error
	if !errors.As(err, &ie) || ie.Code != code {
		t.Fatalf("err = %v, want integration error %q", err, code)
	}
}

type fakeLinks struct {
	mu      sync.Mutex
	enabled map[string]bool
}

func (f *fakeLinks) EnabledZohoUsers(ctx context.Context, companyID int64) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for u, on := range f.enabled {
		if on {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (f *fakeLinks) SetZohoUserEnabled(ctx context.Context, companyID int64, u string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.enabled[u] = on
	return nil
}

func TestEnable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.enable()
	z := e.status()
	if z.Status != store.ZohoEnabled || z.ConsentEmail != miguel || z.Location != "eu" || !strings.HasSuffix(z.APIDomain, "/api/eu") {
		t.Fatalf("integration = %+v", z)
	}
	if !e.org.Integrated() {
		t.Fatal("integrate was not called at Zoho")
	}
	var refresh, access []byte
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT refresh_token, access_token FROM zoho_integrations
		WHERE company_id = $1`, e.company.ID).Scan(&refresh, &access); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(z.RefreshToken, "1000.") || bytes.Contains(refresh, []byte("1000.")) || bytes.Contains(access, []byte("1000.")) {
		t.Fatal("tokens stored in clear")
	}
	if a := e.lastAudit(); a.Action != "zoho.enabled" || a.Detail["consented"] != miguel {
		t.Fatalf("audit = %+v", a)
	}
	// The exchange went to the EU accounts server the redirect named.
	var sawEU bool
	for _, r := range e.sim.RequestsTo("/oauth/v2/token") {
		sawEU = sawEU || strings.HasPrefix(r.Path, "/eu/")
	}
	if !sawEU {
		t.Error("the code was not exchanged at the user's data centre")
	}
	// A client built on the stored tokens works.
	users, err := e.svc.PhoneBridge(e.company.ID).Users(context.Background())
	if err != nil || len(users) < 400 {
		t.Fatalf("users: %d, %v", len(users), err)
	}
}

func TestConsentRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		setup    func(e *env) integration.Callback
		expected string
		code     string
		audit    string
	}{
		{"user refused consent", func(e *env) integration.Callback { return integration.Callback{Error: "access_denied"} },
			miguel, integration.CodeDenied, "zoho.consent_denied"},
		{"another account consented", func(e *env) integration.Callback { return e.consent(miguel) },
			"someone.else@satec.es", integration.CodeMismatch, "zoho.consent_mismatch"},
		{"foreign accounts server", func(e *env) integration.Callback {
			cb := e.consent(miguel)
			cb.AccountsServer = "https://accounts.zoho.com.evil.example"
			return cb
		}, miguel, integration.CodeAccountsServer, "zoho.refused"},
		{"code used twice", func(e *env) integration.Callback {
			cb := e.consent(miguel)
			if err := e.svc.CompleteConsent(ctx, e.company.ID, "a", miguel, cb); err != nil {
				e.t.Fatal(err)
			}
			if _, err := e.svc.Disable(ctx, e.company.ID, "a"); err != nil {
				e.t.Fatal(err)
			}
			return cb
		}, miguel, integration.CodeBadCode, "zoho.refused"},
		{"consenting user lacks PhoneBridge rights", func(e *env) integration.Callback { return e.consent(gema) },
			gema, "zoho:" + zoho.CodeNoPermission, "zoho.refused"},
		{"another provider already integrated", func(e *env) integration.Callback {
			e.org.SetOtherProviderEnabled(true)
			return e.consent(miguel)
		}, miguel, "zoho:" + zoho.CodeDifferentProviderAlreadyEnabled, "zoho.refused"},
		{"provider not registered", func(e *env) integration.Callback {
			e.sim.SetProviderRegistered(false)
			return e.consent(miguel)
		}, miguel, "zoho:" + zoho.CodeProviderNotRegistered, "zoho.refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			cb := tc.setup(e)
			err := e.svc.CompleteConsent(ctx, e.company.ID, "admin@fermax.com", tc.expected, cb)
			wantCode(t, err, tc.code)
			if z := e.status(); z.Status != store.ZohoDisabled || z.RefreshToken != "" {
				t.Fatalf("after a refusal the integration is %q with token=%v", z.Status, z.RefreshToken != "")
			}
			if a := e.lastAudit(); a.Action != tc.audit {
				t.Fatalf("audit action = %q, want %q", a.Action, tc.audit)
			}
			if n := e.sim.RefreshTokenCount(miguel) + e.sim.RefreshTokenCount(gema); n != 0 {
				t.Fatalf("%d refresh tokens still alive at Zoho: a refused token was not revoked", n)
			}
		})
	}
}

func TestForeignAccountsServerGetsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	cb := e.consent(miguel)
	cb.AccountsServer = evil.URL
	err := e.svc.CompleteConsent(context.Background(), e.company.ID, "a", miguel, cb)
	wantCode(t, err, integration.CodeAccountsServer)
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached the foreign accounts server", hits.Load())
	}
}

// TestSecretOfTheConsentsDataCentre: the client has a secret of its own in
// the EU, where the organisation is: the consent is exchanged, and its token
// later refreshed, with it (chosen by the stored location of the consent).
func TestSecretOfTheConsentsDataCentre(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, zohosim.Options{ClientSecrets: map[string]string{zohosim.DemoOrgDC: "eu-secret"}},
		map[string]string{zohosim.DemoOrgDC: "eu-secret"})
	e.enable()
	if z := e.status(); z.Status != store.ZohoEnabled || z.Location != zohosim.DemoOrgDC {
		t.Fatalf("after consent: %+v", z)
	}
	if _, err := e.store.Pool().Exec(context.Background(),
		`UPDATE zoho_integrations SET access_expires_at = $1 WHERE company_id = $2`, e.clock.Now(), e.company.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PhoneBridge(e.company.ID).Users(context.Background()); err != nil {
		t.Fatalf("a call that needs a refresh: %v", err)
	}
	// Without the EU secret the consent does not go through.
	other := newEnvWith(t, zohosim.Options{ClientSecrets: map[string]string{zohosim.DemoOrgDC: "eu-secret"}}, nil)
	err := other.svc.CompleteConsent(context.Background(), other.company.ID, "admin@fermax.com", miguel, other.consent(miguel))
	if err == nil {
		t.Fatal("the common secret was accepted in the EU")
	}
}

func TestOneRefreshPerCompanyUnderParallelUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.enable()
	e.sim.ResetRequests()
	// The stored access token now has two minutes left: within the margin.
	if _, err := e.store.Pool().Exec(context.Background(),
		`UPDATE zoho_integrations SET access_expires_at = $1 WHERE company_id = $2`,
		e.clock.Now().Add(2*time.Minute), e.company.ID); err != nil {
		t.Fatal(err)
	}

	instances := []*integration.Service{e.svc, e.newService(), e.newService()}
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pb := instances[i%len(instances)].PhoneBridge(e.company.ID)
			_, err := pb.Users(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	refreshes := 0
	for _, r := range e.sim.RequestsTo("/oauth/v2/token") {
		if r.Form.Get("grant_type") == "refresh_token" || r.Query.Get("grant_type") == "refresh_token" {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Fatalf("%d refreshes for 30 parallel calls on 3 instances, want 1", refreshes)
	}
	// And the fresh token is reused afterwards.
	e.sim.ResetRequests()
	if _, err := e.svc.PhoneBridge(e.company.ID).Users(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.sim.RequestsTo("/oauth/v2/token")); n != 0 {
		t.Fatalf("%d token requests with a fresh access token", n)
	}
}

func TestDeadRefreshTokenNeedsConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.enable()
	z := e.status()
	rt := z.RefreshToken
	oauth, _ := zoho.NewOAuth(zoho.OAuthConfig{ClientID: "cid", ClientSecret: "csecret", RedirectURL: redirect, HomeAccountsURL: e.sim.BaseURL()})
	// The user removes the app under Connected Apps in Zoho.
	if err := oauth.Revoke(context.Background(), z.AccountsServer, rt); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(61 * time.Minute)
	e.sim.Advance(61 * time.Minute)
	_, err := e.svc.PhoneBridge(e.company.ID).Users(context.Background())
	wantCode(t, err, integration.CodeNeedsConsent)
	if z := e.status(); z.Status != store.ZohoNeedsConsent {
		t.Fatalf("status = %q, want needs_consent", z.Status)
	}
	f := metricstest.Gather(t, e.metrics.Gatherer())
	if got := f.Value("gateway_token_refreshes_total", map[string]string{"result": "invalid_grant"}); got != 1 {
		t.Errorf("refreshes refused counted %v, want 1", got)
	}
	// Consenting again brings it back.
	e.enable()
	if z := e.status(); z.Status != store.ZohoEnabled {
		t.Fatalf("after new consent: %q", z.Status)
	}
}

func TestDisable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.enable()
	users := e.org.Users()
	pb := e.svc.PhoneBridge(e.company.ID)
	for _, u := range users[:2] {
		if err := pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: u, URI: "https://gw.example.com/c2d"}); err != nil {
			t.Fatal(err)
		}
		if err := pb.EnableCallControl(ctx, zoho.CallControl{ZohoUser: u, HungupURI: "https://gw.example.com/hangup"}); err != nil {
			t.Fatal(err)
		}
		e.links.enabled[u] = true
	}

	t.Run("failure half way is visible and retryable", func(t *testing.T) {
		// e's helpers report to the parent test: ask the store directly.
		e.sim.FailNext(100, http.StatusInternalServerError)
		_, err := e.svc.Disable(ctx, e.company.ID, "admin@fermax.com")
		if err == nil {
			t.Fatal("disable succeeded while Zoho failed")
		}
		if z, err := e.store.ZohoIntegration(ctx, e.company.ID); err != nil || z.Status != store.ZohoDisabling || z.LastError == "" {
			t.Fatalf("after a failed disable: %+v, %v", z, err)
		}
		if log, err := e.store.AuditLog(ctx, e.company.ID, 1); err != nil || len(log) == 0 || log[0].Action != "zoho.disable_failed" {
			t.Fatalf("audit = %+v, %v", log, err)
		}
		e.sim.FailNext(0, 0)
	})

	res, err := e.svc.Disable(ctx, e.company.ID, "admin@fermax.com")
	if err != nil {
		t.Fatal(err)
	}
	if !res.ZohoNotified || res.UsersSwitchedOff != 2 {
		t.Fatalf("result = %+v", res)
	}
	for _, u := range users[:2] {
		if _, ok := e.org.ClickToDial(u); ok {
			t.Errorf("click-to-dial still registered for %s", u)
		}
		if _, ok := e.org.CallControl(u); ok {
			t.Errorf("call control still registered for %s", u)
		}
		if e.links.enabled[u] {
			t.Errorf("link of %s still recorded as on", u)
		}
		if _, kept := e.links.enabled[u]; !kept {
			t.Errorf("link of %s forgotten", u)
		}
	}
	if e.org.Integrated() {
		t.Error("DELETE integrate was not sent")
	}
	if e.sim.RefreshTokenCount(miguel) != 0 {
		t.Error("the refresh token was not revoked")
	}
	z := e.status()
	if z.Status != store.ZohoDisabled || z.RefreshToken != "" || z.AccessToken != "" {
		t.Fatalf("after disable: %+v", z)
	}
	if a := e.lastAudit(); a.Action != "zoho.disabled" {
		t.Fatalf("audit = %q", a.Action)
	}
	// Disabling a disabled integration is a no-op.
	if _, err := e.svc.Disable(ctx, e.company.ID, "x"); err != nil {
		t.Fatal(err)
	}
}

// TestTokenCachedAtVersion: a delivery made at the company's version
// (PhoneBridgeAt, as the outbox claims rows) uses the access token read at
// that version without reading the integration again; any change of the
// integration bumps the version, and a delivery at the new version sees it:
// a token to refresh is refreshed, a disabled integration sends nothing.
func TestTokenCachedAtVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	e.enable()
	hc := &http.Client{Timeout: 10 * time.Second}
	version := func() int64 {
		t.Helper()
		v, err := e.store.CompanyVersion(ctx, e.company.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	refreshes := func() int {
		n := 0
		for _, r := range e.sim.RequestsTo("/oauth/v2/token") {
			if r.Form.Get("grant_type") == "refresh_token" || r.Query.Get("grant_type") == "refresh_token" {
				n++
			}
		}
		return n
	}
	v1 := version()
	if _, err := e.svc.PhoneBridgeAt(hc, e.company.ID, v1).Users(ctx); err != nil {
		t.Fatal(err)
	}

	// Another instance finds the token about to expire: the row changes.
	if _, err := e.store.Pool().Exec(ctx, `UPDATE zoho_integrations SET access_expires_at = $1 WHERE company_id = $2`,
		e.clock.Now().Add(time.Minute), e.company.ID); err != nil {
		t.Fatal(err)
	}
	v2 := version()
	if v2 == v1 {
		t.Fatal("a change of the integration did not bump the company's version")
	}
	e.sim.ResetRequests()
	if _, err := e.svc.PhoneBridgeAt(hc, e.company.ID, v1).Users(ctx); err != nil {
		t.Fatal(err)
	}
	if n := refreshes(); n != 0 {
		t.Fatalf("%d refreshes at the version the token was cached at, want 0 (the cache was not used)", n)
	}
	if _, err := e.svc.PhoneBridgeAt(hc, e.company.ID, v2).Users(ctx); err != nil {
		t.Fatal(err)
	}
	if n := refreshes(); n != 1 {
		t.Fatalf("%d refreshes at the new version, want 1 (the changed row was not read)", n)
	}

	// Disabled (here by another instance's store): no token at the new version.
	if _, err := e.newService().Disable(ctx, e.company.ID, "admin@fermax.com"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.PhoneBridgeAt(hc, e.company.ID, version()).Users(ctx)
	wantCode(t, err, integration.CodeNotEnabled)
}
