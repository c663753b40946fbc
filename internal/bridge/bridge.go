package bridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/bridge/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Options builds a Bridge. Zero durations take the defaults in brackets.
type Options struct {
	Store *store.Store
	Box   *secretbox.Box
	// PublicURL is the origin the Centrex reaches the gateway at (the events
	// contact is built from it), without a trailing slash.
	PublicURL string
	// HTTP is the client the Xsi requests use [10s timeout].
	HTTP *http.Client
	// PBX returns a company's Centrex client [Xsi from the stored
	// connection]; tests replace it.
	PBX func(ctx context.Context, companyID int64) (centrex.PBX, error)
	// Kick is called after notifications were queued (outbox.Worker.Kick).
	Kick     func()
	Settings callflow.Settings
	Logger   *slog.Logger
	// Instance names this gateway instance in subscription leases
	// [hostname-pid-random].
	Instance string
	// SubscriptionCheck is how often subscriptions are checked [30s];
	// SubscriptionExpires the lifetime asked for [1h]; LeaseTTL how long an
	// instance owns a company's subscription without renewing its lease [2m].
	SubscriptionCheck, SubscriptionExpires, LeaseTTL time.Duration
	// SweepEvery is the sweeper's period [30s]; StaleAfter how long a call
	// may go without events before it is checked with the Centrex [2m].
	SweepEvery, StaleAfter time.Duration
}

// Bridge serves the telephony bridge's endpoints and runs its background
// loops (subscriptions, sweeper).
type Bridge struct {
	o    Options
	log  *slog.Logger
	subs chan struct{} // wakes the subscription manager
}

// New returns a Bridge.
func New(o Options) *Bridge {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.SubscriptionCheck, 30*time.Second)
	def(&o.SubscriptionExpires, time.Hour)
	def(&o.LeaseTTL, 2*time.Minute)
	def(&o.SweepEvery, 30*time.Second)
	def(&o.StaleAfter, 2*time.Minute)
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Kick == nil {
		o.Kick = func() {}
	}
	if o.Instance == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		o.Instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bridge{o: o, log: log, subs: make(chan struct{}, 1)}
	if b.o.PBX == nil {
		b.o.PBX = b.xsiPBX
	}
	return b
}

// xsiPBX builds the company's Xsi client from its stored connection.
func (b *Bridge) xsiPBX(ctx context.Context, companyID int64) (centrex.PBX, error) {
	conn, err := b.o.Store.CentrexConnection(ctx, b.o.Box, companyID)
	if err != nil {
		return nil, err
	}
	return xsi.New(conn.Connection, b.o.HTTP), nil
}

// Routes registers the bridge's endpoints:
//
//	POST /bridge/zoho/clicktodial           Zoho click-to-dial
//	POST /bridge/zoho/call/{action}         Zoho call control
//	POST /bridge/centrex/events/{token}     Xsi-Events HTTP contact
func (b *Bridge) Routes(r chi.Router) {
	r.Post(ClickToDialPath, b.handleClickToDial)
	for _, a := range CallActions() {
		r.Post(CallControlPath(a), b.callControl(a))
	}
	r.Post(EventsPrefix+"{token}", b.handleEvents)
}

// Handler is Routes on a router of its own, to mount under /bridge/.
func (b *Bridge) Handler() http.Handler {
	r := chi.NewRouter()
	b.Routes(r)
	return r
}

// Run runs the subscription manager and the sweeper until ctx ends.
func (b *Bridge) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); b.runSubscriptions(ctx) }()
	b.runSweeper(ctx)
	<-done
}

// WakeSubscriptions asks the subscription manager to check now instead of
// at its next period: the integration calls it when a company's integration
// is enabled or disabled, so events start (or stop) flowing at once.
func (b *Bridge) WakeSubscriptions() { b.wakeSubscriptions() }

// wakeSubscriptions asks the manager to check subscriptions now.
func (b *Bridge) wakeSubscriptions() {
	select {
	case b.subs <- struct{}{}:
	default:
	}
}

// text writes a short plain-text answer.
func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// serverError logs err and answers 500 without detail.
func (b *Bridge) serverError(w http.ResponseWriter, r *http.Request, err error) {
	b.log.Error("bridge: request failed", "method", r.Method, "path", redactPath(r.URL.Path), "error", err)
	text(w, http.StatusInternalServerError, "internal error")
}

// redactPath hides the events token in logs.
func redactPath(p string) string {
	if strings.HasPrefix(p, EventsPrefix) {
		return EventsPrefix + "[token]"
	}
	return p
}
