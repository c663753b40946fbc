package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestPruneCallsKeepsOpenAndRecentCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co, seatID := companyWithSeat(t, s, "fermax", "910726329")

	old := enqueueCall(t, s, co, seatID, "old")
	recent := enqueueCall(t, s, co, seatID, "recent")
	open := enqueueCall(t, s, co, seatID, "open")
	closeCall := func(c store.Call) {
		t.Helper()
		err := s.InCallTx(ctx, co, func(ctx context.Context, tx store.CallTx) error {
			c, err := tx.LockCallByID(ctx, c.ID)
			if err != nil {
				return err
			}
			c.Open = false
			return tx.SaveCall(ctx, c)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	closeCall(old)
	now = now.Add(60 * 24 * time.Hour)
	closeCall(recent)
	now = now.Add(40 * 24 * time.Hour)

	n, err := s.PruneCalls(ctx, now.Add(-90*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want the call closed 100 days ago only", n, err)
	}
	calls, err := s.RecentCalls(ctx, co, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, c := range calls {
		got[c.ID] = true
	}
	if got[old.ID] || !got[recent.ID] || !got[open.ID] {
		t.Fatalf("after pruning: %v (old %d, recent %d, open %d)", got, old.ID, recent.ID, open.ID)
	}
}
