package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

const (
	claimHistory = 1_000_000 // delivered notifications in the second measurement
	claimCalls   = 100       // calls with notifications pending, three each
	claimBatch   = 16        // rows per claim (the delivery pool claims up to 32 as slots free up; 16 as in earlier runs)
	claimWarmup  = 20
	claimRounds  = 200
)

// deliveredHistorySQL writes $2 delivered notifications of company $1,
// three per call, over the last 30 days, where delivered notifications
// live: outbox_history (writeHistory makes its day partitions first).
const deliveredHistorySQL = `INSERT INTO outbox_history (id, company_id, call_key, seq, kind, payload, attempts,
		created_at, delivered_at)
	SELECT 1000000000 + i, $1, 'hist-' || (i / 3), 1 + i % 3, 'callnotify', '{"endpoint": "callnotify", "type": "received",
			"state": "ended", "id": "hist-123456", "from": "+34600123456", "to": "910000000", "zohouser": "700000001",
			"start_time": "2026-12-01T10:00:00Z", "duration": 42}', 1, t, t
	FROM generate_series(0, $2 - 1) i, LATERAL (SELECT now() - interval '30 days' + i * interval '2 seconds') x(t)`

// writeHistory makes the history partitions of the last 31 days and runs
// deliveredHistorySQL without its foreign-key checks (every row names the
// one company; a million checks would be most of the time).
func writeHistory(ctx context.Context, st *store.Store, companyID int64, n int) error {
	now := time.Now()
	if err := st.EnsureOutboxHistory(ctx, now.Add(-31*24*time.Hour), now); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, deliveredHistorySQL, companyID, n)
		return err
	})
}

// claimRun is what one measurement of the claim found.
type claimRun struct {
	blocks, execMS float64 // per claim, as PostgreSQL counted them (every statement the claim ran)
	statements     float64
	wallP50        time.Duration
	claimed        int
}

// benchOutbox measures the outbox claim (the store's ClaimOutbox, as the
// delivery workers call it) of a company with 100 calls' notifications
// pending, first with no delivered notifications in its history, then with
// a million: shared blocks touched and time per claim, from
// pg_stat_statements, and the claim's time as the worker sees it. The
// tables are vacuumed and analyzed before each measurement, as autovacuum
// leaves them (a claim just after a burst of deliveries walks their dead
// index entries once, and marks them dead for the next).
func benchOutbox(ctx context.Context, b *bench) error {
	dbURL, drop, err := freshDatabase(ctx, b.databaseURL, "gwbench_outbox")
	if err != nil {
		return err
	}
	defer drop()
	st, err := migratedStore(ctx, dbURL, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		return err
	}
	defer st.Close()
	obs, err := newObserver(ctx, b.databaseURL, "gwbench_outbox")
	if err != nil {
		return err
	}
	defer obs.Close()
	hash, err := password.Hash(benchPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		return err
	}
	co, _, err := st.CreateCompany(ctx, "Outbox", "admin@outbox.example", hash)
	if err != nil {
		return err
	}
	// The pending work, queued as the call use case queues it.
	for c := range claimCalls {
		key := fmt.Sprintf("pending-%03d", c)
		var items []store.OutboxItem
		for _, state := range []string{"ringing", "answered", "ended"} {
			items = append(items, store.OutboxItem{Kind: store.OutboxCallNotify, Payload: fmt.Appendf(nil,
				`{"endpoint":"callnotify","type":"received","state":%q,"id":%q,"from":"+34600%06d","to":"910000000","zohouser":"700000001"}`,
				state, key, c)})
		}
		err := st.InCallTx(ctx, co.ID, func(ctx context.Context, tx store.CallTx) error {
			return tx.Enqueue(ctx, 0, key, items)
		})
		if err != nil {
			return err
		}
	}

	empty, err := measureClaim(ctx, st, obs, true)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := writeHistory(ctx, st, co.ID, claimHistory); err != nil {
		return fmt.Errorf("writing the delivered history: %w", err)
	}
	fmt.Printf("%d delivered notifications written in %s\n", claimHistory, time.Since(t0).Round(time.Millisecond))
	// Right after the write, before autovacuum has analyzed the table: the
	// planner still has the statistics of a table of pending rows only.
	fresh, err := measureClaim(ctx, st, obs, false)
	if err != nil {
		return err
	}
	full, err := measureClaim(ctx, st, obs, true)
	if err != nil {
		return err
	}

	fmt.Printf("claim of up to %d rows, %d calls × 3 notifications pending, %d claims after %d warm-up:\n",
		claimBatch, claimCalls, claimRounds, claimWarmup)
	for _, r := range []struct {
		name string
		claimRun
	}{{"no history", empty}, {fmt.Sprintf("%d delivered", claimHistory), full},
		{"(just written)", fresh}} {
		fmt.Printf("  %-18s: %7.0f shared blocks, %6.3f ms in PostgreSQL, p50 %8s as the worker sees it (%.1f statements, %d rows per claim)\n",
			r.name, r.blocks, r.execMS, r.wallP50.Round(time.Microsecond), r.statements, r.claimed)
	}
	ratio := full.blocks / empty.blocks
	fmt.Printf("ratio with history/without: blocks %.2f, time in PostgreSQL %.2f, p50 %.2f (just written, before ANALYZE: blocks %.2f)\n",
		ratio, full.execMS/empty.execMS, float64(full.wallP50)/float64(empty.wallP50), fresh.blocks/empty.blocks)
	b.figures.set("claim_cost_1m_over_empty", ratio)
	return nil
}

// measureClaim settles the database (when settleFirst is set), then claims
// claimRounds times. Every lease lasts a microsecond, so each claim finds
// the same due rows.
func measureClaim(ctx context.Context, st *store.Store, obs *observer, settleFirst bool) (claimRun, error) {
	var r claimRun
	if settleFirst {
		if err := settle(ctx, st.Pool()); err != nil {
			return r, err
		}
	}
	claim := func() (int, error) {
		rows, err := st.ClaimOutbox(ctx, "gwbench", claimBatch, time.Microsecond)
		return len(rows), err
	}
	for range claimWarmup {
		if _, err := claim(); err != nil {
			return r, err
		}
	}
	s0, err := obs.take(ctx)
	if err != nil {
		return r, err
	}
	wall := make([]time.Duration, 0, claimRounds)
	for range claimRounds {
		t0 := time.Now()
		n, err := claim()
		if err != nil {
			return r, err
		}
		wall = append(wall, time.Since(t0))
		r.claimed = n
	}
	s1, err := obs.take(ctx)
	if err != nil {
		return r, err
	}
	if r.claimed != claimBatch {
		return r, fmt.Errorf("a claim took %d rows, want %d", r.claimed, claimBatch)
	}
	a := s1.since(s0)
	slices.Sort(wall)
	r.blocks = float64(a.blocks) / claimRounds
	r.execMS = a.execMS / claimRounds
	r.statements = float64(a.statements) / claimRounds
	r.wallP50 = wall[len(wall)/2]
	return r, nil
}
