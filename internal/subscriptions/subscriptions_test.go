package subscriptions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fixture is the demo company with an enabled integration, its Centrex a
// simulated XSP, and a manager over it on a clock the test moves.
type fixture struct {
	st      *store.Store
	sim     *xsisim.Sim
	company int64
	now     time.Time
	// public is the gateway's PUBLIC_URL, of the contact URLs
	// ["http://gw.example"].
	public string
	mu     sync.Mutex
	gaps   []int64
}

func newFixture(t *testing.T, opts xsisim.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: testdb.Open(t), sim: xsisim.New(opts), now: time.Now(), public: "http://gw.example"}
	xsisim.SeedDemo(f.sim)
	srv := httptest.NewServer(f.sim)
	t.Cleanup(func() { f.sim.Close(); srv.Close() })
	c, _, err := f.st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	f.company = c.ID
	if err := f.st.SetCentrexConnection(ctx, c.ID, centrex.Connection{BaseURL: srv.URL,
		UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword, GroupID: xsisim.DemoGroup,
		EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoEnabled,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "unused", EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return f
}

// manager returns a manager of instance over f.
func (f *fixture) manager(instance string) *subscriptions.Manager {
	return subscriptions.New(subscriptions.Options{
		Store: f.st,
		PBX: func(ctx context.Context, id int64) (centrex.PBX, error) {
			conn, err := f.st.CentrexConnection(ctx, id)
			if err != nil {
				return nil, err
			}
			return xsi.New(conn.Connection, &http.Client{Timeout: 5 * time.Second}), nil
		},
		ContactURL: func(token string) string { return f.public + "/bridge/centrex/events/" + token },
		Gap: func(id int64) {
			f.mu.Lock()
			f.gaps = append(f.gaps, id)
			f.mu.Unlock()
		},
		Instance: instance,
		Now:      func() time.Time { return f.now },
	})
}

func (f *fixture) gapCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.gaps)
}

// stored is the company's subscription as stored.
func (f *fixture) stored(t *testing.T) store.EventSubscription {
	t.Helper()
	sub, err := f.st.EventSubscriptionOf(context.Background(), f.company)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// requests counts the simulator's requests of method whose path contains part.
func (f *fixture) requests(method, part string) int {
	n := 0
	for _, r := range f.sim.Requests() {
		if r.Method == method && strings.Contains(r.Path, part) {
			n++
		}
	}
	return n
}

// TestSubscribeAsksForADay: the manager asks for a day (the specification's
// advice for server applications), uses what the XSP grants, and reports
// the new subscription as a gap.
func TestSubscribeAsksForADay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	m := f.manager("a")
	m.ManageAll(context.Background())
	sub := f.stored(t)
	live := f.sim.Subscriptions()
	if sub.SubscriptionID == "" || len(live) != 1 || live[0].ID != sub.SubscriptionID || sub.LastError != "" {
		t.Fatalf("stored %+v, simulator %+v", sub, live)
	}
	var body string
	for _, r := range f.sim.Requests() {
		if r.Method == "POST" && strings.Contains(r.Path, "/group/") {
			body = r.Body
		}
	}
	if !strings.Contains(body, "<expires>86400</expires>") {
		t.Errorf("subscribe request %s, want expires 86400", body)
	}
	if got := sub.ExpiresAt.Sub(sub.RenewedAt); got.Round(time.Millisecond) != 24*time.Hour {
		t.Errorf("stored lifetime %s, want the 86400 s granted", got)
	}
	// The contact URL holds the company's event token: the XSP gets it, the
	// stored delivery is only a digest of it.
	if !strings.HasPrefix(live[0].HTTPContact, "http://gw.example/bridge/centrex/events/") {
		t.Errorf("contact %q", live[0].HTTPContact)
	}
	if !strings.HasPrefix(sub.Delivery, "http:") || strings.Contains(sub.Delivery, "gw.example") ||
		strings.Contains(sub.Delivery, strings.TrimPrefix(live[0].HTTPContact, "http://gw.example/bridge/centrex/events/")) {
		t.Errorf("stored delivery %q shows the contact URL", sub.Delivery)
	}
	if f.gapCount() == 0 {
		t.Error("a new subscription was not reported as a gap")
	}
}

// TestNewContactURLSubscribesAgain: the gateway's PUBLIC_URL changed; the
// next round moves the subscription to the new contact URL (only a digest
// of which is stored) and deletes the old one.
func TestNewContactURLSubscribesAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	m := f.manager("a")
	ctx := context.Background()
	m.ManageAll(ctx)
	old := f.stored(t)
	f.public = "https://gw2.example"
	f.now = f.now.Add(15 * time.Second)
	m.ManageAll(ctx)
	sub, live := f.stored(t), f.sim.Subscriptions()
	if sub.SubscriptionID == old.SubscriptionID || sub.Delivery == old.Delivery || len(live) != 1 ||
		live[0].ID != sub.SubscriptionID || !strings.HasPrefix(live[0].HTTPContact, "https://gw2.example/") {
		t.Fatalf("after PUBLIC_URL changed: stored %+v, simulator %+v", sub, live)
	}
	m.ManageAll(ctx)
	if got := f.stored(t).SubscriptionID; got != sub.SubscriptionID {
		t.Fatalf("subscribed again with nothing changed: %s → %s", sub.SubscriptionID, got)
	}
}

// TestForgottenSubscriptionIsReplacedNextRound: the XSP loses the
// subscription without a word; the next round's check finds it gone (403)
// and subscribes again, without waiting for the half-life.
func TestForgottenSubscriptionIsReplacedNextRound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	m := f.manager("a")
	ctx := context.Background()
	m.ManageAll(ctx)
	old := f.stored(t).SubscriptionID
	m.ManageAll(ctx)
	if got := f.stored(t).SubscriptionID; got != old {
		t.Fatalf("a live subscription was replaced: %s → %s", old, got)
	}
	f.sim.ForgetSubscription(old)
	gaps := f.gapCount()
	f.now = f.now.Add(15 * time.Second)
	m.ManageAll(ctx)
	sub := f.stored(t)
	live := f.sim.Subscriptions()
	if sub.SubscriptionID == "" || sub.SubscriptionID == old || len(live) != 1 || live[0].ID != sub.SubscriptionID {
		t.Fatalf("after the XSP forgot it: stored %+v, simulator %+v", sub, live)
	}
	if f.gapCount() == gaps {
		t.Error("the new subscription was not reported as a gap")
	}
}

// TestRefusedRenewalSubscribesAgain: a refresh the XSP refuses with 403
// (the subscription expired while the gateway was down) leads to a new
// subscription, not to an error stored for ever.
func TestRefusedRenewalSubscribesAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	m := f.manager("a")
	ctx := context.Background()
	m.ManageAll(ctx)
	old := f.stored(t).SubscriptionID
	f.sim.ForgetSubscription(old)
	f.now = f.now.Add(13 * time.Hour) // past half-life: a refresh is due
	m.ManageAll(ctx)
	if n := f.requests("PUT", "/subscription/"+old); n != 1 {
		t.Fatalf("%d refreshes of the old subscription", n)
	}
	sub := f.stored(t)
	if sub.SubscriptionID == "" || sub.SubscriptionID == old || sub.LastError != "" || len(f.sim.Subscriptions()) != 1 {
		t.Fatalf("after a refused refresh: %+v", sub)
	}
}

// TestRefreshWithoutExpiresKeepsTheLifetime: an XSP that answers a refresh
// without expires is assumed to have granted the lifetime it granted
// before: the manager does not refresh again at every round.
func TestRefreshWithoutExpiresKeepsTheLifetime(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{RefreshWithoutExpires: true})
	m := f.manager("a")
	ctx := context.Background()
	m.ManageAll(ctx)
	f.now = f.now.Add(13 * time.Hour)
	m.ManageAll(ctx)
	sub := f.stored(t)
	if got := sub.ExpiresAt.Sub(sub.RenewedAt); got.Round(time.Millisecond) != 24*time.Hour || f.now.Sub(sub.RenewedAt).Abs() > time.Millisecond {
		t.Fatalf("after the refresh: renewed %s, lifetime %s; want now and a day", sub.RenewedAt, got)
	}
	for range 4 {
		f.now = f.now.Add(15 * time.Second)
		m.ManageAll(ctx)
	}
	if n := f.requests("PUT", "/subscription/"); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
}

// TestRefusedDeleteDoesNotStick: the integration is disabled and the XSP
// answers the delete with 403 (it had lost the subscription): the gateway
// forgets it rather than trying for ever, and subscribes afresh once the
// integration is back.
func TestRefusedDeleteDoesNotStick(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	m := f.manager("a")
	ctx := context.Background()
	m.ManageAll(ctx)
	old := f.stored(t).SubscriptionID
	f.sim.ForgetSubscription(old)
	if err := f.st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: f.company, Status: store.ZohoDisabled}); err != nil {
		t.Fatal(err)
	}
	m.ManageAll(ctx)
	if sub := f.stored(t); sub.SubscriptionID != "" || sub.LastError != "" {
		t.Fatalf("after a refused delete: %+v", sub)
	}
	m.ManageAll(ctx)
	if n := f.requests("DELETE", "/subscription/"); n != 1 {
		t.Fatalf("%d deletes, want 1", n)
	}
	if err := f.st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: f.company, Status: store.ZohoEnabled,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "unused", EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	m.ManageAll(ctx)
	if sub := f.stored(t); sub.SubscriptionID == "" || sub.SubscriptionID == old || len(f.sim.Subscriptions()) != 1 {
		t.Fatalf("after enabling again: %+v", sub)
	}
}

// TestTakeoverIsAGap: an instance that takes a company over (its holder
// stopped and released it) reports a gap, since events may have been lost
// meanwhile, and keeps the subscription.
func TestTakeoverIsAGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, xsisim.Options{})
	ctx := context.Background()
	a, b := f.manager("a"), f.manager("b")
	a.ManageAll(ctx)
	b.ManageAll(ctx) // a holds the lease: b skips the company
	gaps := f.gapCount()
	old := f.stored(t).SubscriptionID
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	b.ManageAll(ctx)
	if f.gapCount() != gaps+1 {
		t.Fatalf("gaps %d → %d, want one for the takeover", gaps, f.gapCount())
	}
	if got := f.stored(t).SubscriptionID; got != old {
		t.Fatalf("the takeover replaced a live subscription: %s → %s", old, got)
	}
}
