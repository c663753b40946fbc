package calls_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/cachelease"
	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// cluster is one database with a company of several linked seats, and
// several gateway instances (a store, a cache lease on a store of its own,
// and a Service each) on it.
type cluster struct {
	company   int64
	leases    []*cachelease.Lease
	seats     []string
	links     []store.Link
	stores    []*store.Store
	instances []*calls.Service
	metrics   []*metrics.Metrics
	pbxCalls  []int       // per instance: how many times its PBX func was asked
	pbx       centrex.PBX // what the PBX funcs return; a fresh fakePBX when nil
	mu        sync.Mutex
}

func newCluster(t testing.TB, instances, seats int) *cluster {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t)
	c := &cluster{pbxCalls: make([]int, instances)}
	for i := range instances {
		st := testdb.Connect(t, url, testdb.Box(t))
		c.stores = append(c.stores, st)
		m := metrics.New(buildinfo.Info{})
		c.metrics = append(c.metrics, m)
		lease := runLease(t, testdb.Connect(t, url, nil))
		c.leases = append(c.leases, lease)
		c.instances = append(c.instances, calls.New(calls.Options{
			Store: st,
			Lease: lease,
			PBX: func(context.Context, int64) (centrex.PBX, error) {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.pbxCalls[i]++
				if c.pbx != nil {
					return c.pbx, nil
				}
				return &fakePBX{}, nil
			},
			Settings: callflow.DefaultSettings(),
			Metrics:  m,
		}))
	}
	st := c.stores[0]
	co, _, err := st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	c.company = co.ID
	var list []centrex.Seat
	for i := range seats {
		list = append(list, centrex.Seat{UserID: fmt.Sprintf("9100000%02d@conecta.orange.es", i), Number: fmt.Sprintf("9100000%02d", i)})
	}
	if _, err := st.SyncSeats(ctx, co.ID, list, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	for i, s := range list {
		seat, err := st.SeatByUserID(ctx, co.ID, s.UserID)
		if err != nil {
			t.Fatal(err)
		}
		l, _, err := st.CreateLink(ctx, co.ID, seat.ID, store.ZohoUser{ID: fmt.Sprintf("77%02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if l, err = st.SetLinkEnabled(ctx, co.ID, l.ID, true); err != nil {
			t.Fatal(err)
		}
		c.seats = append(c.seats, s.UserID)
		c.links = append(c.links, l)
	}
	return c
}

// runLease runs a cache lease on st until tb ends, and waits until it
// trusts.
func runLease(tb testing.TB, st *store.Store) *cachelease.Lease {
	tb.Helper()
	l := cachelease.New(cachelease.Options{Store: st})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(30 * time.Second)
	for !l.Trusted() {
		if time.Now().After(deadline) {
			tb.Fatal("the cache lease never trusted")
		}
		time.Sleep(time.Millisecond)
	}
	return l
}

// callEvent is event kind of the seat's call callID, id eventID.
func callEvent(seat, eventID, callID string, kind centrex.EventKind) centrex.Event {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ev := centrex.Event{ID: eventID, TargetID: seat, Kind: kind, Type: string(kind) + "Event",
		Call: &centrex.Call{ID: callID, Personality: centrex.PersonalityTerminator, State: centrex.StateAlerting,
			Remote: centrex.RemoteParty{Address: "tel:+34612345678"}, StartTime: at}}
	switch kind {
	case centrex.EventCallAnswered:
		ev.Call.State, ev.Call.AnswerTime = centrex.StateActive, at.Add(time.Second)
	case centrex.EventCallReleased:
		ev.Call.State, ev.Call.AnswerTime, ev.Call.ReleaseTime = centrex.StateReleased, at.Add(time.Second), at.Add(time.Minute)
	}
	return ev
}

// states returns each call's queued notification states in sequence
// order, by call key, and fails on a gap or a repeated sequence number.
func (c *cluster) states(t *testing.T) map[string][]string {
	t.Helper()
	rows, err := c.stores[0].RecentOutbox(context.Background(), c.company, 100000)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b store.OutboxRow) int {
		if a.CallKey != b.CallKey {
			return map[bool]int{true: -1, false: 1}[a.CallKey < b.CallKey]
		}
		return a.Seq - b.Seq
	})
	out := map[string][]string{}
	for _, r := range rows {
		if r.Seq != len(out[r.CallKey])+1 {
			t.Fatalf("call %s: seq %d after %d rows", r.CallKey, r.Seq, len(out[r.CallKey]))
		}
		var p struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out[r.CallKey] = append(out[r.CallKey], p.State)
	}
	return out
}

// TestConcurrentEventsOnSeveralInstances sends the events of many calls at
// once, each event of a call only after the one before was acknowledged,
// alternately to two instances on one database, and each event twice (the
// redelivery to the other instance, concurrently): every call gets each of
// its notifications exactly once, in order.
func TestConcurrentEventsOnSeveralInstances(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, 4)
	const callsPerSeat = 6
	kinds := []centrex.EventKind{centrex.EventCallReceived, centrex.EventCallAnswered, centrex.EventCallReleased}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for s, seat := range c.seats {
		for n := range callsPerSeat {
			wg.Go(func() {
				callID := fmt.Sprintf("callhalf-%d-%d", s, n)
				for k, kind := range kinds {
					ev := callEvent(seat, fmt.Sprintf("ev-%d-%d-%d", s, n, k), callID, kind)
					var both sync.WaitGroup
					for i := range 2 {
						both.Go(func() {
							if err := c.instances[(k+i)%2].ApplyEvent(context.Background(), c.company, ev); err != nil {
								errs <- err
							}
						})
					}
					both.Wait()
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := c.states(t)
	if len(got) != len(c.seats)*callsPerSeat {
		t.Fatalf("%d calls notified, want %d", len(got), len(c.seats)*callsPerSeat)
	}
	for key, states := range got {
		if !slices.Equal(states, []string{zoho.StateRinging, zoho.StateAnswered, zoho.StateEnded}) {
			t.Errorf("call %s: %v, want ringing, answered, ended once each", key, states)
		}
	}
	var groups, events float64
	for _, m := range c.metrics {
		fam := metricstest.Gather(t, m.Gatherer())
		groups += fam.Value("gateway_event_group_events", nil)
		events += fam.Sum("gateway_event_group_events", nil)
	}
	t.Logf("%.0f events in %.0f groups", events, groups)
	if events != float64(2*len(kinds)*len(c.seats)*callsPerSeat) {
		t.Errorf("%.0f events committed, want every request's", events)
	}
}

// execSQL runs each statement on st (a trigger or function a test adds).
func execSQL(t *testing.T, st *store.Store, sqls ...string) {
	t.Helper()
	for _, sql := range sqls {
		if _, err := st.Pool().Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
}

// atCommitOf makes the commit of any transaction that marks the event
// eventID run the PL/pgSQL statement do (a deferred constraint trigger
// named name): a commit that waits or fails.
func atCommitOf(t *testing.T, st *store.Store, eventID, name, do string) {
	t.Helper()
	execSQL(t, st,
		`CREATE FUNCTION `+name+`() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN IF NEW.event_id = '`+eventID+`' THEN `+do+`; END IF; RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER `+name+` AFTER INSERT ON centrex_events DEFERRABLE INITIALLY DEFERRED
		 FOR EACH ROW EXECUTE FUNCTION `+name+`()`)
}

// holdEvents locks centrex_events against inserts until the returned
// function is called: a group that reaches its first statement waits.
func holdEvents(t *testing.T, st *store.Store) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE centrex_events IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	t.Cleanup(release)
	return release
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

// groupOf applies the events concurrently on svc behind a group that is
// held (so that they all queue and become one group), and returns each
// one's result once the hold is released; before that, it checks that no
// event was answered.
func groupOf(t *testing.T, st *store.Store, svc *calls.Service, company int64, evs []centrex.Event) []error {
	t.Helper()
	release := holdEvents(t, st)
	first := make(chan error, 1)
	go func() {
		first <- svc.ApplyEvent(context.Background(), company, callEvent(evs[0].TargetID, "ev-first", "callhalf-first", centrex.EventCallReceived))
	}()
	waitFor(t, "the first group to start", func() bool { return svc.Grouping() && svc.Queued() == 0 })
	results := make([]chan error, len(evs))
	for i, ev := range evs {
		results[i] = make(chan error, 1)
		go func() { results[i] <- svc.ApplyEvent(context.Background(), company, ev) }()
	}
	waitFor(t, "every event to queue", func() bool { return svc.Queued() == len(evs) })
	for i := range results {
		if len(results[i]) != 0 {
			t.Fatalf("event %d answered before its group committed", i)
		}
	}
	if len(first) != 0 {
		t.Fatal("the held group answered before it committed")
	}
	release()
	if err := <-first; err != nil {
		t.Fatalf("the first group: %v", err)
	}
	out := make([]error, len(evs))
	for i := range results {
		out[i] = <-results[i]
	}
	return out
}

// TestNextGroupRunsWhileTheOneBeforeCommits: a group held at its commit
// (a deferred trigger waits for a lock the test holds) does not hold back
// the next group: an event of another call is applied and answered
// meanwhile, while a later event of the held group's call waits and is
// applied after it, in order, once the commit is let go.
func TestNextGroupRunsWhileTheOneBeforeCommits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 1, 2)
	st, svc := c.stores[0], c.instances[0]
	atCommitOf(t, st, "slow", "hold_commit", `PERFORM pg_advisory_xact_lock(4242)`)
	holder, err := st.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if _, err := holder.Exec(ctx, `SELECT pg_advisory_unlock(4242)`); err != nil {
				t.Error(err)
			}
		}
	}
	defer release()
	waiting := func(locktype string) func() bool {
		return func() bool {
			var n int
			err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
				WHERE NOT l.granted AND l.locktype = $1 AND a.datname = current_database()`, locktype).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n > 0
		}
	}
	apply := func(ev centrex.Event) chan error {
		done := make(chan error, 1)
		go func() { done <- svc.ApplyEvent(ctx, c.company, ev) }()
		return done
	}

	held := apply(callEvent(c.seats[0], "slow", "callhalf-x", centrex.EventCallReceived))
	waitFor(t, "the first group to wait at its commit", waiting("advisory"))
	other := apply(callEvent(c.seats[1], "ev-y", "callhalf-y", centrex.EventCallReceived))
	waitFor(t, "the other call's event answered while the first group commits", func() bool { return len(other) == 1 })
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	same := apply(callEvent(c.seats[0], "ev-x2", "callhalf-x", centrex.EventCallAnswered))
	// It waits in the queue (two groups are under way already) or, in a
	// group, for the row the held group changed, locked until it ends.
	rowWait := waiting("transactionid")
	waitFor(t, "the held call's next event to wait", func() bool { return svc.Queued() == 1 || rowWait() })
	if len(held) != 0 || len(same) != 0 {
		t.Fatal("an event of the held call answered before the held group committed")
	}
	release()
	for _, ch := range []chan error{held, same} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	got := c.states(t)
	if len(got) != 2 {
		t.Fatalf("notifications %v, want two calls'", got)
	}
	for key, states := range got {
		want := []string{zoho.StateRinging}
		if len(states) > 1 {
			want = []string{zoho.StateRinging, zoho.StateAnswered}
		}
		if !slices.Equal(states, want) {
			t.Errorf("call %s: %v, want %v", key, states, want)
		}
	}
}

func TestGroupFailsWholeWhenItsCommitFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 1, 3)
	st, svc := c.stores[0], c.instances[0]
	// A deferred constraint trigger fails the commit of any transaction
	// that marked the event "boom".
	atCommitOf(t, st, "boom", "fail_boom", `RAISE EXCEPTION 'commit refused'`)
	var evs []centrex.Event
	for i, seat := range c.seats {
		evs = append(evs, callEvent(seat, fmt.Sprintf("ev-%d", i), fmt.Sprintf("callhalf-%d", i), centrex.EventCallReceived))
	}
	evs = append(evs, callEvent(c.seats[0], "boom", "callhalf-boom", centrex.EventCallReceived))
	for i, err := range groupOf(t, st, svc, c.company, evs) {
		if err == nil {
			t.Errorf("event %d acknowledged though its group's commit failed", i)
		}
	}
	if got := c.states(t); len(got) != 1 {
		t.Fatalf("after a failed commit: %v, want only the first group's call", got)
	}
	// Redelivered without the bad one, they are applied: nothing of them
	// was kept (not even their ids).
	for _, ev := range evs[:len(evs)-1] {
		if err := svc.ApplyEvent(ctx, c.company, ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.states(t); len(got) != 1+len(c.seats) {
		t.Fatalf("after redelivery: %v", got)
	}
}

func TestGroupLeavesOutTheEventThatFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 1, 3)
	st, svc := c.stores[0], c.instances[0]
	execSQL(t, st,
		`CREATE FUNCTION fail_bad() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN IF EXISTS (SELECT 1 FROM calls WHERE id = NEW.call_id AND xsi_call_id = 'callhalf-bad') THEN
		   RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER fail_bad BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_bad()`,
	)
	var evs []centrex.Event
	for i, seat := range c.seats {
		evs = append(evs, callEvent(seat, fmt.Sprintf("ev-%d", i), fmt.Sprintf("callhalf-%d", i), centrex.EventCallReceived))
		if i == 1 {
			evs = append(evs, callEvent(seat, "ev-bad", "callhalf-bad", centrex.EventCallReceived))
		}
	}
	// The same call's next event in the same group, after the one that
	// fails: it applies on the state its predecessor committed.
	evs = append(evs, callEvent(c.seats[0], "ev-0b", "callhalf-0", centrex.EventCallAnswered))
	results := groupOf(t, st, svc, c.company, evs)
	for i, err := range results {
		if bad := evs[i].ID == "ev-bad"; (err != nil) != bad {
			t.Errorf("event %s: %v", evs[i].ID, err)
		}
	}
	// The operator sees it: the set failed, the group ran item by item,
	// the event was left out, the group committed.
	fam := metricstest.Gather(t, c.metrics[0].Gatherer())
	for cause, want := range map[string]float64{metrics.RerunItemByItem: 1, metrics.RerunLeftOut: 1, metrics.RerunRetryable: 0} {
		if got := fam.Value("gateway_event_group_reruns_total", map[string]string{"cause": cause}); got != want {
			t.Errorf("reruns %s: %v, want %v", cause, got, want)
		}
	}
	if got := fam.Value("gateway_event_group_events", nil); got < 1 {
		t.Errorf("%v event groups committed", got)
	}
	got := c.states(t)
	if len(got) != 1+len(c.seats) {
		t.Fatalf("calls notified: %v", got)
	}
	var answered int
	for _, states := range got {
		if slices.Equal(states, []string{zoho.StateRinging, zoho.StateAnswered}) {
			answered++
		}
	}
	if answered != 1 {
		t.Fatalf("calls notified: %v, want seat 0's ringing then answered", got)
	}
	// The failed event's id was not kept: once the fault is gone, its
	// redelivery is applied.
	if _, err := st.Pool().Exec(ctx, `DROP TRIGGER fail_bad ON outbox`); err != nil {
		t.Fatal(err)
	}
	if err := svc.ApplyEvent(ctx, c.company, evs[2]); err != nil {
		t.Fatal(err)
	}
	if got := c.states(t); len(got) != 2+len(c.seats) {
		t.Fatalf("after the redelivery: %v", got)
	}
}

// TestCachedStateChangesAtOnceOnEveryInstance: instance 0 has the link,
// token and Centrex client cached; a change made through instance 1 counts
// on instance 0's very next request.
func TestCachedStateChangesAtOnceOnEveryInstance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 2, 2)
	a, b := c.instances[0], c.stores[1]
	seat, link := c.seats[0], c.links[0]
	n := 0
	event := func() centrex.Event {
		n++
		return callEvent(seat, fmt.Sprintf("ev-%d", n), fmt.Sprintf("callhalf-%d", n), centrex.EventCallReceived)
	}
	nCalls := func() int { return len(c.states(t)) }
	if err := a.ApplyEvent(ctx, c.company, event()); err != nil || nCalls() != 1 {
		t.Fatalf("first event: %v, %d calls", err, nCalls())
	}
	// Switched off elsewhere: ignored here at once.
	if _, err := b.SetLinkEnabled(ctx, c.company, link.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := a.ApplyEvent(ctx, c.company, event()); err != nil || nCalls() != 1 {
		t.Fatalf("event of a link switched off elsewhere: %v, %d calls", err, nCalls())
	}
	// And on again.
	if _, err := b.SetLinkEnabled(ctx, c.company, link.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := a.ApplyEvent(ctx, c.company, event()); err != nil || nCalls() != 2 {
		t.Fatalf("event of a link switched on elsewhere: %v, %d calls", err, nCalls())
	}
	// Unlinked elsewhere.
	if _, err := b.DeleteLink(ctx, c.company, link.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.ApplyEvent(ctx, c.company, event()); err != nil || nCalls() != 2 {
		t.Fatalf("event of a seat unlinked elsewhere: %v, %d calls", err, nCalls())
	}

	// Click-to-dial: the other link, with its cached Centrex client.
	other := c.links[1]
	secret, err := b.RotateLinkSecret(ctx, c.company, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		l, err := a.Authenticate(ctx, c.company, other.ID, secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Dial(ctx, l, "600 123 456"); err != nil {
			t.Fatal(err)
		}
	}
	if c.pbxCalls[0] != 1 {
		t.Fatalf("the Centrex client was asked %d times for two dials, want once (cached)", c.pbxCalls[0])
	}
	if err := b.SetCentrexConnection(ctx, c.company, centrex.Connection{BaseURL: "https://xsp2.example.com", UserID: "u", Password: "p", GroupID: "g", EnterpriseID: "e", IsEnterprise: true, DirectoryUserID: "d"}); err != nil {
		t.Fatal(err)
	}
	l, err := a.Authenticate(ctx, c.company, other.ID, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Dial(ctx, l, "600 123 456"); err != nil {
		t.Fatal(err)
	}
	if c.pbxCalls[0] != 2 {
		t.Fatalf("after the credential changed elsewhere the client was asked %d times in all, want 2", c.pbxCalls[0])
	}
	// A new secret elsewhere: the old one stops at once.
	if _, err := b.RotateLinkSecret(ctx, c.company, other.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, c.company, other.ID, secret); !errors.Is(err, calls.ErrForbidden) {
		t.Fatalf("old secret after a rotation elsewhere: %v", err)
	}
	if _, err := b.SetLinkEnabled(ctx, c.company, other.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, c.company, other.ID, secret); !errors.Is(err, calls.ErrForbidden) {
		t.Fatalf("link switched off elsewhere: %v", err)
	}
}

// While the lease holds, a click-to-dial is answered from the cache with
// no statement at all: it still works with the instance's connection pool
// closed. The store of its lease stays open.
func TestClickToDialReadsNothingUnderTheLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 1, 1)
	a, link := c.instances[0], c.links[0]
	secret, err := c.stores[0].RotateLinkSecret(ctx, c.company, link.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, c.company, link.ID, secret); err != nil {
		t.Fatal(err)
	}
	c.stores[0].Close()
	for range 3 {
		if _, err := a.Authenticate(ctx, c.company, link.ID, secret); err != nil {
			t.Fatalf("click-to-dial under the lease, with the pool closed: %v", err)
		}
	}
	if _, err := a.Authenticate(ctx, c.company, link.ID, "wrong"); !errors.Is(err, calls.ErrForbidden) {
		t.Fatalf("wrong secret from the cache: %v", err)
	}
}

func TestReplacedEventTokenIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t, 2, 1)
	a, b := c.instances[0], c.stores[1]
	token, err := c.stores[0].EventToken(ctx, c.company)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := a.CompanyByEventToken(ctx, token); err != nil || id != c.company {
		t.Fatalf("token: %d, %v", id, err)
	}
	if err := a.ApplyContactEvent(ctx, token, callEvent(c.seats[0], "ev-1", "callhalf-1", centrex.EventCallReceived)); err != nil {
		t.Fatal(err)
	}
	// Another instance replaces the token (as re-creating the company's
	// subscription row would).
	if _, err := b.Pool().Exec(ctx, `DELETE FROM centrex_subscriptions WHERE company_id = $1`, c.company); err != nil {
		t.Fatal(err)
	}
	fresh, err := b.EventToken(ctx, c.company)
	if err != nil || fresh == token {
		t.Fatalf("new token: %v", err)
	}
	if err := a.ApplyContactEvent(ctx, token, callEvent(c.seats[0], "ev-2", "callhalf-2", centrex.EventCallReceived)); !errors.Is(err, calls.ErrUnknownToken) {
		t.Fatalf("event with the replaced token: %v", err)
	}
	if _, err := a.CompanyByEventToken(ctx, token); !errors.Is(err, calls.ErrUnknownToken) {
		t.Fatalf("replaced token looked up: %v", err)
	}
	if err := a.ApplyContactEvent(ctx, fresh, callEvent(c.seats[0], "ev-3", "callhalf-3", centrex.EventCallReceived)); err != nil {
		t.Fatal(err)
	}
	if got := c.states(t); len(got) != 2 {
		t.Fatalf("calls: %v, want the first and the third", got)
	}
}

// TestDialRecordIsWrittenBeforeStopping: with RunDialRecords running, a
// click-to-dial's call row is written after Dial returns, and RunDialRecords
// returns only once it is.
func TestDialRecordIsWrittenBeforeStopping(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.svc.RunDialRecords(run) }()
	waitFor(t, "the recorder to run", func() bool { return f.svc.DialRecordsRunning() })
	if err := f.svc.Dial(ctx, f.link, "600 123 456"); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var origin string
	if err := f.st.Pool().QueryRow(ctx, `SELECT origin FROM calls WHERE company_id = $1 AND xsi_call_id = 'callhalf-dialed'`,
		f.company).Scan(&origin); err != nil || origin != store.CallOriginClickToDial {
		t.Fatalf("dialed call row: %q, %v", origin, err)
	}
}
