package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// zohoFake is a PhoneBridge that records what it was sent and answers what
// answer says (nil: accepted).
type zohoFake struct {
	mu     sync.Mutex
	got    []string // "call-id state" or "dialerror code message"
	answer func(n zoho.CallNotify) error
}

func (z *zohoFake) CallNotify(ctx context.Context, n zoho.CallNotify) error {
	z.mu.Lock()
	answer := z.answer
	z.mu.Unlock()
	var err error
	if answer != nil {
		err = answer(n)
	}
	if err == nil {
		z.mu.Lock()
		z.got = append(z.got, n.ID+" "+n.State)
		z.mu.Unlock()
	}
	return err
}

func (z *zohoFake) ClickToDialError(ctx context.Context, e zoho.ClickToDialError) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.got = append(z.got, "dialerror "+e.Code+" "+e.Message)
	return nil
}

func (z *zohoFake) received() []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.got)
}

// fixture is one company on a fresh database and a fake Zoho.
type fixture struct {
	st      *store.Store
	company int64
	zoho    *zohoFake
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, testdb.Open(t))
}

// newFixtureOn is newFixture on the store st.
func newFixtureOn(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, zoho: &zohoFake{}}
	c, _, err := f.st.CreateCompany(context.Background(), "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	f.company = c.ID
	return f
}

// enqueue queues states of the call callID, in order.
func (f *fixture) enqueue(t *testing.T, callID string, states ...string) {
	t.Helper()
	var items []store.OutboxItem
	for _, st := range states {
		it, err := outbox.Item(callflow.Notification{Endpoint: callflow.EndpointCallNotify, Type: zoho.CallReceived,
			State: st, ID: callID, From: "+34612345678", To: "+34910726329", StartTime: time.Now()}, "")
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	err := f.st.InCallTx(context.Background(), f.company, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, callID, items)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// worker returns a Worker on f's store and fake Zoho, logging into t's
// output (shown when t fails); o tunes it. It is not running.
func (f *fixture) worker(t *testing.T, o outbox.Options) *outbox.Worker {
	o.Store = f.st
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	o.Clients = func(int64, int64) outbox.PhoneBridge { return f.zoho }
	return outbox.New(o)
}

// run runs w until the test ends, and checks Run returned nil.
func run(t *testing.T, w *outbox.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// eventually polls cond for up to ten seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rows returns the company's outbox rows, oldest first.
func (f *fixture) rows(t *testing.T) []store.OutboxRow {
	t.Helper()
	rows, err := f.st.RecentOutbox(context.Background(), f.company, 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(rows)
	return rows
}

// TestDeliversEachCallInOrder: rows of one call arrive in their order,
// whatever the pool's size and the claim's batch.
func TestDeliversEachCallInOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 10 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing", "answered", "ended")
	}
	run(t, f.worker(t, outbox.Options{InFlight: 5, Batch: 2, Poll: 10 * time.Millisecond}))
	// Zoho has the last notification a moment before its outcome is
	// recorded: wait for both.
	eventually(t, "30 notifications, recorded", func() bool { return len(f.zoho.received()) == 30 && f.settled(t) })
	per := map[string][]string{}
	for _, g := range f.zoho.received() {
		var id, st string
		fmt.Sscan(g, &id, &st)
		per[id] = append(per[id], st)
	}
	for id, states := range per {
		if !slices.Equal(states, []string{"ringing", "answered", "ended"}) {
			t.Errorf("call %s got %v", id, states)
		}
	}
	if len(per) != 10 {
		t.Fatalf("%d calls notified, want 10", len(per))
	}
	for _, r := range f.rows(t) {
		if r.Status != store.OutboxDelivered || r.Attempts != 1 || r.DeliveredAt.IsZero() {
			t.Fatalf("row %+v, want delivered at the first attempt", r)
		}
	}
}

// settled reports whether every row is delivered and none is leased: the
// worker has recorded its last outcome and goes idle.
func (f *fixture) settled(t *testing.T) bool {
	for _, r := range f.rows(t) {
		if r.Status != store.OutboxDelivered {
			return false
		}
	}
	return true
}

// TestKickWakesAnIdleWorker: with a poll of an hour, a row written after
// the worker went idle is delivered because Kick wakes it, each time.
func TestKickWakesAnIdleWorker(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.worker(t, outbox.Options{Poll: time.Hour})
	run(t, w)
	for i := range 5 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing")
		w.Kick()
		eventually(t, "the kicked delivery", func() bool { return len(f.zoho.received()) == i+1 && f.settled(t) })
	}
}

// TestListenWakesForAnotherInstance: with a poll of an hour and no Kick,
// rows written by another instance are delivered through LISTEN/NOTIFY.
func TestListenWakesForAnotherInstance(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run(t, f.worker(t, outbox.Options{Poll: time.Hour, Listen: true}))
	// A row written before the LISTEN connection is up is caught by the
	// round the worker runs once it is.
	for i := range 5 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing")
		eventually(t, "the notified delivery", func() bool { return len(f.zoho.received()) == i+1 && f.settled(t) })
	}
}

// TestRetriesThenDelivers: Zoho fails with 503 twice; the row is retried
// after a backoff and delivered, its attempts counted, its last error kept
// until it is delivered.
func TestRetriesThenDelivers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	failures := 2
	var mu sync.Mutex
	f.zoho.answer = func(zoho.CallNotify) error {
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 {
			failures--
			return &zoho.Error{Op: "callnotify", Status: 503, Code: "INTERNAL_ERROR"}
		}
		return nil
	}
	f.enqueue(t, "call01", "ringing", "ended")
	run(t, f.worker(t, outbox.Options{Poll: 5 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
	eventually(t, "both notifications", func() bool { return len(f.zoho.received()) == 2 })
	if got := f.zoho.received(); !slices.Equal(got, []string{"call01 ringing", "call01 ended"}) {
		t.Fatalf("Zoho got %v", got)
	}
	rows := f.rows(t)
	if rows[0].Attempts != 3 || rows[0].Status != store.OutboxDelivered || rows[0].LastError != "" || rows[1].Attempts != 1 {
		t.Fatalf("rows %+v", rows)
	}
}

// TestParksRefusalsAndRetryPutsThemBack: a 4xx is not retried: the row is
// parked with its error, and it does not hold back the rest of its call (the
// call's end still reaches Zoho). A parked row Zoho has a later state for
// cannot be retried; one with nothing delivered after it is put back by
// Retry and delivered.
func TestParksRefusalsAndRetryPutsThemBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var refuse sync.Mutex
	refused := map[string]bool{"call01 ringing": true, "call02 ringing": true}
	f.zoho.answer = func(n zoho.CallNotify) error {
		refuse.Lock()
		defer refuse.Unlock()
		if refused[n.ID+" "+n.State] {
			return &zoho.Error{Op: "callnotify", Status: 400, Code: "INVALID_DATA", Message: "bad from"}
		}
		return nil
	}
	f.enqueue(t, "call01", "ringing", "ended")
	w := f.worker(t, outbox.Options{Poll: 5 * time.Millisecond, MaxAttempts: 10})
	run(t, w)
	// Zoho has the end a moment before its outcome is recorded: wait for both.
	eventually(t, "the call's end past its parked ringing", func() bool {
		return len(f.zoho.received()) == 1 && f.rows(t)[1].Status == store.OutboxDelivered
	})
	if got := f.zoho.received(); !slices.Equal(got, []string{"call01 ended"}) {
		t.Fatalf("Zoho got %v", got)
	}
	rows := f.rows(t)
	if rows[0].Status != store.OutboxParked || rows[0].Attempts != 1 || rows[0].LastError == "" ||
		rows[1].Status != store.OutboxDelivered || rows[1].Attempts != 1 {
		t.Fatalf("after a refusal: %+v", rows)
	}
	if err := w.Retry(ctx, f.company+1, rows[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry for another company: %v", err)
	}
	if err := w.Retry(ctx, f.company, rows[0].ID); !errors.Is(err, store.ErrSuperseded) {
		t.Fatalf("retry of a ringing Zoho has the end of: %v, want ErrSuperseded", err)
	}

	f.enqueue(t, "call02", "ringing")
	eventually(t, "call02 parked", func() bool { r := f.rows(t); return len(r) == 3 && r[2].Status == store.OutboxParked })
	refuse.Lock()
	refused = nil
	refuse.Unlock()
	if err := w.Retry(ctx, f.company, f.rows(t)[2].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the retried notification", func() bool { return len(f.zoho.received()) == 2 })
	if got := f.zoho.received(); !slices.Equal(got, []string{"call01 ended", "call02 ringing"}) {
		t.Fatalf("Zoho got %v", got)
	}
}

// TestParksAfterMaxAttempts: a row that keeps failing with a retryable
// error is parked after MaxAttempts.
func TestParksAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.zoho.answer = func(zoho.CallNotify) error { return &zoho.Error{Op: "callnotify", Status: 502} }
	f.enqueue(t, "call01", "ringing")
	run(t, f.worker(t, outbox.Options{Poll: 5 * time.Millisecond, MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	eventually(t, "the row parked", func() bool { return f.rows(t)[0].Status == store.OutboxParked })
	if r := f.rows(t)[0]; r.Attempts != 3 {
		t.Fatalf("parked after %d attempts, want 3", r.Attempts)
	}
}

// TestARetryClaimedWhileItsOutcomeIsRecordedIsSent: with a backoff shorter
// than a claim, a claim can take a row the instant its failed attempt's
// outcome is committed, before the pool has let go of it. That claim is the
// next attempt and must be sent, not taken for a second claim of a row
// still being sent: that would hold the row until its lease (a minute here)
// ran out. The database's answer to the outcome's statement is held back
// until Zoho has the next attempt (or two seconds passed), so the claim
// always lands in that instant.
func TestARetryClaimedWhileItsOutcomeIsRecordedIsSent(t *testing.T) {
	t.Parallel()
	attempts := make(chan int, 10)
	var mu sync.Mutex
	failures := 2
	hold := &holdRetryAnswer{until: attempts}
	st, err := store.OpenConfig(context.Background(), testdb.URL(t), testdb.Box(t),
		func(c *pgxpool.Config) { c.ConnConfig.Tracer = hold })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	f := newFixtureOn(t, st)
	f.zoho.answer = func(zoho.CallNotify) error {
		mu.Lock()
		defer mu.Unlock()
		attempts <- failures
		if failures > 0 {
			failures--
			return &zoho.Error{Op: "callnotify", Status: 503}
		}
		return nil
	}
	f.enqueue(t, "call01", "ringing")
	run(t, f.worker(t, outbox.Options{Poll: time.Millisecond, LeaseTTL: time.Minute,
		BaseBackoff: time.Nanosecond, MaxBackoff: time.Nanosecond}))
	eventually(t, "the delivery after two failures", func() bool { return len(f.zoho.received()) == 1 && f.settled(t) })
	if r := f.rows(t)[0]; r.Attempts != 3 {
		t.Fatalf("delivered after %d attempts, want 3", r.Attempts)
	}
	if hold.held.Load() == 0 {
		t.Fatal("no outcome's answer was held: the test did not look at the instant it is about")
	}
}

// holdRetryAnswer is a pgx tracer that holds back the end of every
// statement rescheduling a failed row (its commit is done) until the next
// attempt reaches Zoho, or two seconds passed.
type holdRetryAnswer struct {
	until chan int // an attempt reached Zoho
	held  atomic.Int32
}

func (h *holdRetryAnswer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, "next_attempt_at = r.at") {
		for len(h.until) > 0 { // attempts seen before this outcome
			<-h.until
		}
		return context.WithValue(ctx, holdKey{}, true)
	}
	return ctx
}

func (h *holdRetryAnswer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	if ctx.Value(holdKey{}) == nil || d.Err != nil {
		return
	}
	h.held.Add(1)
	select {
	case <-h.until:
	case <-time.After(2 * time.Second):
	}
}

type holdKey struct{}

// TestBusyQueueIsVacuumed: once a worker has recorded VacuumAfter
// outcomes, it vacuums the queue (the delivered rows' dead index entries
// would slow every claim until autovacuum came by).
func TestBusyQueueIsVacuumed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vacuums := func() int64 {
		var n int64
		if err := f.st.Pool().QueryRow(context.Background(),
			`SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'outbox'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := vacuums()
	for i := range 10 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing")
	}
	run(t, f.worker(t, outbox.Options{Poll: 5 * time.Millisecond, VacuumAfter: 10, VacuumEvery: 5 * time.Millisecond}))
	eventually(t, "every row delivered", func() bool { return len(f.zoho.received()) == 10 && f.settled(t) })
	eventually(t, "the queue vacuumed", func() bool { return vacuums() > before })
}

// TestFailingQueueIsNotVacuumed: failed attempts do not count towards a
// vacuum (while Zoho is down the queue, however long, is left alone).
func TestFailingQueueIsNotVacuumed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.zoho.answer = func(zoho.CallNotify) error { return &zoho.Error{Op: "callnotify", Status: 503} }
	var before int64
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.st.Pool().QueryRow(context.Background(),
		`SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'outbox'`).Scan(&before))
	f.enqueue(t, "call01", "ringing")
	run(t, f.worker(t, outbox.Options{Poll: time.Millisecond, MaxAttempts: 1000, BaseBackoff: time.Nanosecond,
		MaxBackoff: time.Nanosecond, VacuumAfter: 1, VacuumEvery: time.Millisecond}))
	// Many attempts, each recorded, with a vacuum looked at every
	// millisecond meanwhile.
	eventually(t, "50 failed attempts", func() bool { return f.rows(t)[0].Attempts >= 50 })
	var after int64
	must(f.st.Pool().QueryRow(context.Background(),
		`SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'outbox'`).Scan(&after))
	if after != before {
		t.Fatalf("the queue was vacuumed %d times while every delivery failed", after-before)
	}
}

// TestBackoffFromTheWorkersClock: a failed attempt's next try is set from
// the worker's clock, BaseBackoff with jitter later.
func TestBackoffFromTheWorkersClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.zoho.answer = func(zoho.CallNotify) error { return &zoho.Error{Op: "callnotify", Status: 503} }
	f.enqueue(t, "call01", "ringing")
	// The worker's clock is an hour ahead of the store's: the retry falls
	// due an hour from now, so there is exactly one attempt to look at.
	t0 := time.Now().Add(time.Hour)
	run(t, f.worker(t, outbox.Options{Poll: time.Hour, MaxAttempts: 100, BaseBackoff: time.Minute, MaxBackoff: time.Hour,
		Now: func() time.Time { return t0 }}))
	eventually(t, "a failed attempt", func() bool { return f.rows(t)[0].LastError != "" })
	r := f.rows(t)[0]
	if wait := r.NextAttemptAt.Sub(t0); r.Attempts != 1 || wait < 30*time.Second || wait > time.Minute {
		t.Fatalf("attempt %d, next attempt %s after the failure; want 1 and within [30s, 1m] (BaseBackoff with jitter)", r.Attempts, wait)
	}
}

// TestClickToDialErrorCarriesItsMessage: a clicktodialerror row goes to
// Zoho's clicktodialerror with the message queued with it.
func TestClickToDialErrorCarriesItsMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	it, err := outbox.Item(callflow.Notification{Endpoint: callflow.EndpointClickToDialError, Type: zoho.CallDialed,
		State: zoho.DialInvalid, From: "+34910726329", To: "abc"}, "El número marcado no es válido.")
	if err != nil {
		t.Fatal(err)
	}
	if it.Kind != store.OutboxClickToDialError {
		t.Fatalf("kind %q", it.Kind)
	}
	err = f.st.InCallTx(context.Background(), f.company, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, "dial-1", []store.OutboxItem{it})
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, f.worker(t, outbox.Options{Poll: 5 * time.Millisecond}))
	eventually(t, "the click-to-dial error", func() bool { return len(f.zoho.received()) == 1 })
	if got := f.zoho.received()[0]; got != "dialerror invalid El número marcado no es válido." {
		t.Fatalf("Zoho got %q", got)
	}
}

// trackingZoho is a PhoneBridge that counts the requests it is answering
// at once, in all and per call, and holds each until gate is closed (nil
// gate: it answers at once). hold, when set, names calls whose requests
// wait for release instead.
type trackingZoho struct {
	mu       sync.Mutex
	cur, max int
	perCall  map[string]int
	overlaps []string // notifications that arrived while another of their call was in flight
	got      []string
	gate     chan struct{}
	hold     map[string]bool
	release  chan struct{}
}

func newTrackingZoho(gated bool) *trackingZoho {
	z := &trackingZoho{perCall: map[string]int{}, release: make(chan struct{}), hold: map[string]bool{}}
	if gated {
		z.gate = make(chan struct{})
	}
	return z
}

func (z *trackingZoho) CallNotify(ctx context.Context, n zoho.CallNotify) error {
	z.mu.Lock()
	z.cur++
	z.max = max(z.max, z.cur)
	z.perCall[n.ID]++
	if z.perCall[n.ID] > 1 {
		z.overlaps = append(z.overlaps, n.ID+" "+n.State)
	}
	wait := z.gate
	if z.hold[n.ID] {
		wait = z.release
	}
	z.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
		}
	}
	runtime.Gosched() // let other deliveries interleave
	z.mu.Lock()
	z.cur--
	z.perCall[n.ID]--
	z.got = append(z.got, n.ID+" "+n.State)
	z.mu.Unlock()
	return nil
}

func (z *trackingZoho) ClickToDialError(ctx context.Context, e zoho.ClickToDialError) error {
	return errors.New("unexpected clicktodialerror")
}

func (z *trackingZoho) snapshot() (cur, most int, got, overlaps []string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.cur, z.max, slices.Clone(z.got), slices.Clone(z.overlaps)
}

// checkOrder fails unless every call of got has exactly states, in order.
func checkOrder(t *testing.T, got []string, calls int, states ...string) {
	t.Helper()
	per := map[string][]string{}
	for _, g := range got {
		var id, st string
		fmt.Sscan(g, &id, &st)
		per[id] = append(per[id], st)
	}
	if len(per) != calls {
		t.Errorf("%d calls notified, want %d", len(per), calls)
	}
	for id, s := range per {
		if !slices.Equal(s, states) {
			t.Errorf("call %s got %v, want %v", id, s, states)
		}
	}
}

// onceCloser closes ch once, at the test's end at the latest (before the
// workers are stopped: cleanups run last registered first).
func onceCloser(t *testing.T, ch chan struct{}) func() {
	var once sync.Once
	closeIt := func() { once.Do(func() { close(ch) }) }
	t.Cleanup(closeIt)
	return closeIt
}

// TestPoolKeepsInFlightDeliveriesUnderWay: against a Zoho slow to answer,
// the pool has InFlight requests under way at once (more than one claim's
// batch: it claims again as slots are free, without waiting for a batch to
// finish), never more, and never two of one call.
func TestPoolKeepsInFlightDeliveriesUnderWay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	z := newTrackingZoho(true)
	for i := range 30 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing", "answered", "ended")
	}
	w := outbox.New(outbox.Options{Store: f.st, Clients: func(int64, int64) outbox.PhoneBridge { return z },
		InFlight: 8, Batch: 3, Poll: 10 * time.Millisecond})
	run(t, w)
	open := onceCloser(t, z.gate)
	eventually(t, "8 requests under way at once", func() bool { cur, _, _, _ := z.snapshot(); return cur == 8 })
	open()
	eventually(t, "90 notifications, recorded", func() bool {
		_, _, got, _ := z.snapshot()
		return len(got) == 90 && f.settled(t)
	})
	_, most, got, overlaps := z.snapshot()
	if most != 8 {
		t.Errorf("at most %d requests at once, want 8 (InFlight)", most)
	}
	if len(overlaps) > 0 {
		t.Errorf("sent while an earlier notification of the call was in flight: %v", overlaps)
	}
	checkOrder(t, got, 30, "ringing", "answered", "ended")
}

// TestASlowAnswerHoldsBackOnlyItsCall: one call's request hangs; the pool
// keeps delivering every other call (many claims' worth) meanwhile, and the
// hung call's next notification waits for it.
func TestASlowAnswerHoldsBackOnlyItsCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	z := newTrackingZoho(false)
	z.hold["stuck"] = true
	f.enqueue(t, "stuck", "ringing", "ended")
	for i := range 20 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing", "ended")
	}
	w := outbox.New(outbox.Options{Store: f.st, Clients: func(int64, int64) outbox.PhoneBridge { return z },
		InFlight: 2, Batch: 2, Poll: 10 * time.Millisecond})
	run(t, w)
	release := onceCloser(t, z.release)
	eventually(t, "the other calls' 40 notifications", func() bool { _, _, got, _ := z.snapshot(); return len(got) == 40 })
	if _, _, got, _ := z.snapshot(); slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, "stuck") }) {
		t.Fatalf("the held call was answered: %v", got)
	}
	release()
	eventually(t, "the held call too, recorded", func() bool { _, _, got, _ := z.snapshot(); return len(got) == 42 && f.settled(t) })
	_, _, got, overlaps := z.snapshot()
	if len(overlaps) > 0 {
		t.Errorf("sent while an earlier notification of the call was in flight: %v", overlaps)
	}
	if i, j := slices.Index(got, "stuck ringing"), slices.Index(got, "stuck ended"); i < 0 || j < i {
		t.Errorf("the held call's notifications: %v", got)
	}
}

// TestTwoWorkersDeliverOnce: two instances on one database, each with a
// pool of several deliveries, share the rows; every notification arrives
// once, in order per call, never while an earlier one of its call is in
// flight on either instance.
func TestTwoWorkersDeliverOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	z := newTrackingZoho(false)
	for i := range 30 {
		f.enqueue(t, fmt.Sprintf("call%02d", i), "ringing", "answered", "ended")
	}
	for _, name := range []string{"a", "b"} {
		run(t, outbox.New(outbox.Options{Store: f.st, Clients: func(int64, int64) outbox.PhoneBridge { return z },
			InFlight: 6, Batch: 4, Poll: 5 * time.Millisecond, Instance: name}))
	}
	eventually(t, "90 notifications, recorded", func() bool { _, _, got, _ := z.snapshot(); return len(got) >= 90 && f.settled(t) })
	_, _, got, overlaps := z.snapshot()
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Fatalf("%q delivered twice", g)
		}
		seen[g] = true
	}
	if len(overlaps) > 0 {
		t.Errorf("sent while an earlier notification of the call was in flight: %v", overlaps)
	}
	checkOrder(t, got, 30, "ringing", "answered", "ended")
}

// TestStopRecordsTheDeliveriesUnderWay: when Run's context ends with a
// request waiting for Zoho, Run claims no more, waits for the answer and
// returns only once its outcome is recorded: the notification is delivered
// (in history), and the call's next one, never claimed, still waits.
func TestStopRecordsTheDeliveriesUnderWay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	z := newTrackingZoho(false)
	z.hold["call01"] = true
	f.enqueue(t, "call01", "ringing", "ended")
	w := outbox.New(outbox.Options{Store: f.st, Clients: func(int64, int64) outbox.PhoneBridge { return z }, Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	release := onceCloser(t, z.release)
	eventually(t, "the request under way", func() bool { cur, _, _, _ := z.snapshot(); return cur == 1 })
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) with a delivery under way", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	rows := f.rows(t)
	if len(rows) != 2 || rows[0].Status != store.OutboxDelivered || rows[1].Status != store.OutboxPending || rows[1].Attempts != 0 {
		t.Fatalf("after stopping: %+v; want the ringing delivered, the end untouched", rows)
	}
	if _, _, got, _ := z.snapshot(); !slices.Equal(got, []string{"call01 ringing"}) {
		t.Fatalf("Zoho got %v", got)
	}
}
