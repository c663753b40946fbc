// Package subscriptions keeps each company's Xsi-Events subscription alive:
// every company with a Centrex connection and an enabled Zoho integration
// has one subscription to the "Advanced Call" package of its group,
// delivered by HTTP contact to the gateway; it is created, renewed at
// half-life, re-created when the Centrex lost it, and dropped when the
// company no longer qualifies.
//
// Exactly one gateway instance manages a company's subscription at a time:
// it holds the company's "subscription" lease (store.TryLease), extends it
// on every round, and other instances skip the company while the lease
// lives. If the holder dies, the lease runs out and another instance takes
// over.
package subscriptions

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplicationID is sent with every subscription.
const ApplicationID = "conecta-zoho-gateway"

// LeaseName names the per-company lease the manager holds.
const LeaseName = "subscription"

// Wake asks the manager to check the subscriptions now instead of at its
// next period. It is a channel with room for one signal: signals sent while
// one is pending merge into it, and Signal never blocks. The zero value (nil)
// wakes nobody.
type Wake chan struct{}

// NewWake returns a Wake for one Manager and its senders.
func NewWake() Wake { return make(Wake, 1) }

// Signal wakes the manager without waiting.
func (w Wake) Signal() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// Options builds a Manager. Zero durations take the defaults in brackets.
type Options struct {
	Store *store.Store
	// PBX returns a company's Centrex client (required).
	PBX func(ctx context.Context, companyID int64) (centrex.PBX, error)
	// ContactURL returns the HTTP-contact URL the Centrex posts a company's
	// events to, from the company's events token (required).
	ContactURL func(token string) string
	// Wake makes the manager check now (an integration was enabled or
	// disabled, a subscription ended); nil means only the period.
	Wake Wake
	// Instance names this gateway instance on the leases it holds
	// (store.InstanceID).
	Instance string
	Logger   *slog.Logger
	// Now is the manager's clock [time.Now].
	Now func() time.Time
	// Check is how often subscriptions are checked [30s]; Expires the
	// lifetime asked for [1h]; LeaseTTL how long an instance owns a
	// company's subscription without renewing its lease [2m].
	Check, Expires, LeaseTTL time.Duration
}

// Manager keeps the subscriptions of every company alive.
type Manager struct {
	o   Options
	log *slog.Logger
}

// New returns a Manager.
func New(o Options) *Manager {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Check, 30*time.Second)
	def(&o.Expires, time.Hour)
	def(&o.LeaseTTL, 2*time.Minute)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Instance == "" {
		o.Instance = store.InstanceID()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{o: o, log: log}
}

// Run keeps every company's subscription alive until ctx ends, and then
// returns nil: every Check, and at once when woken. A company whose
// Centrex fails is logged and tried again next round.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.o.Check)
	defer t.Stop()
	for {
		m.ManageAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.o.Wake:
		}
	}
}

// ManageAll visits every company once: those with a Centrex connection and
// an enabled Zoho integration get a subscription (created, renewed at
// half-life, re-created when the Centrex lost it); those that no longer
// qualify lose theirs. A company is handled only by the instance holding
// its lease; others skip it.
func (m *Manager) ManageAll(ctx context.Context) {
	want, drop, err := m.o.Store.SubscribableCompanies(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Warn("subscriptions: list companies", "error", err)
		}
		return
	}
	for _, id := range want {
		if err := m.manage(ctx, id, true); err != nil && ctx.Err() == nil {
			m.log.Warn("subscriptions: subscribe", "company_id", id, "error", err)
		}
	}
	for _, id := range drop {
		if err := m.manage(ctx, id, false); err != nil && ctx.Err() == nil {
			m.log.Warn("subscriptions: unsubscribe", "company_id", id, "error", err)
		}
	}
}

// manage brings one company's subscription to what it should be.
func (m *Manager) manage(ctx context.Context, companyID int64, keep bool) error {
	token, err := m.o.Store.EventToken(ctx, companyID)
	if err != nil {
		return err
	}
	ok, err := m.o.Store.TryLease(ctx, LeaseName, companyID, m.o.Instance, m.o.LeaseTTL)
	if err != nil || !ok {
		return err
	}
	sub, err := m.o.Store.EventSubscriptionOf(ctx, companyID)
	if err != nil {
		return err
	}
	now := m.o.Now()
	if keep && sub.SubscriptionID != "" && now.Before(sub.RenewAt()) {
		return nil
	}
	pbx, err := m.o.PBX(ctx, companyID)
	if err != nil {
		return m.save(ctx, sub, err)
	}
	if !keep {
		err := pbx.Unsubscribe(ctx, sub.SubscriptionID)
		if err != nil && !errors.Is(err, centrex.ErrNotFound) {
			return m.save(ctx, sub, err)
		}
		sub.SubscriptionID, sub.RenewedAt, sub.ExpiresAt = "", time.Time{}, time.Time{}
		return m.save(ctx, sub, nil)
	}
	if sub.SubscriptionID != "" {
		got, err := pbx.Renew(ctx, sub.SubscriptionID, m.o.Expires)
		if err == nil {
			sub.RenewedAt, sub.ExpiresAt = now, now.Add(got.Expires)
			return m.save(ctx, sub, nil)
		}
		if !errors.Is(err, centrex.ErrNotFound) {
			return m.save(ctx, sub, err)
		}
		m.log.Info("subscriptions: subscription lost, subscribing again", "company_id", companyID)
	}
	got, err := pbx.Subscribe(ctx, centrex.SubscribeRequest{
		HTTPContactURL: m.o.ContactURL(token),
		Expires:        m.o.Expires,
		ApplicationID:  ApplicationID,
	})
	if err != nil {
		sub.SubscriptionID = ""
		return m.save(ctx, sub, err)
	}
	m.log.Info("subscriptions: subscribed to call events", "company_id", companyID, "expires", got.Expires)
	sub.SubscriptionID, sub.RenewedAt, sub.ExpiresAt = got.ID, now, now.Add(got.Expires)
	return m.save(ctx, sub, nil)
}

// save stores sub with cause as its last error, and returns cause (or the
// store's error).
func (m *Manager) save(ctx context.Context, sub store.EventSubscription, cause error) error {
	sub.LastError = ""
	if cause != nil {
		sub.LastError = cause.Error()
	}
	if err := m.o.Store.SaveSubscription(ctx, m.o.Instance, LeaseName, sub); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}
