package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// CallActivity is one recent call of a company for the activity page: the
// call, its seat, and its notifications in delivery order.
type CallActivity struct {
	Call
	SeatUserID    string
	SeatNumber    string
	Notifications []OutboxRow
}

// CallState selects calls by how they went, for the activity page's filter.
type CallState string

// The call states the activity page filters by.
const (
	// CallsAny is every call.
	CallsAny CallState = ""
	// CallsOpen are calls still in progress.
	CallsOpen CallState = "open"
	// CallsTalked are answered calls, ended or still in progress.
	CallsTalked CallState = "talked"
	// CallsMissed are incoming calls nobody answered.
	CallsMissed CallState = "missed"
	// CallsFailed are outgoing calls not answered (busy, no answer,
	// rejected, …), click-to-dial failures included.
	CallsFailed CallState = "failed"
	// CallsParked are calls with a notification Zoho never took.
	CallsParked CallState = "parked"
)

// ParseCallState reads a filter value; anything unknown is CallsAny.
func ParseCallState(v string) CallState {
	switch s := CallState(v); s {
	case CallsOpen, CallsTalked, CallsMissed, CallsFailed, CallsParked:
		return s
	}
	return CallsAny
}

// CallFilter selects a company's calls for the activity page.
type CallFilter struct {
	// Seat is part of the seat's user id or number ("" for every seat).
	Seat string
	// From and Until bound when the call started: From <= start < Until;
	// a zero time leaves that side open.
	From, Until time.Time
	// Direction is zoho.CallReceived, zoho.CallDialed or "" for both.
	Direction string
	State     CallState
	// Offset and Limit page the result; Limit <= 0 means 25, at most 200.
	Offset, Limit int
}

// callStateSQL is the WHERE condition of each CallState over calls c. The
// outcome is the call's real end (callflow.State.Outcome), whatever state
// was sent to Zoho.
var callStateSQL = map[CallState]string{
	CallsAny:    "true",
	CallsOpen:   "(c.open OR (c.closed_at IS NULL AND coalesce(c.state->>'phase', '') <> 'released'))",
	CallsTalked: "(c.state->>'outcome' = 'ended' OR (c.open AND c.state->>'phase' = 'answered'))",
	CallsMissed: "c.state->>'outcome' = 'missed'",
	CallsFailed: "c.state->>'outcome' IN ('busy', 'noanswer', 'rejected', 'invalid', 'blocked', 'notavailable')",
	CallsParked: "EXISTS (SELECT 1 FROM outbox o WHERE o.company_id = c.company_id AND o.call_id = c.id AND o.status = 'parked')",
}

// RecentCalls returns the company's latest calls (newest first, at most
// limit) with their notifications. Dial errors without a call row are not
// included; see RecentDialErrors.
func (s *Store) RecentCalls(ctx context.Context, companyID int64, limit int) ([]CallActivity, error) {
	calls, _, err := s.CallActivityPage(ctx, companyID, CallFilter{Limit: limit})
	return calls, err
}

// CallActivityPage returns one page of the company's calls that match f,
// newest first, with their notifications in delivery order, and how many
// match in all.
func (s *Store) CallActivityPage(ctx context.Context, companyID int64, f CallFilter) ([]CallActivity, int, error) {
	fail := func(err error) ([]CallActivity, int, error) {
		return nil, 0, fmt.Errorf("store: calls of company %d: %w", companyID, err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 25
	}
	limit = min(limit, 200)
	var from, until *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.company_id, c.seat_id, c.zoho_user_id, c.xsi_call_id, c.ext_tracking_id,
		coalesce(c.zoho_call_id, ''), c.origin, c.state, c.open, c.created_at, c.updated_at,
		coalesce(c.closed_at, 'epoch'), s.user_id, s.number, count(*) OVER ()
		FROM calls c JOIN seats s ON s.company_id = c.company_id AND s.id = c.seat_id
		WHERE c.company_id = $1
		  AND ($2 = '' OR s.user_id ILIKE $2 OR s.number ILIKE $2)
		  AND ($3::timestamptz IS NULL OR c.created_at >= $3)
		  AND ($4::timestamptz IS NULL OR c.created_at < $4)
		  AND ($5 = '' OR c.state->>'type' = $5 OR ($5 = 'dialed' AND c.state->>'type' IS NULL AND c.origin = 'clicktodial'))
		  AND `+callStateSQL[ParseCallState(string(f.State))]+`
		ORDER BY c.created_at DESC, c.id DESC OFFSET $6 LIMIT $7`,
		companyID, likePattern(f.Seat), from, until, f.Direction, max(f.Offset, 0), limit)
	if err != nil {
		return fail(err)
	}
	var total int
	calls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CallActivity, error) {
		var a CallActivity
		err := row.Scan(&a.ID, &a.CompanyID, &a.SeatID, &a.ZohoUserID, &a.XsiCallID, &a.ExtTrackingID,
			&a.ZohoCallID, &a.Origin, &a.State, &a.Open, &a.CreatedAt, &a.UpdatedAt, &a.ClosedAt, &a.SeatUserID, &a.SeatNumber, &total)
		if a.ClosedAt.Equal(time.Unix(0, 0)) {
			a.ClosedAt = time.Time{}
		}
		return a, err
	})
	if err != nil {
		return fail(err)
	}
	if len(calls) == 0 {
		return calls, total, nil
	}
	ids := make([]int64, len(calls))
	index := make(map[int64]int, len(calls))
	for i, c := range calls {
		ids[i], index[c.ID] = c.ID, i
	}
	// A call's notifications are delivered after it was created: history is
	// read from the days since the oldest call of the page (less a day for
	// clocks that disagree).
	since := calls[0].CreatedAt
	for _, c := range calls {
		if c.CreatedAt.Before(since) {
			since = c.CreatedAt
		}
	}
	rows, err = s.pool.Query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE company_id = $1 AND call_id = ANY($2)
		UNION ALL
		SELECT `+historyColumns+` FROM outbox_history WHERE company_id = $1 AND call_id = ANY($2) AND delivered_at >= $3
		ORDER BY call_key, seq`, companyID, ids, since.Add(-24*time.Hour))
	if err != nil {
		return fail(err)
	}
	notes, err := pgx.CollectRows(rows, scanOutbox)
	if err != nil {
		return fail(err)
	}
	for _, n := range notes {
		i := index[n.CallID]
		calls[i].Notifications = append(calls[i].Notifications, n)
	}
	return calls, total, nil
}

// RecentDialErrors returns the company's latest click-to-dial errors that
// have no call row (the Centrex refused the call outright), newest first.
func (s *Store) RecentDialErrors(ctx context.Context, companyID int64, limit int) ([]OutboxRow, error) {
	rows, err := s.pool.Query(ctx, `(SELECT `+outboxColumns+` FROM outbox
			WHERE company_id = $1 AND kind = 'clicktodialerror' AND call_id IS NULL ORDER BY id DESC LIMIT $2)
		UNION ALL
		(SELECT `+historyColumns+` FROM outbox_history
			WHERE company_id = $1 AND kind = 'clicktodialerror' AND call_id IS NULL ORDER BY id DESC LIMIT $2)
		ORDER BY id DESC LIMIT $2`, companyID, limit)
	if err == nil {
		var out []OutboxRow
		if out, err = pgx.CollectRows(rows, scanOutbox); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("store: dial errors of company %d: %w", companyID, err)
}

// RecentOutbox returns the company's latest notifications (newest first),
// queued and delivered, including click-to-dial errors that have no call
// row: for tools and tests (it reads every day of history).
func (s *Store) RecentOutbox(ctx context.Context, companyID int64, limit int) ([]OutboxRow, error) {
	rows, err := s.pool.Query(ctx, `(SELECT `+outboxColumns+` FROM outbox WHERE company_id = $1 ORDER BY id DESC LIMIT $2)
		UNION ALL
		(SELECT `+historyColumns+` FROM outbox_history WHERE company_id = $1 ORDER BY id DESC LIMIT $2)
		ORDER BY id DESC LIMIT $2`, companyID, limit)
	if err == nil {
		var out []OutboxRow
		if out, err = pgx.CollectRows(rows, scanOutbox); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("store: recent outbox of company %d: %w", companyID, err)
}

// DeliverySummary is the connection panel's view of a company's outbox.
type DeliverySummary struct {
	// LastDeliveredAt is when Zoho last accepted a notification (zero: never).
	LastDeliveredAt time.Time
	// LastError is the error of the latest notification that failed at
	// least once (empty: none); LastErrorAt is when that row was queued.
	LastError   string
	LastErrorAt time.Time
	// Pending and Parked count the notifications waiting and given up on.
	Pending int
	Parked  int
}

// outboxSummarySQL is the select list of the delivery summary of the
// company whose id is the SQL expression company (a parameter, or a column
// of an enclosing query: the seats page reads it in its one statement).
// Each part walks an index instead of the company's month of rows: the
// latest delivery in history (its days newest first), the queue's rows,
// the newest row that failed (a delivered row has no error). Scan it with
// deliveryScan.
func outboxSummarySQL(company string) string {
	return strings.NewReplacer("$1", company).Replace(`
		(SELECT max(delivered_at) FROM outbox_history WHERE company_id = $1),
		(SELECT count(*) FROM outbox WHERE company_id = $1 AND status = 'pending'),
		(SELECT count(*) FROM outbox WHERE company_id = $1 AND status = 'parked'),
		coalesce((SELECT last_error FROM outbox WHERE company_id = $1 AND last_error <> '' ORDER BY id DESC LIMIT 1), ''),
		(SELECT created_at FROM outbox WHERE company_id = $1 AND last_error <> '' ORDER BY id DESC LIMIT 1)`)
}

// deliveryScan receives the columns of outboxSummarySQL.
type deliveryScan struct {
	d           DeliverySummary
	last, errAt *time.Time
}

func (x *deliveryScan) dest() []any {
	return []any{&x.last, &x.d.Pending, &x.d.Parked, &x.d.LastError, &x.errAt}
}

func (x *deliveryScan) summary() DeliverySummary {
	d := x.d
	if x.last != nil {
		d.LastDeliveredAt = *x.last
	}
	if x.errAt != nil {
		d.LastErrorAt = *x.errAt
	}
	return d
}

// OutboxSummary returns the company's delivery summary.
func (s *Store) OutboxSummary(ctx context.Context, companyID int64) (DeliverySummary, error) {
	var x deliveryScan
	if err := s.pool.QueryRow(ctx, `SELECT `+outboxSummarySQL("$1"), companyID).Scan(x.dest()...); err != nil {
		return DeliverySummary{}, fmt.Errorf("store: outbox summary of company %d: %w", companyID, err)
	}
	return x.summary(), nil
}

// PruneOutbox drops the days of history (delivered notifications) that
// ended before before, each a partition of outbox_history: no row is
// deleted one by one. It returns how many days it dropped.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	var dropped int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, historyLockClass); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'outbox_history'::regclass ORDER BY 1`)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, name := range names {
			day, err := time.Parse("20060102", strings.TrimPrefix(name, "outbox_history_p"))
			if err != nil || historyPartition(day) != name || day.AddDate(0, 0, 1).After(before) {
				continue // not a day of ours, or not over yet
			}
			if _, err := tx.Exec(ctx, `DROP TABLE `+pgx.Identifier{name}.Sanitize()); err != nil {
				return err
			}
			dropped++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune outbox history: %w", err)
	}
	return dropped, nil
}
