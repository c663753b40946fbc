package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// count runs a count(*) statement.
func count(t *testing.T, s *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFinishOutboxesMovesDeliveredRowsToHistory: one batch records
// deliveries, a refusal and a retry; the delivered rows leave the queue for
// history (on a day whose partition is created on demand), the others stay
// queued; a row whose lease is another's is reported lost and left alone;
// the call's next notification continues its sequence after history.
func TestFinishOutboxesMovesDeliveredRowsToHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	// A day no partition was made for.
	now := time.Date(2031, 3, 7, 23, 59, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	a := enqueueCall(t, s, co, s1, "a", item("ringing"))
	enqueueCall(t, s, co, s1, "b", item("ringing"))
	enqueueCall(t, s, co, s1, "c", item("ringing"))
	enqueueCall(t, s, co, s1, "d", item("ringing"))

	rows, err := s.ClaimOutbox(ctx, "me", 10, time.Minute)
	if err != nil || len(rows) != 4 {
		t.Fatalf("claim: %d rows, %v", len(rows), err)
	}
	byKey := map[string]int64{}
	for _, r := range rows {
		byKey[r.CallKey] = r.ID
	}
	stolen, _ := s.ClaimOutbox(ctx, "other", 10, time.Minute) // nothing: all leased to me
	if len(stolen) != 0 {
		t.Fatalf("claimed leased rows: %+v", stolen)
	}
	lost, err := s.FinishOutboxes(ctx, "me", []store.OutboxResult{
		{ID: byKey["za"], Delivered: true},
		{ID: byKey["zb"], Delivered: true},
		{ID: byKey["zc"], Park: true, Error: "HTTP 400"},
		{ID: byKey["zd"], Error: "HTTP 503", NextAttemptAt: now.Add(time.Minute)},
	})
	if err != nil || len(lost) != 0 {
		t.Fatalf("finish: lost %v, %v", lost, err)
	}
	if lost, err := s.FinishOutboxes(ctx, "other", []store.OutboxResult{{ID: byKey["zd"], Delivered: true}}); err != nil || !slices.Equal(lost, []int64{byKey["zd"]}) {
		t.Fatalf("another's lease: lost %v, %v; want the row reported and kept", lost, err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE company_id = $1`, co); n != 2 {
		t.Errorf("%d rows queued, want the parked and the retried one", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_history WHERE company_id = $1 AND delivered_at = $2`, co, now); n != 2 {
		t.Errorf("%d rows in history, want the two delivered", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_history_p20310307`); n != 2 {
		t.Errorf("%d rows in the day's partition, want 2", n)
	}
	recent, err := s.RecentOutbox(ctx, co, 10)
	if err != nil || len(recent) != 4 {
		t.Fatalf("recent: %d rows, %v", len(recent), err)
	}
	status := map[string]store.OutboxStatus{}
	for _, r := range recent {
		status[r.CallKey] = r.Status
		if r.CallKey == "za" && (r.CallID != a.ID || !r.DeliveredAt.Equal(now) || r.Attempts != 1 || r.Seq != 1) {
			t.Errorf("delivered row read from history: %+v", r)
		}
	}
	want := map[string]store.OutboxStatus{"za": store.OutboxDelivered, "zb": store.OutboxDelivered, "zc": store.OutboxParked, "zd": store.OutboxPending}
	if fmt.Sprint(status) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v", status, want)
	}

	// The call's next notification follows the delivered one.
	enqueueCall(t, s, co, s1, "a", item("ended"))
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE company_id = $1 AND call_key = 'za' AND seq = 2`, co); n != 1 {
		t.Errorf("the call's next row is not seq 2")
	}
	sum, err := s.OutboxSummary(ctx, co)
	if err != nil || !sum.LastDeliveredAt.Equal(now) || sum.Pending != 2 || sum.Parked != 1 || sum.LastError == "" {
		t.Errorf("summary %+v, %v", sum, err)
	}
	// An event group continues the sequence the same way.
	if err := s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
		locked, err := tx.LockCalls(ctx, []store.CallRef{{CompanyID: co, SeatID: s1, XsiCallID: "a"}})
		if err != nil {
			return err
		}
		tx.QueueEnqueueCall(&locked[0], []store.OutboxItem{item("late")}, 0)
		tx.QueueSave(locked[0], 0)
		return tx.Flush(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE company_id = $1 AND call_key = 'za' AND seq = 3`, co); n != 1 {
		t.Errorf("the event group's row for the call is not seq 3")
	}
	if err := s.InCallTx(ctx, co, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, "zb", []store.OutboxItem{item("late")}) // no call row: all of history is read
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE company_id = $1 AND call_key = 'zb' AND seq = 2`, co); n != 1 {
		t.Errorf("the row for a key without a call row does not follow its history")
	}
}

// TestCallCountsItsNotifications: a call row counts its notifications, and
// the next one is numbered from that count and from the call's rows still
// queued, not from history (here the count says 10 while history stops at
// 2); an event group counts the same way, several steps of one call in
// one group included; a call row from before the count was kept (NULL)
// is numbered from its queue and history, and stays without a count.
func TestCallCountsItsNotifications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	a := enqueueCall(t, s, co, s1, "a", item("ringing"), item("answered"))
	seqs := func(key string) string {
		t.Helper()
		rows, err := s.Pool().Query(ctx, `SELECT seq FROM outbox WHERE company_id = $1 AND call_key = $2
			UNION ALL SELECT seq FROM outbox_history WHERE company_id = $1 AND call_key = $2 ORDER BY 1`, co, key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	counted := func() int {
		t.Helper()
		var n *int
		if err := s.Pool().QueryRow(ctx, `SELECT outbox_seq FROM calls WHERE id = $1`, a.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == nil {
			return -1
		}
		return *n
	}
	if got := seqs("za"); got != "[1 2]" || counted() != 2 {
		t.Fatalf("first notifications %s, count %d; want [1 2] and 2", got, counted())
	}
	rows, err := s.ClaimOutbox(ctx, "me", 10, time.Minute)
	if err != nil || len(rows) != 1 {
		t.Fatalf("claim: %d rows, %v", len(rows), err)
	}
	if lost, err := s.FinishOutboxes(ctx, "me", []store.OutboxResult{{ID: rows[0].ID, Delivered: true}}); err != nil || len(lost) > 0 {
		t.Fatalf("finish: %v %v", lost, err)
	}
	// The count, not history, numbers the next one: set it past history.
	if _, err := s.Pool().Exec(ctx, `UPDATE calls SET outbox_seq = 10 WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	a = enqueueCall(t, s, co, s1, "a", item("held"))
	if got := seqs("za"); got != "[1 2 11]" || counted() != 11 {
		t.Fatalf("after a count of 10: %s, count %d; want [1 2 11] and 11", got, counted())
	}
	// A row queued under the key past the count (an older call row's, say)
	// is followed.
	if _, err := s.Pool().Exec(ctx, `INSERT INTO outbox (company_id, call_key, seq, kind, payload, next_attempt_at)
		VALUES ($1, 'za', 20, 'callnotify', '{}', now())`, co); err != nil {
		t.Fatal(err)
	}
	// An event group: two steps of the call in one group.
	err = s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
		locked, err := tx.LockCalls(ctx, []store.CallRef{{CompanyID: co, SeatID: s1, XsiCallID: "a"}})
		if err != nil {
			return err
		}
		tx.QueueEnqueueCall(&locked[0], []store.OutboxItem{item("resumed")}, 0)
		tx.QueueEnqueueCall(&locked[0], []store.OutboxItem{item("ended"), item("ended again")}, 0)
		tx.QueueSave(locked[0], 0)
		return tx.Flush(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs("za"); got != "[1 2 11 20 21 22 23]" {
		t.Fatalf("after the group: %s, want [1 2 11 20 21 22 23]", got)
	}
	if n := counted(); n < 14 {
		t.Fatalf("count %d after the group, want at least the 14 it numbered from", n)
	}

	// A call row from before the count was kept.
	b := enqueueCall(t, s, co, s1, "b", item("ringing"))
	if _, err := s.Pool().Exec(ctx, `UPDATE calls SET outbox_seq = NULL WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	b = enqueueCall(t, s, co, s1, "b", item("answered"))
	if got := seqs("zb"); got != "[1 2]" || b.OutboxSeq != -1 {
		t.Fatalf("a call without a count: %s, OutboxSeq %d; want [1 2] and -1", got, b.OutboxSeq)
	}
	var null bool
	if err := s.Pool().QueryRow(ctx, `SELECT outbox_seq IS NULL FROM calls WHERE id = $1`, b.ID).Scan(&null); err != nil || !null {
		t.Fatalf("a call without a count got one saved (%v)", err)
	}
}

// TestHistoryReaders: the activity page's calls carry their notifications
// from the queue and from history, in order, even when they were delivered
// days after the call began; its click-to-dial errors without a call come
// from both too; a parked row of a call Zoho has a later state for is
// superseded by history.
func TestHistoryReaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	call := enqueueCall(t, s, co, s1, "a", item("ringing"), item("answered"), item("ended"))
	err := s.InCallTx(ctx, co, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, "dial-x", []store.OutboxItem{{Kind: store.OutboxClickToDialError, Payload: json.RawMessage(`{"state":"invalid"}`)}})
	})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * 24 * time.Hour)
	// ringing parked, answered delivered, ended and the dial error delivered.
	drain(t, s, func(r store.OutboxRow) store.OutboxResult {
		if r.Seq == 1 && r.CallKey == "za" {
			return store.OutboxResult{Park: true, Error: "HTTP 400"}
		}
		return store.OutboxResult{Delivered: true}
	})
	acts, err := s.RecentCalls(ctx, co, 10)
	if err != nil || len(acts) != 1 || acts[0].ID != call.ID {
		t.Fatalf("calls %+v, %v", acts, err)
	}
	var got []string
	for _, n := range acts[0].Notifications {
		got = append(got, fmt.Sprintf("%d %s", n.Seq, n.Status))
	}
	if want := []string{"1 parked", "2 delivered", "3 delivered"}; !slices.Equal(got, want) {
		t.Errorf("notifications %v, want %v", got, want)
	}
	dials, err := s.RecentDialErrors(ctx, co, 10)
	if err != nil || len(dials) != 1 || dials[0].CallKey != "dial-x" || dials[0].Status != store.OutboxDelivered {
		t.Errorf("dial errors %+v, %v", dials, err)
	}
	if err := s.RetryOutbox(ctx, co, acts[0].Notifications[0].ID); !errors.Is(err, store.ErrSuperseded) {
		t.Errorf("retry of a superseded row: %v", err)
	}
	// Another company sees none of it.
	other := newCompany(t, s, "acme")
	if d, _ := s.RecentDialErrors(ctx, other, 10); len(d) != 0 {
		t.Errorf("another company's dial errors: %+v", d)
	}
	if r, _ := s.RecentOutbox(ctx, other, 10); len(r) != 0 {
		t.Errorf("another company's notifications: %+v", r)
	}
}

// TestPruneOutboxDropsWholeDays: retention drops the days of history that
// ended before the cut, and keeps the day the cut falls in; deleting a
// company deletes its history.
func TestPruneOutboxDropsWholeDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	day1 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	now := day1
	s.SetClock(func() time.Time { return now })
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	deliverAll := func(store.OutboxRow) store.OutboxResult { return store.OutboxResult{Delivered: true} }
	enqueueCall(t, s, co, s1, "a", item("ringing"))
	drain(t, s, deliverAll)
	now = day1.Add(24 * time.Hour)
	enqueueCall(t, s, co, s1, "b", item("ringing"))
	drain(t, s, deliverAll)

	// The cut falls inside day 2: only day 1 is over.
	n, err := s.PruneOutbox(ctx, day1.Add(30*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d days, %v; want 1", n, err)
	}
	rows, _ := s.RecentOutbox(ctx, co, 10)
	if len(rows) != 1 || rows[0].CallKey != "zb" {
		t.Fatalf("after pruning: %+v, want day 2's row", rows)
	}
	if n := count(t, s, `SELECT count(*) FROM pg_class WHERE relname = 'outbox_history_p20261001'`); n != 0 {
		t.Errorf("day 1's partition is still there")
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM companies WHERE id = $1`, co); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_history`); n != 0 {
		t.Errorf("%d history rows of a deleted company", n)
	}
}

// claimBuffers runs the claim under EXPLAIN (ANALYZE, BUFFERS) in a
// transaction it rolls back, and returns the shared buffers its execution
// touched (planning aside), the least of three runs.
func claimBuffers(t *testing.T, s *store.Store, now time.Time) (int, string) {
	t.Helper()
	ctx := context.Background()
	best, plan := -1, ""
	for range 3 {
		err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			var raw []byte
			if err := tx.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+store.ClaimSQL,
				now, 32, "bench", now.Add(time.Minute)).Scan(&raw); err != nil {
				return err
			}
			var out []struct {
				Plan struct {
					Hit  int `json:"Shared Hit Blocks"`
					Read int `json:"Shared Read Blocks"`
				}
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				return err
			}
			if b := out[0].Plan.Hit + out[0].Plan.Read; best < 0 || b < best {
				best, plan = b, string(raw)
			}
			return errors.New("roll back")
		})
		if err != nil && err.Error() != "roll back" {
			t.Fatal(err)
		}
	}
	return best, plan
}

// TestClaimCostDoesNotGrowWithHistory: the claim's buffers with 100,000
// delivered notifications of the company in history are those with none
// (at most 1.5 times): the queue holds only pending work, and the claim
// reads only the queue. (With delivered rows kept in the queue, "is an
// earlier row of this call still pending" walked the company's rows.)
func TestClaimCostDoesNotGrowWithHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co, s1 := companyWithSeat(t, s, "fermax", "910726329")
	for i := range 40 {
		enqueueCall(t, s, co, s1, fmt.Sprintf("c%02d", i), item("ringing"), item("ended"))
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	empty, _ := claimBuffers(t, s, now)

	// A month of history of the same company, on five days.
	first := now.Add(-5 * 24 * time.Hour)
	if err := s.EnsureOutboxHistory(ctx, first, now); err != nil {
		t.Fatal(err)
	}
	_, err := s.Pool().Exec(ctx, `INSERT INTO outbox_history (id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at, delivered_at)
		SELECT 1000000 + g, $1, NULL, 'old-' || (g / 3), g % 3 + 1, 'callnotify', '{"state":"ringing"}', 1,
			$2::timestamptz + (g % 5) * interval '1 day', $2::timestamptz + (g % 5) * interval '1 day'
		FROM generate_series(1, 100000) g`, co, first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE outbox_history; ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	full, plan := claimBuffers(t, s, now)
	t.Logf("claim buffers: %d with no history, %d with 100,000 delivered rows", empty, full)
	if empty <= 0 || float64(full) > 1.5*float64(empty) {
		t.Fatalf("claim reads %d buffers with history, %d without: it grows with history\n%s", full, empty, plan)
	}
}

// TestMigrationMovesDeliveredRows: on a database that has delivered rows in
// the queue (the schema before history), the migration moves them to
// history, each on its day, and leaves the pending and parked ones; rolling
// it back moves history back.
func TestMigrationMovesDeliveredRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	s.SetClock(func() time.Time { return time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC) })
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	call := enqueueCall(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"), "a", item("ringing"))
	drain(t, s, func(store.OutboxRow) store.OutboxResult { return store.OutboxResult{Delivered: true} })
	// Rolling back puts history back in the queue, as delivered rows.
	if err := s.MigrateDownTo(ctx, 74); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE status = 'delivered' AND call_id = $1 AND delivered_at IS NOT NULL`, call.ID); n != 1 {
		t.Fatalf("after rolling back, %d delivered rows in the queue, want 1", n)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Pool().Exec(ctx, `INSERT INTO outbox (company_id, call_id, call_key, seq, kind, payload, status, attempts, last_error, created_at, delivered_at)
		VALUES ($1, $2, 'za', 1, 'callnotify', '{}', 'delivered', 1, '', '2026-11-01 10:00Z', '2026-11-01 10:00:01Z'),
		       ($1, $2, 'za', 2, 'callnotify', '{}', 'delivered', 2, '', '2026-11-02 23:59Z', '2026-11-03 00:00:01Z'),
		       ($1, $2, 'za', 3, 'callnotify', '{}', 'parked', 1, 'HTTP 400', '2026-11-03 00:01Z', NULL),
		       ($1, $2, 'za', 4, 'callnotify', '{}', 'pending', 0, '', '2026-11-03 00:02Z', NULL)`, co, call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox`); n != 2 {
		t.Errorf("%d rows left in the queue, want the parked and the pending", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_history_p20261101 WHERE seq = 1 AND call_id = $1`, call.ID); n != 1 {
		t.Errorf("1 Nov's delivery not in its partition")
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_history_p20261103 WHERE seq = 2 AND attempts = 2`); n != 1 {
		t.Errorf("3 Nov's delivery not in its partition")
	}
	if _, err := s.Pool().Exec(ctx, `INSERT INTO outbox (company_id, call_key, seq, kind, payload, status) VALUES ($1, 'zz', 1, 'callnotify', '{}', 'delivered')`, co); err == nil {
		t.Errorf("a delivered row can still be queued")
	}
	acts, err := s.RecentCalls(ctx, co, 10)
	if err != nil || len(acts) != 1 || len(acts[0].Notifications) != 4 {
		t.Fatalf("activity after the migration: %+v, %v", acts, err)
	}
}
