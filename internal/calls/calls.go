// Package calls is the telephony bridge's call use case, between the HTTP
// adapters of internal/bridge and the store:
//
//   - a Centrex event in (ApplyEvent, ApplyContactEvent): deduplicated by
//     event id, fed to the call's state machine (callflow), and the call's
//     new state and the notifications it caused written to the outbox, in
//     one transaction shared with the events that arrived meanwhile (group
//     commit, group.go), answered once it committed;
//   - a Zoho click-to-dial (Dial) placed from the linked seat, or reported
//     back to Zoho as a clicktodialerror in the company's language;
//   - a Zoho call-control action (Control) on a call of the linked seat;
//   - gap recovery (Gap, GapAll, Recover): after anything that may have lost
//     events, the calls in progress of every linked seat are read from the
//     Centrex and applied, so calls that began meanwhile pop up and calls
//     that ended are closed;
//   - the sweeper (Sweep): open calls without events for a while are
//     checked against the Centrex's list of the seat's calls, brought up to
//     date or closed with their terminal notification.
//
// What every event and click-to-dial needs of a company (its events token,
// its links, its Centrex client) is cached per company (cache.go) and
// confirmed current by the company's version row, which the database bumps
// with any change of those: a change made on any instance counts at once.
//
// A call is the seat's Xsi call id and an incarnation: a restarted PBX
// numbers its calls from callhalf-1:0 again, and an event that shows
// another call under a known id (callflow.IsNewCall) starts a new one.
//
// It knows nothing of HTTP: the bridge parses requests and maps the errors
// here to status codes.
package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/cachelease"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
)

// Options builds a Service. Zero durations take the defaults in brackets.
type Options struct {
	Store *store.Store
	// PBX returns a company's Centrex client (required). Click-to-dial and
	// call control keep the one it returned until the company's version
	// changes (a new credential changes it).
	PBX func(ctx context.Context, companyID int64) (centrex.PBX, error)
	// Kick is called after notifications were queued (outbox.Worker.Kick).
	Kick func()
	// Subscriptions is woken when the Centrex says a subscription ended, so
	// the manager subscribes again at once; nil wakes nobody.
	Subscriptions subscriptions.Wake
	// Settings are the state machine's choices (callflow.DefaultSettings).
	Settings callflow.Settings
	Logger   *slog.Logger
	// Metrics counts the event groups (their size, time, reruns); nil
	// counts nothing.
	Metrics *metrics.Metrics
	// Lease, while it runs, lets a click-to-dial trust the company's cache
	// entry without reading its version (internal/cachelease); nil: every
	// click-to-dial reads it.
	Lease *cachelease.Lease
	// Now is the clock of every time this package takes [time.Now].
	Now func() time.Time
	// SweepEvery is the sweeper's period [30s]; StaleAfter how long a call
	// may go without events before it is checked with the Centrex [2m].
	SweepEvery, StaleAfter time.Duration
	// RecoverGrace is how long a call the Centrex no longer lists is left
	// open by the recovery after a gap, counted from the later of its last
	// event and the gap's end, because the Centrex may still be sending
	// the events that end it [30s].
	RecoverGrace time.Duration
}

// Service runs the call use case. It is safe for concurrent use, and for
// use by several gateway instances on one database: every change of a call
// happens under its row lock.
type Service struct {
	o   Options
	log *slog.Logger

	cache *cache
	g     grouper
	dials dialRecords

	mu      sync.Mutex
	gaps    map[int64]time.Time // companies to Recover, and when
	gapped  map[int64]time.Time // when each company's latest gap was noted
	gapWake chan struct{}
}

// New returns a Service.
func New(o Options) *Service {
	if o.SweepEvery <= 0 {
		o.SweepEvery = 30 * time.Second
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 2 * time.Minute
	}
	if o.RecoverGrace <= 0 {
		o.RecoverGrace = 30 * time.Second
	}
	if o.Kick == nil {
		o.Kick = func() {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o, log: log, cache: newCache(o.Store, o.PBX, o.Lease), gaps: map[int64]time.Time{}, gapped: map[int64]time.Time{},
		gapWake: make(chan struct{}, 1)}
}

// step is one transition of a call's state machine.
type step func(callflow.State, callflow.Link) (callflow.State, []callflow.Notification, error)

// advance runs one step on a locked call, saves its new state and queues
// its notifications; it returns how many were queued.
func (s *Service) advance(ctx context.Context, tx store.CallTx, call store.Call, link store.Link, fn step) (int, error) {
	call, items, err := s.transition(ctx, call, link, fn)
	if err != nil {
		return 0, err
	}
	if err := tx.EnqueueCall(ctx, &call, items); err != nil { // counts them on call
		return 0, err
	}
	if err := tx.SaveCall(ctx, call); err != nil {
		return 0, err
	}
	return len(items), nil
}

// transition runs one step on a locked call and returns the call with its
// new state and the notifications to queue under its ZohoCallID; it
// writes nothing.
func (s *Service) transition(ctx context.Context, call store.Call, link store.Link, fn step) (store.Call, []store.OutboxItem, error) {
	st, err := decodeState(call)
	if err != nil {
		return call, nil, err
	}
	if st.ID == "" {
		st.Incarnation = call.Incarnation
	}
	next, notes, err := fn(st, callflow.Link{ZohoUser: link.ZohoUserID, SeatNumber: link.SeatNumber})
	if err != nil {
		return call, nil, fmt.Errorf("call %d: %w", call.ID, err)
	}
	callflow.FillStartTime(notes, s.o.Now())
	items := make([]store.OutboxItem, 0, len(notes))
	for _, n := range notes {
		msg := ""
		if n.Endpoint == callflow.EndpointClickToDialError {
			msg = s.dialErrorMessage(ctx, call.CompanyID, n.State)
		}
		it, err := outbox.Item(n, msg)
		if err != nil {
			return call, nil, err
		}
		items = append(items, it)
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return call, nil, fmt.Errorf("call %d: encode state: %w", call.ID, err)
	}
	call.State, call.Open, call.ZohoCallID, call.ExtTrackingID = raw, next.Open(), next.ID, next.ExtTrackingID
	return call, items, nil
}

// decodeState reads a stored call's state machine state.
func decodeState(call store.Call) (callflow.State, error) {
	var st callflow.State
	if err := json.Unmarshal(call.State, &st); err != nil {
		return st, fmt.Errorf("call %d: stored state: %w", call.ID, err)
	}
	return st, nil
}

// dialErrorMessage is the text shown in Zoho with a clicktodialerror, in
// the company's language (Spanish when it cannot be read).
func (s *Service) dialErrorMessage(ctx context.Context, companyID int64, code string) string {
	return s.message(ctx, companyID, "dialerror."+code)
}

// message is the text key in the company's language.
func (s *Service) message(ctx context.Context, companyID int64, key string, args ...any) string {
	lang, err := s.o.Store.CompanyLanguage(ctx, companyID)
	if err != nil {
		s.log.WarnContext(ctx, "calls: company language", "company_id", companyID, "error", err)
	}
	l, _ := i18n.Parse(lang)
	return l.T(key, args...)
}
