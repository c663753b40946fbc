package status

import (
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

func TestDerive(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	live := store.EventSubscription{SubscriptionID: "sub-1", RenewedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	for _, tc := range []struct {
		name  string
		f     store.CompanyFigures
		token TokenState
		sub   SubscriptionState
		err   string
	}{
		{"never enabled", store.CompanyFigures{Integration: store.ZohoDisabled}, TokenNone, SubscriptionOff, ""},
		{"enabled, no Centrex yet", store.CompanyFigures{Integration: store.ZohoEnabled, AccessExpiresAt: now.Add(time.Hour)},
			TokenValid, SubscriptionOff, ""},
		{"enabled and subscribed", store.CompanyFigures{Integration: store.ZohoEnabled, HasCentrex: true, Subscription: live},
			TokenExpired, SubscriptionActive, ""},
		{"waiting for its first subscription", store.CompanyFigures{Integration: store.ZohoEnabled, HasCentrex: true},
			TokenExpired, SubscriptionNone, ""},
		{"subscription expired", store.CompanyFigures{Integration: store.ZohoEnabled, HasCentrex: true,
			Subscription: store.EventSubscription{SubscriptionID: "sub-1", ExpiresAt: now.Add(-time.Second)}},
			TokenExpired, SubscriptionNone, ""},
		{"subscription failing", store.CompanyFigures{Integration: store.ZohoEnabled, HasCentrex: true,
			Subscription: store.EventSubscription{LastError: "xsi: 403 Forbidden"}},
			TokenExpired, SubscriptionFailing, "centrex: xsi: 403 Forbidden"},
		{"a stale error once the integration is off", store.CompanyFigures{Integration: store.ZohoDisabled, HasCentrex: true,
			Subscription: store.EventSubscription{LastError: "old"}}, TokenNone, SubscriptionOff, ""},
		{"needs consent", store.CompanyFigures{Integration: store.ZohoNeedsConsent, IntegrationError: "needs_consent",
			HasCentrex: true, Subscription: live, OutboxPending: 2, OutboxError: "zoho: callnotify: HTTP 401"},
			TokenNeedsConsent, SubscriptionActive, "zoho: needs_consent"},
		{"outbox error while rows wait", store.CompanyFigures{Integration: store.ZohoEnabled, OutboxParked: 1,
			OutboxError: "zoho: callnotify: HTTP 400"}, TokenExpired, SubscriptionOff, "outbox: zoho: callnotify: HTTP 400"},
		{"an old outbox error once all is delivered", store.CompanyFigures{Integration: store.ZohoEnabled,
			OutboxError: "zoho: callnotify: HTTP 503"}, TokenExpired, SubscriptionOff, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Derive(tc.f, now)
			if c.Token != tc.token || c.SubscriptionState != tc.sub || c.LastError != tc.err {
				t.Errorf("token %s, subscription %s, last error %q; want %s, %s, %q", c.Token, c.SubscriptionState, c.LastError,
					tc.token, tc.sub, tc.err)
			}
		})
	}
	c := Derive(store.CompanyFigures{OutboxPending: 1, OldestPendingAt: now.Add(-90 * time.Second)}, now)
	if c.OldestPendingAge != 90*time.Second {
		t.Errorf("oldest pending age = %s", c.OldestPendingAge)
	}
}

func TestSum(t *testing.T) {
	t.Parallel()
	cs := []Company{
		{CompanyFigures: store.CompanyFigures{Integration: store.ZohoEnabled, OutboxPending: 2, OutboxParked: 1},
			SubscriptionState: SubscriptionActive, OldestPendingAge: time.Minute},
		{CompanyFigures: store.CompanyFigures{Integration: store.ZohoEnabled, OutboxPending: 1},
			SubscriptionState: SubscriptionFailing, OldestPendingAge: 5 * time.Minute},
		{CompanyFigures: store.CompanyFigures{Integration: store.ZohoDisabled}, SubscriptionState: SubscriptionOff},
	}
	s := Sum(cs)
	if s.Companies != 3 || s.Pending != 3 || s.Parked != 1 || s.OldestPendingAge != 5*time.Minute ||
		s.Integrations[store.ZohoEnabled] != 2 || s.Integrations[store.ZohoNeedsConsent] != 0 ||
		s.Subscriptions[SubscriptionActive] != 1 || s.Subscriptions[SubscriptionFailing] != 1 || s.Subscriptions[SubscriptionNone] != 0 {
		t.Errorf("Sum = %+v", s)
	}
	if _, ok := s.Integrations[store.ZohoDisabling]; !ok {
		t.Error("a status with no company is missing from the totals")
	}
}

// TestNeedsAttention: anything failing, a parked notification or one
// pending over five minutes flags a company; a quiet one, one pending for
// less, and a switched-off one are not flagged.
func TestNeedsAttention(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ok := store.CompanyFigures{Integration: store.ZohoEnabled, AccessExpiresAt: now.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(f *store.CompanyFigures)
		want bool
	}{
		{"quiet", func(*store.CompanyFigures) {}, false},
		{"pending four minutes", func(f *store.CompanyFigures) { f.OutboxPending, f.OldestPendingAt = 3, now.Add(-4*time.Minute) }, false},
		{"pending six minutes", func(f *store.CompanyFigures) { f.OutboxPending, f.OldestPendingAt = 1, now.Add(-6*time.Minute) }, true},
		{"parked", func(f *store.CompanyFigures) { f.OutboxParked = 1 }, true},
		{"needs consent", func(f *store.CompanyFigures) { f.Integration = store.ZohoNeedsConsent }, true},
		{"disable half way", func(f *store.CompanyFigures) { f.Integration = store.ZohoDisabling }, true},
		{"failing subscription", func(f *store.CompanyFigures) {
			f.HasCentrex, f.Subscription.LastError = true, "centrex refused"
		}, true},
		{"switched off with parked", func(f *store.CompanyFigures) { f.OutboxParked, f.SwitchedOffAt = 2, now }, false},
	} {
		f := ok
		tc.edit(&f)
		if got := Derive(f, now).NeedsAttention(); got != tc.want {
			t.Errorf("%s: NeedsAttention = %v, want %v", tc.name, got, tc.want)
		}
	}
}
