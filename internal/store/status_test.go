package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestCompanyFigures: every part of a company's status comes from its own
// rows, another company's rows never count, a company with nothing yet
// reads as zero, and the name filter ignores case.
func TestCompanyFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Connect(t, testdb.URL(t), testBox(t, 7))
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })

	fermax := newCompany(t, s, "Fermax")
	empty := newCompany(t, s, "acme")
	mustSync(t, s, fermax, seat("910726329"), seat("910726330"))
	s1 := seatID(t, s, fermax, "910726329@conecta.orange.es")
	if err := s.SetCentrexConnection(ctx, fermax, centrex.Connection{BaseURL: "https://xsp.example.com", UserID: "admin",
		Password: "pw", GroupID: "g", EnterpriseID: "e", IsEnterprise: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: fermax, Status: store.ZohoEnabled,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "r", AccessToken: "a", AccessExpiresAt: now.Add(time.Hour),
		RefreshedAt: now.Add(-5 * time.Minute), EnabledAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EventToken(ctx, fermax); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.TryLease(ctx, "subscription", fermax, "me", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.SaveSubscription(ctx, "me", "subscription", store.EventSubscription{CompanyID: fermax, SubscriptionID: "sub-9",
		RenewedAt: now, ExpiresAt: now.Add(time.Hour), LastError: "xsi: renew: 503"}); err != nil {
		t.Fatal(err)
	}

	// Three notifications: one delivered, one parked with its error, one
	// pending since a minute ago.
	enqueueCall(t, s, fermax, s1, "a", item("ringing"))
	claimed, err := s.ClaimOutbox(ctx, "me", 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatal(claimed, err)
	}
	if _, err := s.FinishOutbox(ctx, "me", store.OutboxResult{ID: claimed[0].ID, Delivered: true}); err != nil {
		t.Fatal(err)
	}
	enqueueCall(t, s, fermax, s1, "b", item("ringing"))
	claimed, _ = s.ClaimOutbox(ctx, "me", 10, time.Minute)
	if _, err := s.FinishOutbox(ctx, "me", store.OutboxResult{ID: claimed[0].ID, Park: true, Error: "zoho: HTTP 400"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	queued := now
	enqueueCall(t, s, fermax, s1, "c", item("ringing"))
	now = now.Add(time.Minute)

	all, err := s.CompanyFigures(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "acme" || all[1].Name != "Fermax" {
		t.Fatalf("companies = %+v, want acme then Fermax", all)
	}
	a, f := all[0], all[1]
	if a.CompanyID != empty || a.Integration != store.ZohoDisabled || a.HasCentrex || a.OutboxPending != 0 ||
		!a.SeatSync.SyncedAt.IsZero() || a.Subscription.SubscriptionID != "" || !a.OldestPendingAt.IsZero() {
		t.Errorf("empty company = %+v", a)
	}
	if f.Integration != store.ZohoEnabled || !f.AccessExpiresAt.Equal(now.Add(-2*time.Minute).Add(time.Hour)) || !f.HasCentrex {
		t.Errorf("integration figures = %+v", f)
	}
	if f.Subscription.SubscriptionID != "sub-9" || f.Subscription.LastError != "xsi: renew: 503" {
		t.Errorf("subscription = %+v", f.Subscription)
	}
	if f.SeatSync.Present != 2 || f.SeatSync.Source != store.SourceDirectory || f.SeatSync.SyncedAt.IsZero() {
		t.Errorf("seat sync = %+v", f.SeatSync)
	}
	if f.OutboxPending != 1 || f.OutboxParked != 1 || !f.OldestPendingAt.Equal(queued) || f.OutboxError != "zoho: HTTP 400" {
		t.Errorf("outbox = %d pending since %s, %d parked, error %q", f.OutboxPending, f.OldestPendingAt, f.OutboxParked, f.OutboxError)
	}

	one, err := s.CompanyFigures(ctx, "FERMAX")
	if err != nil || len(one) != 1 || one[0].CompanyID != fermax {
		t.Errorf("by name: %+v, %v", one, err)
	}
	if _, err := s.CompanyFigures(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown name: %v", err)
	}
}
