package cachelease_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/cachelease"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// clock is a time.Now that a test can move forward.
type clock struct{ ahead atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// start runs a lease on its own store over url until the test ends, and
// waits until it trusts.
func start(t *testing.T, url string, o cachelease.Options) *cachelease.Lease {
	t.Helper()
	if o.Store == nil {
		o.Store = testdb.Connect(t, url, testdb.Box(t))
	}
	l := cachelease.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor(t, "the lease to trust", func() bool { return l.Trusted() })
	return l
}

// waitFor polls cond (a hang guard, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// company creates a company and returns its id.
func company(t *testing.T, st *store.Store, name string) int64 {
	t.Helper()
	co, _, err := st.CreateCompany(context.Background(), name, "admin@"+name+".example", "hash")
	if err != nil {
		t.Fatal(err)
	}
	return co.ID
}

// change gives the company a new Centrex credential (which bumps its
// version, and fences).
func change(t *testing.T, st *store.Store, companyID int64, password string) {
	t.Helper()
	err := st.SetCentrexConnection(context.Background(), companyID, centrex.Connection{BaseURL: "https://xsp.example.com",
		UserID: "u", Password: password, GroupID: "g", EnterpriseID: "e", IsEnterprise: true, DirectoryUserID: "d"})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot is what an instance cached: a company's version under an epoch.
type snapshot struct {
	version int64
	epoch   uint64
}

func read(t *testing.T, st *store.Store, l *cachelease.Lease, companyID int64) snapshot {
	t.Helper()
	epoch := l.Epoch()
	v, err := st.CompanyVersion(context.Background(), companyID)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{v, epoch}
}

// After a change returns (it fences), no instance vouches for what it read
// before it, while many changes are made at once from several instances;
// what is read after them all is vouched for again.
func TestFencedChangeCountsAtOnceOnEveryInstance(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	st := testdb.Connect(t, url, testdb.Box(t))
	co, other := company(t, st, "fermax"), company(t, st, "acme")
	leases := []*cachelease.Lease{start(t, url, cachelease.Options{}), start(t, url, cachelease.Options{}), start(t, url, cachelease.Options{})}
	before := make([]snapshot, len(leases))
	for i, l := range leases {
		before[i] = read(t, st, l, co)
		if !l.Fresh(co, before[i].version, before[i].epoch) {
			t.Fatalf("instance %d does not vouch for what it just read", i)
		}
	}
	otherBefore := read(t, st, leases[0], other)

	writers := make([]*store.Store, 3)
	for i := range writers {
		writers[i] = testdb.Connect(t, url, testdb.Box(t))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 24)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			change(t, writers[i%len(writers)], co, fmt.Sprintf("p%d", i))
			for j, l := range leases {
				if l.Fresh(co, before[j].version, before[j].epoch) {
					errs <- fmt.Sprintf("change %d returned while instance %d still vouches for version %d", i, j, before[j].version)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if !leases[0].Fresh(other, otherBefore.version, otherBefore.epoch) {
		t.Error("another company's cache was dropped by changes it had no part in")
	}
	for i, l := range leases {
		after := read(t, st, l, co)
		if after.version < before[i].version+24 {
			t.Fatalf("version %d after 24 changes from %d", after.version, before[i].version)
		}
		if !l.Fresh(co, after.version, after.epoch) {
			t.Errorf("instance %d does not vouch for the version read after the changes", i)
		}
	}
}

// An instance that holds a lease but answers no barrier (a process frozen
// or cut off) is waited for until its lease lapses, no longer.
func TestFenceWaitsForASilentInstanceUntilItsLeaseLapses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	st := testdb.Connect(t, url, testdb.Box(t))
	co := company(t, st, "fermax")
	live := start(t, url, cachelease.Options{})
	before := read(t, st, live, co)
	var silent int64
	err := st.Pool().QueryRow(ctx, `INSERT INTO cache_instances (lease_until) VALUES (now() + interval '1500 milliseconds') RETURNING id`).Scan(&silent)
	if err != nil {
		t.Fatal(err)
	}
	change(t, st, co, "new")
	var lapsed bool
	if err := st.Pool().QueryRow(ctx, `SELECT lease_until <= now() FROM cache_instances WHERE id = $1`, silent).Scan(&lapsed); err != nil {
		t.Fatal(err)
	}
	if !lapsed {
		t.Error("the change returned while a silent instance still held its lease")
	}
	if live.Fresh(co, before.version, before.epoch) {
		t.Error("the live instance still vouches for the version before the change")
	}
}

// Without renewal the instance stops trusting before the database lets
// its lease lapse: the clock moved a whole lease ahead, nothing is fresh.
func TestTrustEndsWithTheLease(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	var c clock
	l := start(t, url, cachelease.Options{Now: c.Now, RenewEvery: time.Hour})
	c.Advance(store.CacheLease - time.Second)
	if l.Trusted() {
		t.Fatal("still trusted a lease minus the margin after the last ack")
	}
}

// The LISTEN connection killed: trust ends with it (what was read under it
// is read again), a change made meanwhile still fences, and the lease comes
// back on a new connection.
func TestListenConnectionKilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	st := testdb.Connect(t, url, testdb.Box(t))
	co := company(t, st, "fermax")
	l := start(t, url, cachelease.Options{})
	before := read(t, st, l, co)
	var killed int
	err := st.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
		cachelease.ApplicationName).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d LISTEN connections (%v), want 1", killed, err)
	}
	change(t, st, co, "new")
	if l.Fresh(co, before.version, before.epoch) {
		t.Fatal("vouches for what was read before a change made while its connection was down")
	}
	waitFor(t, "the lease back", func() bool { return l.Trusted() })
	if l.Epoch() == before.epoch {
		t.Error("the lease came back in the same epoch: what was read before the gap would be trusted")
	}
	if l.Fresh(co, before.version, before.epoch) {
		t.Error("vouches for what was read before the gap")
	}
}

// A notification the lease cannot read ends its epoch: it cannot tell what
// changed, so everything is read again.
func TestUnreadableNotificationEndsTheEpoch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	st := testdb.Connect(t, url, testdb.Box(t))
	co := company(t, st, "fermax")
	l := start(t, url, cachelease.Options{})
	before := read(t, st, l, co)
	if _, err := st.Pool().Exec(ctx, `SELECT pg_notify('company_versions', 'nonsense')`); err != nil {
		t.Fatal(err)
	}
	st.FenceCaches(ctx)
	if l.Fresh(co, before.version, before.epoch) {
		t.Fatal("vouches for its cache after a notification it could not read")
	}
}

// A lease given up removes its row: writers do not wait for it.
func TestStoppedLeaseLeavesNoRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.Open(t)
	l := cachelease.New(cachelease.Options{Store: st})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Run(runCtx) }()
	waitFor(t, "the lease to trust", func() bool { return l.Trusted() })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l.Trusted() {
		t.Error("trusted after Run returned")
	}
	var n int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM cache_instances`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d instance rows left after the lease stopped", n)
	}
}
