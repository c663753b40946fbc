package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestOutboxLease: a leased row belongs to its owner until the lease ends;
// its call's next row waits; an outcome is recorded the moment it is known;
// a dead owner's row is claimed again once its lease expired, and the dead
// owner can no longer record anything for it.
func TestOutboxLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	oneCall(t, s, item("ringing"), item("answered"))

	a, err := s.ClaimOutbox(ctx, "instance-a", 10, 15*time.Second)
	if err != nil || len(a) != 1 || a[0].Seq != 1 || a[0].Attempts != 1 {
		t.Fatalf("first claim: %+v, %v; want only the call's head, one attempt counted", a, err)
	}
	if b, _ := s.ClaimOutbox(ctx, "instance-b", 10, 15*time.Second); len(b) != 0 {
		t.Fatalf("another instance claimed %d rows while the head is leased", len(b))
	}

	// instance-a dies; once the lease runs out, instance-b takes the row over.
	now = now.Add(16 * time.Second)
	b, err := s.ClaimOutbox(ctx, "instance-b", 10, 15*time.Second)
	if err != nil || len(b) != 1 || b[0].ID != a[0].ID || b[0].Attempts != 2 {
		t.Fatalf("after the lease expired: %+v, %v", b, err)
	}
	if ok, err := s.FinishOutbox(ctx, "instance-a", store.OutboxResult{ID: a[0].ID, Delivered: true}); err != nil || ok {
		t.Fatalf("the dead owner recorded an outcome: ok=%v err=%v", ok, err)
	}
	if ok, err := s.FinishOutbox(ctx, "instance-b", store.OutboxResult{ID: b[0].ID, Delivered: true}); err != nil || !ok {
		t.Fatalf("finish: ok=%v err=%v", ok, err)
	}
	// The head is delivered and committed at once: the next row is free.
	next, err := s.ClaimOutbox(ctx, "instance-a", 10, 15*time.Second)
	if err != nil || len(next) != 1 || next[0].Seq != 2 {
		t.Fatalf("next row: %+v, %v", next, err)
	}
	// A failed attempt ends the lease and waits for its retry time.
	retryAt := now.Add(time.Minute)
	if ok, _ := s.FinishOutbox(ctx, "instance-a", store.OutboxResult{ID: next[0].ID, Error: "503", NextAttemptAt: retryAt}); !ok {
		t.Fatal("could not record a failed attempt")
	}
	if again, _ := s.ClaimOutbox(ctx, "instance-b", 10, 15*time.Second); len(again) != 0 {
		t.Fatal("a row was claimed before its retry time")
	}
	now = retryAt
	if again, _ := s.ClaimOutbox(ctx, "instance-b", 10, 15*time.Second); len(again) != 1 || again[0].LastError != "503" {
		t.Fatalf("at its retry time: %+v", again)
	}
}

// TestFinishOutboxStoresAnyErrorText: Zoho's error messages are stored cut
// to 500 characters. A long accented message, one with bytes that are not
// UTF-8 and one with a NUL are all recorded (a cut by bytes split a
// character, PostgreSQL refused the row, and the notification was claimed
// and sent again forever).
func TestFinishOutboxStoresAnyErrorText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	oneCall(t, s, item("ringing"))

	long := "x" + strings.Repeat("Petición rechazada: número no válido. ", 40)
	for _, tc := range []struct{ name, msg, want string }{
		{"long and accented", long, chars.Truncate(long, 500)},
		{"not UTF-8", "Zoho said \xff\xfe", "Zoho said \uFFFD"},
		{"NUL", "bad\x00request", "badrequest"},
	} {
		rows, err := s.ClaimOutbox(ctx, "instance-a", 10, 15*time.Second)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: claim: %+v, %v", tc.name, rows, err)
		}
		now = now.Add(time.Second)
		ok, err := s.FinishOutbox(ctx, "instance-a", store.OutboxResult{ID: rows[0].ID, Error: tc.msg, NextAttemptAt: now})
		if err != nil || !ok {
			t.Fatalf("%s: finish: ok=%v err=%v", tc.name, ok, err)
		}
		again, err := s.ClaimOutbox(ctx, "instance-b", 10, 15*time.Second)
		if err != nil || len(again) != 1 {
			t.Fatalf("%s: claim again: %+v, %v", tc.name, again, err)
		}
		if again[0].LastError != tc.want {
			t.Errorf("%s: stored %q, want %q", tc.name, again[0].LastError, tc.want)
		}
		if n := utf8.RuneCountInString(again[0].LastError); n > 500 {
			t.Errorf("%s: stored %d characters", tc.name, n)
		}
		if _, err := s.FinishOutbox(ctx, "instance-b", store.OutboxResult{ID: again[0].ID, Error: "503", NextAttemptAt: now}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestParkedRowDoesNotHoldBackItsCall: Zoho refused a call's first
// notification outright, so it was parked; the call's later notifications
// are still claimed, in order, and once Zoho has one of them the parked row
// can no longer be retried (it would move Zoho's view of the call back).
func TestParkedRowDoesNotHoldBackItsCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := oneCall(t, s, item("ringing"), item("answered"), item("ended"))

	head, err := s.ClaimOutbox(ctx, "i", 10, time.Minute)
	if err != nil || len(head) != 1 || head[0].Seq != 1 {
		t.Fatalf("claim: %+v, %v", head, err)
	}
	if ok, err := s.FinishOutbox(ctx, "i", store.OutboxResult{ID: head[0].ID, Park: true, Error: "HTTP 400"}); err != nil || !ok {
		t.Fatalf("park: %v %v", ok, err)
	}
	next, err := s.ClaimOutbox(ctx, "i", 10, time.Minute)
	if err != nil || len(next) != 1 || next[0].Seq != 2 {
		t.Fatalf("after parking the head: %+v, %v; want the call's second row", next, err)
	}
	// While the second row is pending, the third still waits for it.
	if more, _ := s.ClaimOutbox(ctx, "j", 10, time.Minute); len(more) != 0 {
		t.Fatalf("claimed %+v behind a pending row", more)
	}
	if ok, _ := s.FinishOutbox(ctx, "i", store.OutboxResult{ID: next[0].ID, Delivered: true}); !ok {
		t.Fatal("finish")
	}
	if err := s.RetryOutbox(ctx, co, head[0].ID); !errors.Is(err, store.ErrSuperseded) {
		t.Fatalf("retry of a superseded row: %v, want ErrSuperseded", err)
	}
	last, err := s.ClaimOutbox(ctx, "i", 10, time.Minute)
	if err != nil || len(last) != 1 || last[0].Seq != 3 {
		t.Fatalf("the call's end: %+v, %v", last, err)
	}
	if ok, _ := s.FinishOutbox(ctx, "i", store.OutboxResult{ID: last[0].ID, Park: true, Error: "HTTP 400"}); !ok {
		t.Fatal("park the end")
	}
	// The last row has nothing after it: it can be retried.
	if err := s.RetryOutbox(ctx, co, last[0].ID); err != nil {
		t.Fatalf("retry of the parked end: %v", err)
	}
	if err := s.RetryOutbox(ctx, co, last[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry of a pending row: %v, want ErrNotFound", err)
	}
}

// TestExtendOutboxLeases: a holder that renews keeps its rows past the
// first lease; another owner cannot renew them.
func TestExtendOutboxLeases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	oneCall(t, s, item("ringing"))
	rows, err := s.ClaimOutbox(ctx, "a", 10, 15*time.Second)
	if err != nil || len(rows) != 1 {
		t.Fatalf("claim: %+v %v", rows, err)
	}
	ids := []int64{rows[0].ID}
	now = now.Add(10 * time.Second)
	if n, err := s.ExtendOutboxLeases(ctx, "b", ids, 15*time.Second); err != nil || n != 0 {
		t.Fatalf("another owner extended %d leases, %v", n, err)
	}
	if n, err := s.ExtendOutboxLeases(ctx, "a", ids, 15*time.Second); err != nil || n != 1 {
		t.Fatalf("extend: %d, %v", n, err)
	}
	now = now.Add(10 * time.Second) // past the first lease, inside the renewed one
	if b, _ := s.ClaimOutbox(ctx, "b", 10, 15*time.Second); len(b) != 0 {
		t.Fatal("a renewed lease was taken over")
	}
	now = now.Add(6 * time.Second)
	if b, _ := s.ClaimOutbox(ctx, "b", 10, 15*time.Second); len(b) != 1 {
		t.Fatal("a lease that was not renewed again was not taken over")
	}
}

// oneCall is the company fermax with one seat and, queued for its call "a",
// the notifications items.
func oneCall(t *testing.T, s *store.Store, items ...store.OutboxItem) int64 {
	t.Helper()
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	enqueueCall(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"), "a", items...)
	return co
}
