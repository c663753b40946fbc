// Package outbox delivers the PhoneBridge notifications the call use case
// (internal/calls) wrote to the store's outbox: durably (a row leaves the
// queue only once Zoho accepted it), in order per call (a row is taken only
// when every earlier row of its call is delivered), at least once, and
// safely with any number of gateway instances on one database.
//
// A worker leases a batch of due rows in one short statement (FOR UPDATE
// SKIP LOCKED picks rows nobody else is claiming; the lease is a column of
// the row), commits, and then calls Zoho with no transaction or connection
// held; each row's outcome is written the moment Zoho answers. The lease is
// short (LeaseTTL) and renewed while the worker waits for Zoho, so the rows
// of an instance that dies are claimed again by another within LeaseTTL,
// while a live instance waits for a slow answer as long as AttemptTimeout.
//
// Duplicates: an attempt is not given up early. Zoho's callnotify is not
// idempotent on our side of the wire (a re-sent state is logged twice), so a
// request that Zoho may still be processing is waited for, up to
// AttemptTimeout (a minute by default, far beyond Zoho's slow answers),
// instead of being cancelled and sent again. A notification reaches Zoho
// twice only when an instance dies between Zoho's answer and the one-row
// commit that records it, or when Zoho answers later than AttemptTimeout.
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
// hear the rows' pg_notify('outbox') on a LISTEN connection; a poll
// (Options.Poll) covers lost notifications and rows that fall due after a
// backoff.
//
// Every attempt's result (delivered, retry, parked) is counted in
// Options.Metrics; the queue's size and age are the database gauges of
// internal/metrics, the same on every instance.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
	// Clients returns the PhoneBridge client of a company.
	Clients func(companyID int64) PhoneBridge
	Logger  *slog.Logger
	// Workers is the number of concurrent claim loops [2]; Batch the rows
	// one loop claims and delivers in parallel [16].
	Workers, Batch int
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
}

// DefaultAttemptTimeout is how long one delivery waits for Zoho by default:
// long enough that a slow Zoho is waited for rather than sent the
// notification a second time.
const DefaultAttemptTimeout = time.Minute

// Worker runs the delivery loops of one gateway instance.
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
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
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

// Kick wakes every idle loop now (new rows were written).
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
// wakes the loops.
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
	for range w.o.Workers {
		wg.Go(func() { w.loop(ctx) })
	}
	wg.Wait()
	return nil
}

// loop claims and delivers batches, sleeping when nothing is due.
func (w *Worker) loop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for ctx.Err() == nil {
		woken := w.woken() // before claiming, so a Kick meanwhile is not lost
		n, err := w.round(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Warn("outbox: delivery round failed", "error", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t.Reset(w.o.Poll)
		select {
		case <-ctx.Done():
		case <-woken:
		case <-t.C:
		}
	}
}

// round leases a batch and delivers its rows in parallel (they belong to
// different calls); each row's outcome is committed the moment it is known,
// so a crash can only re-send the rows still being sent. While rows are in
// flight their leases are renewed. A delivery already under way when ctx
// ends is finished, within its attempt timeout.
func (w *Worker) round(ctx context.Context) (int, error) {
	rows, err := w.o.Store.ClaimOutbox(ctx, w.owner, w.o.Batch, w.o.LeaseTTL)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	errs := make([]error, len(rows))
	inFlight := newFlight(rows)
	var wg sync.WaitGroup
	for i, r := range rows {
		wg.Go(func() {
			defer inFlight.done(r.ID)
			res := w.deliver(context.WithoutCancel(ctx), r)
			ok, err := w.o.Store.FinishOutbox(context.WithoutCancel(ctx), w.owner, res)
			if err == nil && !ok {
				w.log.Warn("outbox: lease lost before the outcome was recorded", "outbox_id", r.ID)
			}
			errs[i] = err
		})
	}
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		w.renewLeases(context.WithoutCancel(ctx), inFlight, stop)
	}()
	wg.Wait()
	close(stop)
	<-renewed
	return len(rows), errors.Join(errs...)
}

// flight is the set of claimed rows whose delivery has not finished.
type flight struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func newFlight(rows []store.OutboxRow) *flight {
	f := &flight{ids: make(map[int64]bool, len(rows))}
	for _, r := range rows {
		f.ids[r.ID] = true
	}
	return f
}

func (f *flight) done(id int64) {
	f.mu.Lock()
	delete(f.ids, id)
	f.mu.Unlock()
}

func (f *flight) list() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int64, 0, len(f.ids))
	for id := range f.ids {
		out = append(out, id)
	}
	return out
}

// renewLeases extends the leases of the rows still in flight every
// LeaseTTL/3 until stop is closed. A failed renewal is logged: the lease may
// then run out, and another instance send the row again.
func (w *Worker) renewLeases(ctx context.Context, f *flight, stop <-chan struct{}) {
	t := time.NewTicker(w.o.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if _, err := w.o.Store.ExtendOutboxLeases(ctx, w.owner, f.list(), w.o.LeaseTTL); err != nil {
			w.log.Warn("outbox: renewing leases failed", "error", err)
		}
	}
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
	pb := w.o.Clients(r.CompanyID)
	if r.Kind == store.OutboxClickToDialError {
		e := p.ClickToDialError()
		e.Message = p.Message
		return pb.ClickToDialError(ctx, e)
	}
	return pb.CallNotify(ctx, p.CallNotify())
}
