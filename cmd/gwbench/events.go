package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	eventsCompanies = 50
	eventsSeats     = 4 // every seat carries one call at a time: 200 calls in flight
	eventsWarmup    = 2 * time.Second
	eventsDrain     = 20 * time.Second
	eventsLatency   = 100 // calls of the wake-up latency phase, 3 events each
	// insertClients is the baseline's concurrency: the XSP posts one event
	// at a time per subscription, so as many events are in flight as there
	// are subscribed companies.
	insertClients  = eventsCompanies
	insertDuration = 5 * time.Second
)

// callStates is what Zoho must get for each call of the stream: an
// incoming call answered at the seat and released by the caller.
var callStates = []string{"received ringing", "received answered", "received ended"}

// benchEvents measures the event pipeline: Xsi events posted by the XSP
// simulator to the gateway's HTTP contact (50 companies, one subscription
// each, 200 calls in flight, each a seat's next call placed once Zoho has
// its previous call's "ended"), through the state machine and the outbox, to
// callnotify accepted by the Zoho simulator; then checks that every call got
// its three notifications, in order. Over the measured window it also reads
// what PostgreSQL did per event: WAL flushes (pg_stat_wal), statements and
// WAL records (pg_stat_statements), commits. The baseline is single-row
// INSERT-and-commit throughput from 50 connections (as many as events in
// flight) on the same PostgreSQL in the same run, measured just before the
// stream and just after it: the ratio is over the mean of the two, so that
// a drift of the machine's disk or CPU during the run (large on a shared
// virtual machine) weighs on both sides alike. Then, one step at a time,
// the wake-up latency: from the gateway's 200 for an event to its
// callnotify arriving at Zoho.
func benchEvents(ctx context.Context, b *bench) error {
	t0 := time.Now()
	w, err := newWorld(ctx, b, "gwbench_events", eventsCompanies, eventsSeats)
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Printf("%d companies × %d linked seats, gateway process subscribed, in %s\n",
		eventsCompanies, eventsSeats, time.Since(t0).Round(time.Millisecond))

	obs, err := newObserver(ctx, b.databaseURL, "gwbench_events")
	if err != nil {
		return err
	}
	defer obs.Close()

	before, err := insertBaseline(ctx, w.dbURL, obs)
	if err != nil {
		return err
	}
	s := newStream(w, 0)
	w.setHooks(nil, s.notified)
	defer w.setHooks(nil, nil)
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range w.companies {
		for _, seat := range c.seats {
			wg.Go(func() { s.run(sctx, seat.userID) })
		}
	}
	time.Sleep(eventsWarmup)
	p0, err := obs.take(ctx)
	if err != nil {
		stop()
		return err
	}
	c0, err := takeCPU(w.gw)
	g0, gerr := w.gw.groups()
	if err = errors.Join(err, gerr); err != nil {
		stop()
		return err
	}
	acks0, notes0, m0 := w.acks.Load(), w.notifies.Load(), time.Now()
	time.Sleep(b.duration)
	acks1, notes1, m1 := w.acks.Load(), w.notifies.Load(), time.Now()
	c1, cerr := takeCPU(w.gw)
	g1, gerr := w.gw.groups()
	p1, err := obs.take(ctx)
	err = errors.Join(err, cerr, gerr)
	stop()
	wg.Wait()
	if err != nil {
		return err
	}
	if err := s.drain(eventsDrain); err != nil {
		return err
	}
	if got := s.count(); w.notifies.Load() != int64(got) {
		return fmt.Errorf("%d callnotify at Zoho, %d of them for the calls placed", w.notifies.Load(), got)
	}
	el := m1.Sub(m0).Seconds()
	events := acks1 - acks0
	evps, nps := float64(events)/el, float64(notes1-notes0)/el
	fmt.Printf("stream for %s after %s warm-up: %d calls placed in all, %d callnotify at Zoho, none lost, in order\n",
		b.duration, eventsWarmup, s.placed(), w.notifies.Load())
	if err := s.err(); err != nil {
		return err
	}
	pg := p1.since(p0)
	per := func(v int64) float64 { return float64(v) / float64(max(events, 1)) }

	after, err := insertBaseline(ctx, w.dbURL, obs)
	if err != nil {
		return err
	}
	rate := (before.rate + after.rate) / 2
	fmt.Printf("gateway events     : %7.0f events/s accepted, %7.0f callnotify/s delivered\n", evps, nps)
	fmt.Printf("insert-and-commit  : %7.0f rows/s (%d connections, %s before the stream: %.0f, after: %.0f)\n",
		rate, insertClients, insertDuration, before.rate, after.rate)
	ratio := evps / rate
	fmt.Printf("ratio events/insert: %.3f (callnotify/insert %.3f)\n", ratio, nps/rate)
	fmt.Printf("per event accepted : %.2f WAL flushes (%.2f WAL writes), %.1f statements, %.2f commits, %.1f WAL records, %.2f ms of PostgreSQL CPU\n",
		per(pg.walSync), per(pg.walWrite), per(pg.statements), per(pg.commits), per(pg.walRecords), ms(pg.cpu)/float64(max(events, 1)))
	g := g1.since(g0)
	fmt.Printf("event groups       : %d committed, %.1f events each, %.1f ms from start to commit (means)\n",
		g.groups, g.events/float64(max(g.groups, 1)), 1000*g.seconds/float64(max(g.groups, 1)))
	cpu := c1.since(c0)
	fmt.Printf("CPU per event      : gateway %.2f ms, simulators and load %.2f ms, machine %.2f ms of %.2f ms (%d CPUs busy %.0f %%, %.0f %% of it in the kernel)\n",
		ms(cpu.gateway)/float64(max(events, 1)), ms(cpu.self)/float64(max(events, 1)),
		ms(cpu.busy)/float64(max(events, 1)), ms(cpu.total)/float64(max(events, 1)),
		runtime.NumCPU(), 100*cpu.busy.Seconds()/max(cpu.total.Seconds(), 1e-9), 100*cpu.system.Seconds()/max(cpu.busy.Seconds(), 1e-9))
	fmt.Printf("per row inserted   : %.2f WAL flushes (%.2f WAL writes)\n",
		(before.walSyncPerRow+after.walSyncPerRow)/2, (before.walWritePerRow+after.walWritePerRow)/2)
	fmt.Printf("statements per event accepted (calls, WAL records, ms executing, each ÷ events):\n")
	for _, q := range topStatements(pg.byQuery, 10) {
		c := pg.byQuery[q]
		fmt.Printf("  %6.2f %6.2f %6.3f  %s\n", per(c.calls), per(c.walRecords), c.execMS/float64(max(events, 1)), oneLine(q, 92))
	}
	b.figures.set("events_commit_ratio", ratio)
	b.figures.set("events_wal_flushes_per_event", per(pg.walSync))

	return wakeLatency(ctx, w)
}

// stream places calls and checks what Zoho got for each.
type stream struct {
	w      *world
	pause  time.Duration // between a seat's calls
	next   atomic.Int64
	mu     sync.Mutex
	got    map[string][]string      // states per caller number
	ended  map[string]chan struct{} // closed at the call's "received ended"
	n      int                      // notifications for the stream's calls
	failed error
}

// streamCaller starts the numbers the stream's calls come from.
const streamCaller = "+3460"

func newStream(w *world, pause time.Duration) *stream {
	return &stream{w: w, pause: pause, got: map[string][]string{}, ended: map[string]chan struct{}{}}
}

// notified is the Zoho simulator's hook. Notifications of other calls
// (click-to-dial's, say) are left to their own checks.
func (s *stream) notified(_ time.Time, from, state string) {
	if !strings.HasPrefix(from, streamCaller) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.got[from] = append(s.got[from], state)
	if state == callStates[len(callStates)-1] {
		if ch, ok := s.ended[from]; ok {
			close(ch)
		}
	}
}

// run places calls on one seat, one after the other, until ctx ends.
func (s *stream) run(ctx context.Context, seat string) {
	for ctx.Err() == nil {
		from := fmt.Sprintf("%s%07d", streamCaller, s.next.Add(1))
		done := make(chan struct{})
		s.mu.Lock()
		s.ended[from] = done
		s.mu.Unlock()
		id, err := s.w.xsi.InjectIncomingCall(seat, from, "")
		if err == nil {
			err = s.w.xsi.AnswerAtSeat(id)
		}
		if err == nil {
			err = s.w.xsi.ReleaseFromFarEnd(id)
		}
		if err != nil {
			s.fail(fmt.Errorf("call from %s: %w", from, err))
			return
		}
		select {
		case <-done:
		case <-time.After(eventsDrain):
			s.fail(fmt.Errorf("call from %s: no \"ended\" at Zoho after %s", from, eventsDrain))
			return
		}
		if s.pause > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(s.pause):
			}
		}
	}
}

func (s *stream) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil {
		s.failed = err
	}
}

func (s *stream) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// count is the number of notifications Zoho got for the stream's calls.
func (s *stream) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *stream) placed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ended)
}

// drain waits until every placed call has its notifications, then checks
// each call got exactly callStates, in order.
func (s *stream) drain(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		s.mu.Lock()
		want := len(s.ended) * len(callStates)
		s.mu.Unlock()
		if s.count() >= want {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lost: %d callnotify at Zoho after %s, want %d", s.count(), within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // an extra one would arrive now
	s.mu.Lock()
	defer s.mu.Unlock()
	for from := range s.ended {
		if !slices.Equal(s.got[from], callStates) {
			return fmt.Errorf("call from %s: Zoho got %v, want %v", from, s.got[from], callStates)
		}
	}
	if len(s.got) != len(s.ended) {
		return fmt.Errorf("notifications for %d calls, %d placed", len(s.got), len(s.ended))
	}
	return nil
}

// insertResult is what the baseline measured.
type insertResult struct {
	rate                          float64 // rows per second
	walSyncPerRow, walWritePerRow float64
}

// insertBaseline measures single-row INSERT-and-commit throughput, into a
// table of its own (made by its first run).
func insertBaseline(ctx context.Context, dbURL string, obs *observer) (insertResult, error) {
	var res insertResult
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return res, err
	}
	cfg.MaxConns = insertClients
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_insert (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		v text NOT NULL, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return res, err
	}
	p0, err := obs.take(ctx)
	if err != nil {
		return res, err
	}
	lctx, cancel := context.WithTimeout(ctx, insertDuration)
	defer cancel()
	var n atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range insertClients {
		wg.Go(func() {
			for lctx.Err() == nil {
				if _, err := pool.Exec(lctx, `INSERT INTO bench_insert (v) VALUES ($1)`, "event"); err != nil {
					if lctx.Err() == nil {
						failed.Store(err)
					}
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		return res, err
	}
	p1, err := obs.take(ctx)
	if err != nil {
		return res, err
	}
	pg := p1.since(p0)
	rows := float64(max(n.Load(), 1))
	res.rate = float64(n.Load()) / elapsed.Seconds()
	res.walSyncPerRow, res.walWritePerRow = float64(pg.walSync)/rows, float64(pg.walWrite)/rows
	return res, nil
}

// wakeLatency places calls one step at a time and measures, per event,
// the time from the XSP posting it to its callnotify arriving at Zoho, and
// the part of it the gateway took to answer the event 200.
func wakeLatency(ctx context.Context, w *world) error {
	type ack struct{ sent, answered time.Time }
	var mu sync.Mutex
	var acks []ack
	notes := make(chan time.Time, 16)
	w.setHooks(func(sent, answered time.Time) {
		mu.Lock()
		acks = append(acks, ack{sent, answered})
		mu.Unlock()
	}, func(at time.Time, _, _ string) { notes <- at })
	defer w.setHooks(nil, nil)
	seat := w.companies[0].seats[0].userID
	var total, answer []time.Duration
	step := func(act func() error) error {
		mu.Lock()
		acks = acks[:0]
		mu.Unlock()
		if err := act(); err != nil {
			return err
		}
		var at time.Time
		select {
		case at = <-notes:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("no callnotify within 10s")
		case <-ctx.Done():
			return ctx.Err()
		}
		deadline := time.Now().Add(time.Second) // the 200 may still be on its way back to the XSP
		for {
			mu.Lock()
			n := len(acks)
			var first ack
			if n > 0 {
				first = acks[0]
			}
			mu.Unlock()
			if n > 0 {
				total, answer = append(total, at.Sub(first.sent)), append(answer, first.answered.Sub(first.sent))
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("callnotify without an accepted event")
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := range eventsLatency {
		var id string
		from := fmt.Sprintf("+3469%07d", i)
		err := step(func() (err error) { id, err = w.xsi.InjectIncomingCall(seat, from, ""); return err })
		if err == nil {
			err = step(func() error { return w.xsi.AnswerAtSeat(id) })
		}
		if err == nil {
			err = step(func() error { return w.xsi.ReleaseFromFarEnd(id) })
		}
		if err != nil {
			return fmt.Errorf("wake-up latency, call %d: %w", i, err)
		}
	}
	q := func(d []time.Duration, p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(10 * time.Microsecond)
	}
	slices.Sort(total)
	slices.Sort(answer)
	fmt.Printf("wake-up latency, %d events one at a time (idle gateway):\n", len(total))
	fmt.Printf("  event posted → callnotify at Zoho: p50 %8s  p99 %8s  max %8s\n",
		q(total, 0.5), q(total, 0.99), total[len(total)-1].Round(10*time.Microsecond))
	fmt.Printf("  of which event posted → 200      : p50 %8s  p99 %8s\n", q(answer, 0.5), q(answer, 0.99))
	fmt.Printf("  (the outbox's idle poll is 1s: a row that waited for the poll would take up to 1s)\n")
	return nil
}
