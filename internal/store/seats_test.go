package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestSyncSeatsAddsChangesMarksGoneAndBringsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co := newCompany(t, s, "fermax")

	a, b, c := seat("910726329"), seat("910726330"), seat("910726331")
	r := mustSync(t, s, co, a, b, c, a) // a repeated: first entry wins
	if r.Present != 3 || r.Added != 3 || r.Changed != 0 || r.Gone != 0 || r.Returned != 0 {
		t.Fatalf("first sync: %+v", r)
	}
	la := mustLink(t, s, co, seatID(t, s, co, a.UserID), store.ZohoUser{ID: "1001", Email: "a@x.es", Name: "A"})
	lb, _, err := s.CreateLink(ctx, co, seatID(t, s, co, b.UserID), store.ZohoUser{ID: "1002"}) // linked, not enabled
	if err != nil {
		t.Fatal(err)
	}

	now = now.Add(time.Hour)
	c.FirstName = "Carmen"
	r = mustSync(t, s, co, c)
	if r.Present != 1 || r.Added != 0 || r.Changed != 1 || r.Gone != 2 {
		t.Fatalf("second sync: %+v", r)
	}
	switchOff, err := s.GoneEnabledLinks(ctx, co)
	if err != nil || len(switchOff) != 1 || switchOff[0].ID != la.ID || !switchOff[0].SeatGone {
		t.Fatalf("switch off = %+v, %v; want only the enabled link %d", switchOff, err, la.ID)
	}
	if ids, err := s.CompaniesWithGoneEnabledLinks(ctx); err != nil || len(ids) != 1 || ids[0] != co {
		t.Fatalf("companies with links to switch off: %v, %v", ids, err)
	}
	gone, err := s.SeatByUserID(ctx, co, a.UserID)
	if err != nil || !gone.Gone() || !gone.GoneAt.Equal(now) {
		t.Fatalf("seat a after it left: %+v, %v", gone, err)
	}
	if l, _ := s.LinkByID(ctx, co, lb.ID); !l.SeatGone {
		t.Fatalf("link of gone seat b: %+v", l)
	}
	if _, err := s.SetLinkEnabled(ctx, co, lb.ID, true); !errors.Is(err, store.ErrSeatGone) {
		t.Fatalf("enable link of a gone seat: %v", err)
	}
	if _, err := s.SetLinkEnabled(ctx, co, la.ID, false); err != nil {
		t.Fatalf("disable link of a gone seat: %v", err)
	}

	unchanged, _ := s.SeatByUserID(ctx, co, c.UserID)
	now = now.Add(time.Hour)
	r = mustSync(t, s, co, a, c)
	if r.Returned != 1 || r.Gone != 0 || r.Changed != 0 || r.Added != 0 {
		t.Fatalf("third sync: %+v", r)
	}
	if switchOff, err := s.GoneEnabledLinks(ctx, co); err != nil || len(switchOff) != 0 {
		t.Fatalf("third sync: switch off %+v, %v", switchOff, err)
	}
	back, _ := s.SeatByUserID(ctx, co, a.UserID)
	if back.Gone() || !back.SyncedAt.Equal(now) {
		t.Fatalf("seat a came back: %+v", back)
	}
	if l, _ := s.LinkByID(ctx, co, la.ID); l.Enabled || l.SeatGone {
		t.Fatalf("link of the returned seat must stay disabled: %+v", l)
	}
	if again, _ := s.SeatByUserID(ctx, co, c.UserID); !again.SyncedAt.Equal(unchanged.SyncedAt) {
		t.Fatalf("an unchanged seat was rewritten: synced_at %v → %v", unchanged.SyncedAt, again.SyncedAt)
	}
	last, err := s.LastSeatSync(ctx, co)
	if err != nil || last.Present != 2 || last.Gone != 1 || !last.SyncedAt.Equal(now) || last.Source != store.SourceDirectory {
		t.Fatalf("last sync = %+v, %v", last, err)
	}
}

func TestSyncSeatsImportReplacesSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	r, err := s.SyncSeats(ctx, co, []centrex.Seat{seat("910726329"), seat("910726330")}, store.SourceImport)
	if err != nil || r.Added != 1 || r.Changed != 1 {
		t.Fatalf("import: %+v, %v", r, err)
	}
	st, _ := s.SeatByUserID(ctx, co, "910726329@conecta.orange.es")
	if st.Source != store.SourceImport || st.Extension != "6329" {
		t.Fatalf("seat after import: %+v", st)
	}
}

func TestSyncSeatsRefusesBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	tests := []struct {
		name   string
		seats  []centrex.Seat
		source store.SeatSource
	}{
		{"unknown source", []centrex.Seat{seat("910726329")}, "ldap"},
		{"seat without user id", []centrex.Seat{seat("910726330"), {UserID: "  ", Number: "1"}}, store.SourceImport},
		{"user id too long", []centrex.Seat{{UserID: strings.Repeat("x", 400)}}, store.SourceImport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.SyncSeats(ctx, co, tt.seats, tt.source); err == nil {
				t.Fatal("accepted")
			}
			if _, err := s.SeatByUserID(ctx, co, "910726329@conecta.orange.es"); err != nil {
				t.Fatalf("a refused sync changed the seats: %v", err)
			}
			if st, _ := s.SeatByUserID(ctx, co, "910726329@conecta.orange.es"); st.Gone() {
				t.Fatal("a refused sync marked a seat gone")
			}
		})
	}
}
