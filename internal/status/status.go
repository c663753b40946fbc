// Package status tells an operator how each company's integration is
// doing, from the database alone (store.CompanyFigures), so that any
// instance or a one-shot command can answer: whether its Zoho integration
// is on and its access token good, whether its Centrex subscription is
// alive, when its seats were last read, how many notifications wait in the
// outbox and since when, and the last error.
//
// `gateway status` prints it; the metrics (internal/metrics) export its
// totals on every scrape; an operator console can show the same Company
// values.
package status

import (
	"context"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

// TokenState is how usable a company's Zoho access token is.
type TokenState string

// The token states.
const (
	// TokenNone: the integration is off; there is no token.
	TokenNone TokenState = "none"
	// TokenValid: the stored access token works until AccessExpiresAt.
	TokenValid TokenState = "valid"
	// TokenExpired: the access token ran out; the next PhoneBridge call
	// refreshes it (normal for a quiet company).
	TokenExpired TokenState = "expired"
	// TokenNeedsConsent: Zoho refused the refresh token; the company's
	// administrator must enable the integration again.
	TokenNeedsConsent TokenState = "needs_consent"
)

// SubscriptionState is how a company's Xsi-Events subscription is doing.
type SubscriptionState string

// The subscription states.
const (
	// SubscriptionActive: subscribed, not expired, the last attempt worked.
	SubscriptionActive SubscriptionState = "active"
	// SubscriptionFailing: the last subscribe, renew or unsubscribe failed
	// (its error is in Subscription.LastError); it is tried again every
	// round.
	SubscriptionFailing SubscriptionState = "failing"
	// SubscriptionNone: the company should have one (a Centrex connection
	// and an enabled integration) and has none yet, or it expired.
	SubscriptionNone SubscriptionState = "none"
	// SubscriptionOff: the company needs none.
	SubscriptionOff SubscriptionState = "off"
)

// Company is one company's status.
type Company struct {
	store.CompanyFigures
	Token             TokenState
	SubscriptionState SubscriptionState
	// OldestPendingAge is how long the oldest pending notification has
	// waited (0: none pending).
	OldestPendingAge time.Duration
	// LastError is the most pressing error, prefixed by its part ("zoho:",
	// "centrex:", "outbox:"): the integration's, then a failing
	// subscription's, then that of the latest notification that failed
	// while some are undelivered. Empty when all is well.
	LastError string
}

// Service reads companies' status.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New returns a Service; now nil means time.Now.
func New(st *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// Companies returns the status of every company (by name), or of the one
// named name (any case; store.ErrNotFound when there is none).
func (s *Service) Companies(ctx context.Context, name string) ([]Company, error) {
	figs, err := s.store.CompanyFigures(ctx, name)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]Company, len(figs))
	for i, f := range figs {
		out[i] = Derive(f, now)
	}
	return out, nil
}

// Company returns the status of the company with that id
// (store.ErrNotFound when there is none).
func (s *Service) Company(ctx context.Context, companyID int64) (Company, error) {
	f, err := s.store.CompanyFiguresByID(ctx, companyID)
	if err != nil {
		return Company{}, err
	}
	return Derive(f, s.now()), nil
}

// Derive reads a company's states from its figures at time now.
func Derive(f store.CompanyFigures, now time.Time) Company {
	c := Company{CompanyFigures: f}
	switch f.Integration {
	case store.ZohoNeedsConsent:
		c.Token = TokenNeedsConsent
	case store.ZohoEnabled, store.ZohoDisabling:
		c.Token = TokenExpired
		if f.AccessExpiresAt.After(now) {
			c.Token = TokenValid
		}
	default:
		c.Token = TokenNone
	}

	wanted := f.HasCentrex && f.Integration == store.ZohoEnabled
	sub := f.Subscription
	switch {
	case !wanted && sub.SubscriptionID == "":
		c.SubscriptionState = SubscriptionOff
	case sub.LastError != "":
		c.SubscriptionState = SubscriptionFailing
	case sub.SubscriptionID != "" && sub.ExpiresAt.After(now):
		c.SubscriptionState = SubscriptionActive
	default:
		c.SubscriptionState = SubscriptionNone
	}

	if f.OutboxPending > 0 && !f.OldestPendingAt.IsZero() {
		c.OldestPendingAge = max(now.Sub(f.OldestPendingAt), 0)
	}

	switch {
	case f.IntegrationError != "" && f.Integration != store.ZohoDisabled:
		c.LastError = "zoho: " + f.IntegrationError
	case c.SubscriptionState == SubscriptionFailing:
		c.LastError = "centrex: " + sub.LastError
	case f.OutboxError != "" && f.OutboxPending+f.OutboxParked > 0:
		c.LastError = "outbox: " + f.OutboxError
	}
	return c
}

// AttentionAge is how long a pending notification may wait before its
// company needs attention.
const AttentionAge = 5 * time.Minute

// NeedsAttention reports whether someone should look at the company:
// anything failing (an integration error or a disable left half way, a
// token Zoho refused, a failing subscription, any last error), a parked
// notification, or a pending one older than AttentionAge. A switched-off
// company needs none.
func (c Company) NeedsAttention() bool {
	if !c.SwitchedOffAt.IsZero() {
		return false
	}
	return c.LastError != "" || c.Token == TokenNeedsConsent || c.Integration == store.ZohoDisabling ||
		c.SubscriptionState == SubscriptionFailing || c.OutboxParked > 0 || c.OldestPendingAge > AttentionAge
}

// Totals are the figures of every company together.
type Totals struct {
	Companies int
	// Integrations counts the companies per integration status.
	Integrations map[store.ZohoStatus]int
	// Subscriptions counts the companies per subscription state.
	Subscriptions map[SubscriptionState]int
	// Pending and Parked are the outbox's undelivered notifications;
	// OldestPendingAge is the oldest pending one's wait.
	Pending, Parked  int
	OldestPendingAge time.Duration
}

// Sum adds the companies up. Every status and state is present in the
// maps, zero or not.
func Sum(cs []Company) Totals {
	t := Totals{
		Companies:     len(cs),
		Integrations:  map[store.ZohoStatus]int{},
		Subscriptions: map[SubscriptionState]int{},
	}
	for _, s := range []store.ZohoStatus{store.ZohoDisabled, store.ZohoEnabled, store.ZohoNeedsConsent, store.ZohoDisabling} {
		t.Integrations[s] = 0
	}
	for _, s := range []SubscriptionState{SubscriptionActive, SubscriptionFailing, SubscriptionNone, SubscriptionOff} {
		t.Subscriptions[s] = 0
	}
	for _, c := range cs {
		t.Integrations[c.Integration]++
		t.Subscriptions[c.SubscriptionState]++
		t.Pending += c.OutboxPending
		t.Parked += c.OutboxParked
		t.OldestPendingAge = max(t.OldestPendingAge, c.OldestPendingAge)
	}
	return t
}
