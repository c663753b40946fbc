package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestCallActivityFilters pages and filters a company's calls by seat,
// date, direction and how they went (the real outcome, not what Zoho was
// told), and never shows another company's calls.
func TestCallActivityFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co, other := newCompany(t, s, "fermax"), newCompany(t, s, "acme")
	mustSync(t, s, co, seat("910726329"), seat("910726330"))
	mustSync(t, s, other, seat("910726329"))
	s1, s2 := seatID(t, s, co, "910726329@conecta.orange.es"), seatID(t, s, co, "910726330@conecta.orange.es")
	otherSeat := seatID(t, s, other, "910726329@conecta.orange.es")

	// call saves one call with its state, created at now.
	call := func(company, seat int64, xsiID, state string, open bool) {
		t.Helper()
		err := s.InCallTx(ctx, company, func(ctx context.Context, tx store.CallTx) error {
			c, err := tx.LockCall(ctx, seat, xsiID, "zu")
			if err != nil {
				return err
			}
			c.ZohoCallID, c.State, c.Open = "z"+xsiID, json.RawMessage(state), true
			if err := tx.SaveCall(ctx, c); err != nil {
				return err
			}
			if !open {
				c.Open = false
				return tx.SaveCall(ctx, c)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	call(co, s1, "missed", `{"type":"received","phase":"released","outcome":"missed","sent":["ringing","ended"]}`, false)
	now = now.Add(time.Hour)
	call(co, s1, "talked", `{"type":"dialed","phase":"released","outcome":"ended"}`, false)
	now = now.Add(24 * time.Hour)
	call(co, s2, "busy", `{"type":"dialed","phase":"released","outcome":"busy"}`, false)
	call(co, s2, "ringing", `{"type":"received","phase":"ringing"}`, true)
	if err := s.RecordDialedCall(ctx, co, s2, "starting", "zu"); err != nil {
		t.Fatal(err)
	}
	call(other, otherSeat, "foreign", `{"type":"received","phase":"released","outcome":"missed"}`, false)

	day2 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    store.CallFilter
		want []string
	}{
		{"every call, newest first", store.CallFilter{}, []string{"starting", "ringing", "busy", "talked", "missed"}},
		{"one seat by number", store.CallFilter{Seat: "0726329"}, []string{"talked", "missed"}},
		{"missed, whatever was sent", store.CallFilter{State: store.CallsMissed}, []string{"missed"}},
		{"answered", store.CallFilter{State: store.CallsTalked}, []string{"talked"}},
		{"outgoing not answered", store.CallFilter{State: store.CallsFailed}, []string{"busy"}},
		{"in progress", store.CallFilter{State: store.CallsOpen}, []string{"starting", "ringing"}},
		{"incoming", store.CallFilter{Direction: "received"}, []string{"ringing", "missed"}},
		{"outgoing, a click-to-dial without events included", store.CallFilter{Direction: "dialed"}, []string{"starting", "busy", "talked"}},
		{"from a day", store.CallFilter{From: day2}, []string{"starting", "ringing", "busy"}},
		{"until a day", store.CallFilter{Until: day2}, []string{"talked", "missed"}},
		{"paged", store.CallFilter{Offset: 1, Limit: 2}, []string{"ringing", "busy"}},
		{"a wildcard is literal", store.CallFilter{Seat: "%"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, total, err := s.CallActivityPage(ctx, co, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range calls {
				got = append(got, c.XsiCallID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.f.Limit == 0 && total != len(tt.want) {
				t.Errorf("total %d, want %d", total, len(tt.want))
			}
		})
	}
	if calls, total, _ := s.CallActivityPage(ctx, co, store.CallFilter{Offset: 1, Limit: 2}); total != 5 || len(calls) != 2 {
		t.Errorf("a page counts every match: %d of %d", len(calls), total)
	}
}

// TestAuditPageFilters filters the audit log by text (actor or any detail
// value), date and action group, per company.
func TestAuditPageFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	a, _, _ := s.CreateCompany(ctx, "A", "a@a.com", "h")
	b, _, _ := s.CreateCompany(ctx, "B", "b@b.com", "h")
	audit := func(company int64, action string, detail map[string]string) {
		t.Helper()
		if err := s.Audit(ctx, company, "a@a.com", action, detail); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	audit(a.ID, "login", map[string]string{"client": "10.0.0.1"})
	audit(a.ID, "link.activated", map[string]string{"seat": "910726329@conecta.orange.es", "zoho_user": "miguel.martin@satec.es"})
	audit(a.ID, "zoho.enabled", map[string]string{"consented": "miguel.martin@satec.es"})
	audit(a.ID, "zoho.language", map[string]string{"lang": "en"})
	audit(b.ID, "link.activated", map[string]string{"seat": "910726329@conecta.orange.es"})

	tests := []struct {
		name string
		f    store.AuditFilter
		want []string
	}{
		{"all", store.AuditFilter{}, []string{"zoho.language", "zoho.enabled", "link.activated", "login"}},
		{"a detail value", store.AuditFilter{Search: "MIGUEL"}, []string{"zoho.enabled", "link.activated"}},
		{"the actor", store.AuditFilter{Search: "a@a.com"}, []string{"zoho.language", "zoho.enabled", "link.activated", "login"}},
		{"not the keys", store.AuditFilter{Search: "seat"}, nil},
		{"a prefix", store.AuditFilter{Actions: []string{"zoho."}}, []string{"zoho.language", "zoho.enabled"}},
		{"exact and prefix", store.AuditFilter{Actions: []string{"login", "link."}}, []string{"link.activated", "login"}},
		{"dates", store.AuditFilter{From: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Until: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}, []string{"zoho.enabled", "link.activated"}},
		{"paged", store.AuditFilter{Offset: 3, Limit: 2}, []string{"login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, total, err := s.AuditPage(ctx, a.ID, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range log {
				got = append(got, e.Action)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.f.Limit == 0 && total != len(tt.want) {
				t.Errorf("total %d, want %d", total, len(tt.want))
			}
		})
	}
}

func TestCompanyTimeZone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	c, a, _ := s.CreateCompany(ctx, "A", "a@a.com", "h")
	if c.TimeZone != "Europe/Madrid" {
		t.Fatalf("default zone %q", c.TimeZone)
	}
	if err := s.SetCompanyTimeZone(ctx, c.ID, "Atlantic/Canary"); err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.AdminWithCompany(ctx, a.ID); err != nil || got.TimeZone != "Atlantic/Canary" {
		t.Fatalf("after set: %+v %v", got, err)
	}
	if err := s.SetCompanyTimeZone(ctx, c.ID+100, "UTC"); err == nil {
		t.Fatal("set on a missing company")
	}
}
