// Package outbox delivers the PhoneBridge notifications the call use case
// (internal/calls) wrote to the store's outbox: durably (a row leaves the
// queue only once Zoho accepted it, for history), in order per call (a row
// is taken only when every earlier row of its call is delivered, so two
// notifications of one call are never in flight at once), at least once,
// and safely with any number of gateway instances on one database.
//
// Each instance runs a continuous pool of up to Options.InFlight
// deliveries (Zoho's answer time times the rate to sustain). It leases due
// rows in one short statement as slots free up (FOR UPDATE SKIP LOCKED
// picks rows nobody else is claiming; the lease is a column of the row),
// commits, and calls Zoho with no transaction or connection held, each row
// on its own; it never waits for a batch to finish before claiming more.
// Outcomes are recorded in batches as they come (whatever arrived while the
// previous batch was written): the delivered rows move to history in one
// statement. The lease is short (LeaseTTL) and renewed while the row is in
// flight, so the rows of an instance that dies are claimed again by another
// within LeaseTTL, while a live instance waits for a slow answer as long as
// AttemptTimeout.
//
// Duplicates: an attempt is not given up early. Zoho's callnotify is not
// idempotent on our side of the wire (a re-sent state is logged twice), so a
// request that Zoho may still be processing is waited for, up to
// AttemptTimeout (a minute by default, far beyond Zoho's slow answers),
// instead of being cancelled and sent again. A notification reaches Zoho
// twice only when an instance dies between Zoho's answer and the commit
// that records it, or when Zoho answers later than AttemptTimeout.
//
// Failures are retried after backoff.Delay (exponential, with jitter) when
// zoho.Retryable says so (timeouts, 5xx, throttling); the 401 → refresh →
// retry-once is inside the zoho client. A row is parked after MaxAttempts
// failed attempts, or at once on a non-retryable error (a 4xx), with its
// error kept for the portal; Retry puts it back. A parked row does not hold
// back its call: the later notifications of the call are still delivered
// (its end above all), and a parked row that Zoho has a later state for can
// no longer be retried (store.ErrSuperseded).
//
// Wake-up: the call use case calls Kick after writing rows; other instances
// hear the rows' pg_notify('outbox') on a LISTEN connection; recording
// outcomes claims again (a call's next row may be due); a poll
// (Options.Poll) covers lost notifications and rows that fall due after a
// backoff.
//
// Vacuum: a busy queue deletes its rows as they are delivered, and their
// dead entries at the start of the due index slow every claim until a
// vacuum removes them; autovacuum looks at a table at most once a minute.
// Each instance vacuums the queue (VACUUM SKIP_LOCKED: one at a time) once
// it has recorded VacuumAfter deliveries since its last vacuum.
//
// Every attempt's result (delivered, retry, parked) is counted in
// Options.Metrics; the queue's size and age are the database gauges of
// internal/metrics, the same on every instance.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conecta-zoho/gateway/internal/backoff"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// PhoneBridge is what delivery needs from a company's Zoho client.
type PhoneBridge interface {
	CallNotify(ctx context.Context, n zoho.CallNotify) error
	ClickToDialError(ctx context.Context, e zoho.ClickToDialError) error
}

// Payload is the JSON of an outbox row: the notification, plus the message
// shown with a clicktodialerror.
type Payload struct {
	callflow.Notification
	Message string `json:"message,omitempty"`
}

// Item encodes a notification as an outbox item.
func Item(n callflow.Notification, message string) (store.OutboxItem, error) {
	b, err := json.Marshal(Payload{Notification: n, Message: message})
	if err != nil {
		return store.OutboxItem{}, fmt.Errorf("outbox: encode %s: %w", n.State, err)
	}
	kind := store.OutboxCallNotify
	if n.Endpoint == callflow.EndpointClickToDialError {
		kind = store.OutboxClickToDialError
	}
	return store.OutboxItem{Kind: kind, Payload: b}, nil
}

// Options configures a Worker. Zero values take the defaults in brackets.
type Options struct {
	Store *store.Store
	// Clients returns the PhoneBridge client of a company for a row claimed
	// at the company's version (store.OutboxRow.CompanyVersion).
	Clients func(companyID, version int64) PhoneBridge
	Logger  *slog.Logger
	// InFlight is how many deliveries this instance has under way at once
	// [DefaultInFlight]: Zoho's answer time times the rate to sustain (at
	// 100 ms and 500 notifications a second, 50). The PhoneBridge clients'
	// HTTP transport should keep as many idle connections to Zoho
	// (zoho.DeliveryTransport). Batch is the most rows one claim leases
	// [32]: free slots are filled as they free up, a batch at most at once.
	InFlight, Batch int
	// Poll is the idle re-check period [1s].
	Poll time.Duration
	// MaxAttempts before a row is parked [10].
	MaxAttempts int
	// BaseBackoff doubles per attempt up to MaxBackoff [1s, 5m].
	BaseBackoff, MaxBackoff time.Duration
	// AttemptTimeout bounds one delivery [DefaultAttemptTimeout]: how long
	// the worker waits for Zoho's answer before it counts the attempt as
	// failed and retries. The PhoneBridge client's HTTP timeout must not be
	// shorter.
	AttemptTimeout time.Duration
	// LeaseTTL is how long a claimed row stays leased without renewal
	// [15s]; the worker renews it every LeaseTTL/3 while the row is being
	// delivered, so another instance takes over a dead instance's rows
	// after at most LeaseTTL.
	LeaseTTL time.Duration
	// Listen turns on LISTEN outbox on a dedicated connection.
	Listen bool
	// Instance names this gateway instance on the rows it leases
	// [store.InstanceID()].
	Instance string
	// Now is the clock of the retry times [time.Now].
	Now func() time.Time
	// Metrics counts every delivery attempt's result; nil counts nothing.
	Metrics *metrics.Metrics
	// VacuumAfter is how many rows this instance records delivered
	// between two vacuums of the queue (store.VacuumOutbox), looked at
	// every VacuumEvery [1000, 1s]: a busy queue is vacuumed every second
	// or so, an idle one (or one whose deliveries all fail) never.
	VacuumAfter int
	VacuumEvery time.Duration
}

// DefaultAttemptTimeout is how long one delivery waits for Zoho by default:
// long enough that a slow Zoho is waited for rather than sent the
// notification a second time.
const DefaultAttemptTimeout = time.Minute

// DefaultInFlight is how many deliveries an instance has under way at once
// by default: Zoho answering in 100–200 ms, 300–600 notifications a second.
const DefaultInFlight = 64

// Worker runs the delivery pool of one gateway instance.
type Worker struct {
	o     Options
	log   *slog.Logger
	owner string // this instance's name on the rows it leases

	mu   sync.Mutex
	wake chan struct{} // closed and replaced by Kick
}

// New returns a Worker with defaults filled in.
func New(o Options) *Worker {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.InFlight <= 0 {
		o.InFlight = DefaultInFlight
	}
	if o.Batch <= 0 {
		o.Batch = 32
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.VacuumAfter <= 0 {
		o.VacuumAfter = 1000
	}
	def(&o.VacuumEvery, time.Second)
	def(&o.Poll, time.Second)
	def(&o.BaseBackoff, time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.AttemptTimeout, DefaultAttemptTimeout)
	def(&o.LeaseTTL, 15*time.Second)
	if o.Instance == "" {
		o.Instance = store.InstanceID()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{o: o, log: log, wake: make(chan struct{}), owner: o.Instance}
}

// Kick wakes the idle pool now (new rows were written).
func (w *Worker) Kick() {
	w.mu.Lock()
	close(w.wake)
	w.wake = make(chan struct{})
	w.mu.Unlock()
}

// woken returns the channel the next Kick closes.
func (w *Worker) woken() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wake
}

// Retry puts a parked notification of the company back in the queue and
// wakes the pool.
func (w *Worker) Retry(ctx context.Context, companyID, id int64) error {
	if err := w.o.Store.RetryOutbox(ctx, companyID, id); err != nil {
		return err
	}
	w.Kick()
	return nil
}

// Run delivers until ctx ends, and then returns nil once the deliveries
// under way are recorded. Delivery failures are the rows' (retried or
// parked), a failing database is logged and tried again: nothing here stops
// the gateway.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if w.o.Listen {
		wg.Go(func() { w.listen(ctx) })
	}
	p := &pool{w: w, sending: map[int64]bool{}, recording: map[int64]bool{}, results: make(chan store.OutboxResult, w.o.InFlight),
		recorded: make(chan struct{}, 1)}
	stop := make(chan struct{})
	var helpers sync.WaitGroup
	helpers.Go(func() { p.record(stop) })
	helpers.Go(func() { p.renew(stop) })
	helpers.Go(func() { p.vacuum(ctx, stop) })
	p.dispatch(ctx)
	close(stop)
	helpers.Wait()
	wg.Wait()
	return nil
}

// pool is one instance's deliveries under way: a row is in it from its
// claim until its outcome is recorded, and its lease is renewed meanwhile.
// It is first being sent, then its outcome is being recorded: a claim can
// return a row whose outcome is being recorded (the outcome, a retry due at
// once, committed an instant before the claim), and that is a new attempt
// to start, whereas a row still being sent that a claim returns (its lease
// ran out meanwhile) is not sent twice.
type pool struct {
	w *Worker

	mu        sync.Mutex
	sending   map[int64]bool // claimed, its delivery under way
	recording map[int64]bool // delivered or failed, its outcome being written

	results   chan store.OutboxResult // outcomes waiting to be recorded
	recorded  chan struct{}           // a batch of outcomes was recorded (capacity 1)
	delivered atomic.Int64            // rows recorded delivered (deleted) since the last vacuum
}

// size is how many rows are in flight.
func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sending) + len(p.recording)
}

// list is the ids in flight.
func (p *pool) list() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int64, 0, len(p.sending)+len(p.recording))
	for id := range p.sending {
		out = append(out, id)
	}
	for id := range p.recording {
		if !p.sending[id] {
			out = append(out, id)
		}
	}
	return out
}

// dispatch keeps up to InFlight deliveries under way: it claims as many
// due rows as there are free slots (a Batch at most per statement), starts
// each delivery at once, and claims again whenever outcomes were recorded
// (slots freed, and a call's next row may be due), on Kick, or on the poll.
// It never waits for a batch to finish. Once ctx ends it claims no more and
// returns when every delivery under way is recorded.
func (p *pool) dispatch(ctx context.Context) {
	w := p.w
	t := time.NewTimer(0)
	defer t.Stop()
	for ctx.Err() == nil {
		woken := w.woken() // before claiming, so a Kick meanwhile is not lost
		again := false
		if free := w.o.InFlight - p.size(); free > 0 {
			limit := min(free, w.o.Batch)
			rows, err := w.o.Store.ClaimOutbox(ctx, w.owner, limit, w.o.LeaseTTL)
			if err != nil && ctx.Err() == nil {
				w.log.Warn("outbox: claiming notifications failed", "error", err)
			}
			p.start(ctx, rows)
			again = err == nil && len(rows) == limit // more may be due
		}
		if again {
			continue
		}
		t.Reset(w.o.Poll)
		select {
		case <-ctx.Done():
		case <-woken:
		case <-p.recorded:
		case <-t.C:
		}
	}
	for p.size() > 0 {
		<-p.recorded
	}
}

// start delivers each claimed row in its own goroutine; its outcome goes to
// the recorder. A row still being sent (its lease ran out meanwhile, and
// this instance claimed it again) is not sent a second time: the delivery
// under way records it. A row whose outcome is being recorded is started:
// the claim saw that outcome's commit (a retry already due).
func (p *pool) start(ctx context.Context, rows []store.OutboxRow) {
	for _, r := range rows {
		p.mu.Lock()
		dup := p.sending[r.ID]
		p.sending[r.ID] = true
		p.mu.Unlock()
		if dup {
			continue
		}
		go func() { p.results <- p.w.deliver(context.WithoutCancel(ctx), r) }()
	}
}

// record writes outcomes as they come, in batches: whatever arrived while
// the previous batch was written goes in the next one (FinishOutboxes, one
// statement for the delivered rows), so a busy pool records many rows per
// statement and an idle one records each at once. A failed write is tried
// again (the rows stay in flight, their leases renewed) a few times, then
// given up: the leases run out and the rows are sent again. It returns when
// stop is closed.
func (p *pool) record(stop <-chan struct{}) {
	w := p.w
	ctx := context.Background() // outcomes are recorded even while shutting down
	var batch []store.OutboxResult
	for {
		select {
		case <-stop:
			return
		case r := <-p.results:
			batch = append(batch[:0], r)
		}
	drain:
		for len(batch) < 4*w.o.Batch {
			select {
			case r := <-p.results:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		p.mu.Lock()
		for _, r := range batch {
			delete(p.sending, r.ID)
			p.recording[r.ID] = true
		}
		p.mu.Unlock()
		var lost []int64
		var err error
		for attempt := 1; ; attempt++ {
			if lost, err = w.o.Store.FinishOutboxes(ctx, w.owner, batch); err == nil || attempt == 5 {
				break
			}
			w.log.Warn("outbox: recording outcomes failed, will retry", "rows", len(batch), "attempt", attempt, "error", err)
			time.Sleep(backoff.Delay(attempt, 100*time.Millisecond, 2*time.Second))
		}
		if err != nil {
			w.log.Error("outbox: outcomes not recorded; the rows will be sent again when their leases end",
				"rows", len(batch), "error", err)
		}
		for _, id := range lost {
			w.log.Warn("outbox: lease lost before the outcome was recorded", "outbox_id", id)
		}
		if err == nil {
			n := 0
			for _, r := range batch {
				if r.Delivered && !slices.Contains(lost, r.ID) {
					n++
				}
			}
			p.delivered.Add(int64(n))
		}
		p.mu.Lock()
		for _, r := range batch {
			delete(p.recording, r.ID)
		}
		p.mu.Unlock()
		select {
		case p.recorded <- struct{}{}:
		default:
		}
	}
}

// renew extends the leases of the rows in flight every LeaseTTL/3 until
// stop is closed. A failed renewal is logged: the lease may then run out,
// and another instance send the row again.
func (p *pool) renew(stop <-chan struct{}) {
	w := p.w
	every(stop, w.o.LeaseTTL/3, func() {
		ids := p.list()
		if len(ids) == 0 {
			return
		}
		if _, err := w.o.Store.ExtendOutboxLeases(context.Background(), w.owner, ids, w.o.LeaseTTL); err != nil {
			w.log.Warn("outbox: renewing leases failed", "error", err)
		}
	})
}

// every calls fn every d until stop is closed.
func every(stop <-chan struct{}, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fn()
		}
	}
}

// vacuum vacuums the queue every VacuumEvery when VacuumAfter rows were
// recorded delivered since the last time, until stop is closed: the
// delivered rows leave the queue by DELETE, and their dead index entries
// would otherwise slow every claim until autovacuum comes by. Failed
// attempts are not counted: while Zoho is down the queue, however long,
// is not vacuumed every second for nothing. A failure is logged and tried
// again at the next tick. A vacuum under way ends with ctx (Run's), so that
// it does not hold back a stop.
func (p *pool) vacuum(ctx context.Context, stop <-chan struct{}) {
	w := p.w
	every(stop, w.o.VacuumEvery, func() {
		n := p.delivered.Load()
		if n < int64(w.o.VacuumAfter) {
			return
		}
		p.delivered.Add(-n)
		if err := w.o.Store.VacuumOutbox(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("outbox: vacuuming the queue failed", "error", err)
		}
	})
}

// deliver sends one row and decides what happens to it.
func (w *Worker) deliver(ctx context.Context, r store.OutboxRow) store.OutboxResult {
	res := store.OutboxResult{ID: r.ID}
	err := w.send(ctx, r)
	if err == nil {
		res.Delivered = true
		w.o.Metrics.OutboxDelivery(metrics.DeliveryDelivered)
		return res
	}
	attempt := r.Attempts // the claim counted this attempt
	res.Error = err.Error()
	if !zoho.Retryable(err) || attempt >= w.o.MaxAttempts {
		res.Park = true
		w.o.Metrics.OutboxDelivery(metrics.DeliveryParked)
		w.log.Warn("outbox: notification parked", "company_id", r.CompanyID, "outbox_id", r.ID, "attempts", attempt, "error", err)
		return res
	}
	res.NextAttemptAt = w.o.Now().Add(backoff.Delay(attempt, w.o.BaseBackoff, w.o.MaxBackoff))
	w.o.Metrics.OutboxDelivery(metrics.DeliveryRetry)
	w.log.Info("outbox: delivery failed, will retry", "company_id", r.CompanyID, "outbox_id", r.ID, "attempt", attempt, "error", err)
	return res
}

// send performs the PhoneBridge request of a row.
func (w *Worker) send(ctx context.Context, r store.OutboxRow) error {
	var p Payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		return fmt.Errorf("outbox: row %d: bad payload: %w", r.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.o.AttemptTimeout)
	defer cancel()
	pb := w.o.Clients(r.CompanyID, r.CompanyVersion)
	if r.Kind == store.OutboxClickToDialError {
		e := p.ClickToDialError()
		e.Message = p.Message
		return pb.ClickToDialError(ctx, e)
	}
	return pb.CallNotify(ctx, p.CallNotify())
}
