package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestEventGroupUpdatesCallsInPlace: the updates of a call between its
// start and its end are HOT (no index names a column they change), as
// PostgreSQL counts them in the transaction.
func TestEventGroupUpdatesCallsInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, sid := companyWithSeat(t, s, "Fermax", "910000001")
	var hot, updates int64
	err := s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
		locked, err := tx.LockCalls(ctx, []store.CallRef{{CompanyID: co, SeatID: sid, XsiCallID: "callhalf-1", ZohoUserID: "zu"}})
		if err != nil {
			return err
		}
		call := locked[0]
		call.ZohoCallID, call.Open, call.State = "zc1", true, json.RawMessage(`{"phase":"ringing"}`)
		tx.QueueSave(call, 0)
		if err := tx.Flush(ctx); err != nil {
			return err
		}
		for _, phase := range []string{"answered", "held", "answered"} { // the call in progress, a step per group
			call.State = json.RawMessage(`{"phase":"` + phase + `"}`)
			tx.QueueEnqueueCall(&call, []store.OutboxItem{item(phase)}, 0)
			tx.QueueSave(call, 0)
			if err := tx.Flush(ctx); err != nil {
				return err
			}
		}
		return tx.Scan(ctx, `SELECT pg_stat_get_xact_tuples_hot_updated('calls'::regclass), pg_stat_get_xact_tuples_updated('calls'::regclass)`,
			&hot, &updates)
	})
	if err != nil {
		t.Fatal(err)
	}
	if updates != 4 || hot < 3 {
		t.Fatalf("%d of %d updates of the call were HOT, want the 3 while it was open", hot, updates)
	}
	rows, err := s.RecentOutbox(ctx, co, 10)
	if err != nil || len(rows) != 3 || rows[0].Seq != 3 || rows[2].Seq != 1 {
		t.Fatalf("queued %+v, %v: want seq 1, 2, 3", rows, err)
	}
}

// TestEventGroupNamesTheFailingItem: a statement that fails in a pipeline
// is a *store.SetError when it was for all the group's items of a kind, or
// item by item a *store.GroupError with the tag of its item; nothing of the
// transaction stays either way.
func TestEventGroupNamesTheFailingItem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, sid := companyWithSeat(t, s, "Fermax", "910000001")
	for _, itemByItem := range []bool{false, true} {
		err := s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
			if itemByItem {
				tx.ItemByItem()
			}
			_, fresh, err := tx.Start(ctx, []int64{co}, []store.EventMark{{co, "e1"}, {co, "e2"}, {co, "e1"}})
			if err != nil {
				return err
			}
			if fresh[0] != true || fresh[1] != true || fresh[2] != false {
				t.Errorf("fresh %v, want the repeated id not fresh", fresh)
			}
			locked, err := tx.LockCalls(ctx, []store.CallRef{{CompanyID: co, SeatID: sid, XsiCallID: "c1"}})
			if err != nil {
				return err
			}
			locked[0].ZohoCallID = "k1"
			tx.QueueEnqueueCall(&locked[0], []store.OutboxItem{item("ok")}, 7)
			tx.QueueEnqueueCall(&locked[0], []store.OutboxItem{{Kind: "bogus", Payload: json.RawMessage(`{}`)}}, 8)
			return tx.Flush(ctx)
		})
		var ge *store.GroupError
		var se *store.SetError
		switch {
		case itemByItem && (!errors.As(err, &ge) || ge.Tag != 8):
			t.Fatalf("item by item: error %v, want a GroupError of item 8", err)
		case !itemByItem && !errors.As(err, &se):
			t.Fatalf("error %v, want a SetError", err)
		}
		var n int
		if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM centrex_events) + (SELECT count(*) FROM calls) + (SELECT count(*) FROM outbox)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows left by the failed group, %v", n, err)
		}
	}
}

// TestStartGroupMarksAndLocks: StartGroup reads versions, marks events
// and returns every call: one that exists, locked; one created because its
// ref says the event starts it; one created after it was found missing. A
// call it cannot create is a *store.GroupError with the ref's tag, whether
// its creation was asked for or found needed.
func TestStartGroupMarksAndLocks(t *testing.T) {
	t.Parallel()
	for _, itemByItem := range []bool{false, true} {
		t.Run(fmt.Sprintf("item by item %t", itemByItem), func(t *testing.T) {
			t.Parallel()
			testStartGroup(t, itemByItem)
		})
	}
}

func testStartGroup(t *testing.T, itemByItem bool) {
	ctx := context.Background()
	s := testdb.Open(t)
	co, sid := companyWithSeat(t, s, "Fermax", "910000001")
	old := enqueueCall(t, s, co, sid, "c-old")
	inTx := func(fn func(ctx context.Context, tx *store.EventTx) error) error {
		return s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
			if itemByItem {
				tx.ItemByItem()
			}
			return fn(ctx, tx)
		})
	}
	err := inTx(func(ctx context.Context, tx *store.EventTx) error {
		r, err := tx.StartGroup(ctx, store.GroupStart{
			Companies: []int64{co},
			Marks:     []store.EventMark{{co, "e2"}, {co, "e1"}, {co, "e1"}},
			Refs: []store.CallRef{
				{CompanyID: co, SeatID: sid, XsiCallID: "c-old", Create: true},
				{CompanyID: co, SeatID: sid, XsiCallID: "c-new", ZohoUserID: "zu", Create: true},
				{CompanyID: co, SeatID: sid, XsiCallID: "c-missing", ZohoUserID: "zu"},
			},
		})
		if err != nil {
			return err
		}
		if v, err := s.CompanyVersion(ctx, co); err != nil || r.Versions[co] != v || !r.Fresh[0] || !r.Fresh[1] || r.Fresh[2] {
			t.Errorf("versions %v (the company's is %d, %v), fresh %v, want the second e1 alone not fresh", r.Versions, v, err, r.Fresh)
		}
		if r.Calls[0].ID != old.ID || r.Calls[1].ID == 0 || r.Calls[2].ID == 0 || r.Calls[1].XsiCallID != "c-new" ||
			r.Calls[2].XsiCallID != "c-missing" || r.Calls[1].ZohoUserID != "zu" || r.Calls[1].OutboxSeq != 0 ||
			r.Calls[0].State == nil || !r.Calls[1].ClosedAt.IsZero() {
			t.Errorf("calls %+v", r.Calls)
		}
		// The call that existed is locked: another transaction cannot take
		// it (the new ones are this transaction's own).
		if _, err := s.Pool().Exec(ctx, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE NOWAIT`, old.ID); err == nil {
			t.Error("the existing call is not locked")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A mark already recorded is not fresh.
	err = inTx(func(ctx context.Context, tx *store.EventTx) error {
		r, err := tx.StartGroup(ctx, store.GroupStart{Marks: []store.EventMark{{co, "e3"}, {co, "e1"}}})
		if err == nil && (!r.Fresh[0] || r.Fresh[1]) {
			t.Errorf("fresh %v, want e1 (recorded before) not fresh", r.Fresh)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, create := range []bool{true, false} {
		err := inTx(func(ctx context.Context, tx *store.EventTx) error {
			_, err := tx.StartGroup(ctx, store.GroupStart{
				Refs: []store.CallRef{
					{CompanyID: co, SeatID: sid, XsiCallID: "c-old"},
					{CompanyID: co, SeatID: sid + 1000, XsiCallID: "c-nowhere", Create: create}, // no such seat
				},
				RefTags: []int{41, 42},
			})
			return err
		})
		var ge *store.GroupError
		var se *store.SetError
		switch {
		case create && !itemByItem: // the set of new calls failed
			if !errors.As(err, &se) {
				t.Errorf("a call of no seat (create %t): %v, want a SetError", create, err)
			}
		case !errors.As(err, &ge) || ge.Tag != 42:
			t.Errorf("a call of no seat (create %t): %v, want a GroupError of tag 42", create, err)
		}
	}
}

// TestCompanyVersionMovesWithWhatIsCached: the changes a cache of links,
// tokens and Centrex credentials depends on bump the company's version;
// others do not.
func TestCompanyVersionMovesWithWhatIsCached(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "Fermax")
	other := newCompany(t, s, "Other")
	version := func(id int64) int64 {
		v, err := s.CompanyVersion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := version(co)
	moved := func(what string, want bool) {
		t.Helper()
		v := version(co)
		if (v != last) != want {
			t.Errorf("%s: version %d → %d", what, last, v)
		}
		last = v
	}
	mustSync(t, s, co, seat("910000001"), seat("910000002"))
	moved("seats added (no link can name them yet)", false)
	sid := seatID(t, s, co, "910000001@conecta.orange.es")
	l := mustLink(t, s, co, sid, store.ZohoUser{ID: "zu1"})
	moved("link", true)
	if _, err := s.SetLinkEnabled(ctx, co, l.ID, false); err != nil {
		t.Fatal(err)
	}
	moved("link switched off", true)
	if _, err := s.EventToken(ctx, co); err != nil {
		t.Fatal(err)
	}
	moved("events token", true)
	if _, err := s.Pool().Exec(ctx, `UPDATE centrex_subscriptions SET subscription_id = 'sub-1', renewed_at = now() WHERE company_id = $1`, co); err != nil {
		t.Fatal(err)
	}
	moved("subscription renewed (same token)", false)
	mustSync(t, s, co, seat("910000001"))
	moved("seat b gone", true)
	if _, err := s.DeleteLink(ctx, co, l.ID); err != nil {
		t.Fatal(err)
	}
	moved("unlink", true)
	if version(other) != 0 {
		t.Errorf("another company's version moved: %d", version(other))
	}
}

// TestEventGroupRoundTrips: an event group costs three round trips, its
// first statements with the BEGIN, its writes, and the COMMIT, and as many
// statements for ten calls as for one; a failure in the first round trip
// leaves nothing and no transaction open on the connection.
func TestEventGroupRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	trips := &roundTrips{}
	s, err := store.OpenConfig(ctx, testdb.URL(t), testdb.Box(t), func(c *pgxpool.Config) {
		c.ConnConfig.Tracer = trips
		c.MaxConns = 1 // the failed group's connection is the next one's
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	co, sid := companyWithSeat(t, s, "Fermax", "910000001")
	// group applies one event to each of n new calls.
	group := func(seat int64, event string, n int) error {
		return s.InEventTx(ctx, func(ctx context.Context, tx *store.EventTx) error {
			in := store.GroupStart{Companies: []int64{co}}
			for i := range n {
				id := fmt.Sprintf("%s-%d", event, i)
				in.Marks = append(in.Marks, store.EventMark{CompanyID: co, EventID: id})
				in.Refs = append(in.Refs, store.CallRef{CompanyID: co, SeatID: seat, XsiCallID: id, ZohoUserID: "zu", Create: true})
			}
			r, err := tx.StartGroup(ctx, in)
			if err != nil {
				return err
			}
			for i := range r.Calls {
				call := &r.Calls[i]
				call.ZohoCallID, call.Open = "k-"+call.XsiCallID, true
				tx.QueueEnqueueCall(call, []store.OutboxItem{item("ringing")}, i)
				tx.QueueSave(*call, i)
			}
			return tx.Flush(ctx)
		})
	}
	var statements [2]int64
	for k, n := range []int{1, 10} {
		trips.trips.Store(0)
		trips.statements.Store(0)
		if err := group(sid, fmt.Sprintf("e%d", n), n); err != nil {
			t.Fatal(err)
		}
		if got := trips.trips.Load(); got != 3 {
			t.Errorf("an event group of %d calls took %d round trips, want 3", n, got)
		}
		statements[k] = trips.statements.Load()
	}
	if statements[0] != statements[1] {
		t.Errorf("an event group sent %d statements for one call, %d for ten", statements[0], statements[1])
	}
	var se *store.SetError
	if err := group(sid+1000, "bad", 1); !errors.As(err, &se) { // no such seat
		t.Fatalf("a call of no seat: %v, want a SetError", err)
	}
	if err := group(sid, "after", 1); err != nil {
		t.Fatalf("the group after a failed one: %v", err)
	}
	var events, calls int
	if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM centrex_events WHERE company_id = $1),
		(SELECT count(*) FROM calls WHERE company_id = $1)`, co).Scan(&events, &calls); err != nil || events != 12 || calls != 12 {
		t.Fatalf("%d events marked and %d calls (%v), want those of the three groups that committed", events, calls, err)
	}
}

// roundTrips is a pgx tracer counting round trips (statements and batches
// sent) and statements.
type roundTrips struct{ trips, statements atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.trips.Add(1)
	r.statements.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.trips.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	r.statements.Add(1)
}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestEventGroupSetPlans: the set statements of an event group probe the
// indexes once per item, with the plan PostgreSQL would make for the
// statement's values and with the generic one it switches to after five
// runs of a prepared statement (which knows nothing of the arrays' size),
// in tables of months of calls: no scan of a whole table.
func TestEventGroupSetPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co, sid := companyWithSeat(t, s, "Fermax", "910000001")
	for _, sql := range []string{
		`INSERT INTO calls (company_id, seat_id, xsi_call_id, zoho_call_id, open, closed_at)
			SELECT $1, $2, 'h' || g, 'z' || g, false, now() FROM generate_series(1, 50000) g`,
		`INSERT INTO centrex_events (company_id, event_id) SELECT $1, 'e' || g || $2::bigint FROM generate_series(1, 50000) g`,
		`INSERT INTO outbox (company_id, call_id, call_key, seq, kind, payload)
			SELECT $1, NULL, 'z' || g || $2::bigint, 1, 'callnotify', '{}' FROM generate_series(1, 5000) g`,
	} {
		if _, err := s.Pool().Exec(ctx, sql, co, sid); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE calls, centrex_events, outbox`); err != nil {
		t.Fatal(err)
	}
	// The statements' arguments, as SQL literals (EXPLAIN EXECUTE takes no
	// parameters).
	args := map[string]string{
		"mark events":  `'{%[1]d,%[1]d}', '{e1,new}', now()`,
		"create calls": `'{%[1]d}', '{%[2]d}', '{h-new}', '{zu}', now()`,
		"lock calls":   `'{%[1]d,%[1]d}', '{%[2]d,%[2]d}', '{h1,h2}'`,
		"save calls":   `'{%[1]d}', '{1}', '{"{}"}', '{t}', '{NULL}', '{""}', '{zu}', '{NULL}', now()`,
		"queue outbox": `'{%[1]d}', '{1}', '{z1}', '{0}', '{1}', '{callnotify}', '{"{}"}', now()`,
	}
	for name, sql := range store.EventGroupSetSQL {
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			plan := explain(t, s, mode, sql, fmt.Sprintf(args[name], co, sid))
			for _, table := range []string{"calls", "centrex_events", "outbox"} {
				if strings.Contains(plan, "Seq Scan on public."+table+" ") {
					t.Errorf("%s (plan_cache_mode %s) scans the whole of %s:\n%s", name, mode, table, plan)
				}
			}
			if mode == "force_generic_plan" && !strings.Contains(plan, "$1") {
				t.Errorf("%s: not a generic plan:\n%s", name, plan)
			}
		}
	}
}

// explain is the plan of sql, prepared, for the arguments args (SQL
// literals) under plan_cache_mode mode.
func explain(t *testing.T, s *store.Store, mode, sql, args string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	defer func() {
		_, err1 := conn.Exec(ctx, `DEALLOCATE planned`)
		_, err2 := conn.Exec(ctx, `RESET plan_cache_mode`)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
	}()
	if _, err := conn.Exec(ctx, `SELECT set_config('plan_cache_mode', $1, false)`, mode); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "PREPARE planned AS "+sql); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "EXPLAIN (VERBOSE, COSTS OFF) EXECUTE planned("+args+")")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
