package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Call origins.
const (
	// CallOriginEvent: the call was first seen in a Centrex event.
	CallOriginEvent = "event"
	// CallOriginClickToDial: the call was placed by a Zoho click-to-dial.
	CallOriginClickToDial = "clicktodial"
)

// Call is one call half of a linked seat. State is the call's state machine
// state (callflow.State as JSON, written by internal/calls); the store does
// not read it. Incarnation tells apart the seat's calls that the PBX gave the
// same XsiCallID (1 for the first).
type Call struct {
	ID            int64
	CompanyID     int64
	SeatID        int64
	ZohoUserID    string
	XsiCallID     string
	Incarnation   int
	ExtTrackingID string
	// ZohoCallID is the stable callnotify id, "" until the first event.
	ZohoCallID string
	Origin     string
	State      json.RawMessage
	Open       bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time
	// OutboxSeq is the sequence number of the call's latest notification
	// (0 for none), kept on the row so that queueing the next one reads
	// neither the queue's history nor its partitions (EnqueueCall); it is
	// written by SaveCall. -1: a row from before the count was kept, whose
	// notifications are numbered from the queue and its history instead.
	OutboxSeq int
}

const callColumns = `id, company_id, seat_id, zoho_user_id, xsi_call_id, incarnation, ext_tracking_id,
	coalesce(zoho_call_id, ''), origin, state, open, created_at, updated_at, coalesce(closed_at, 'epoch'),
	coalesce(outbox_seq, -1)`

// Fresh reports whether nothing was applied to the call yet.
func (c Call) Fresh() bool { return len(c.State) == 0 || string(c.State) == "{}" }

func scanCall(row pgx.CollectableRow) (Call, error) {
	var c Call
	err := row.Scan(c.scanDest()...)
	c.scanned()
	return c, err
}

// scanDest is where the columns of callColumns are scanned into.
func (c *Call) scanDest() []any {
	return []any{&c.ID, &c.CompanyID, &c.SeatID, &c.ZohoUserID, &c.XsiCallID, &c.Incarnation, &c.ExtTrackingID,
		&c.ZohoCallID, &c.Origin, &c.State, &c.Open, &c.CreatedAt, &c.UpdatedAt, &c.ClosedAt, &c.OutboxSeq}
}

// scanned completes a call scanned into scanDest.
func (c *Call) scanned() {
	if c.ClosedAt.Equal(time.Unix(0, 0)) {
		c.ClosedAt = time.Time{}
	}
}

// CallTx is one transaction over a company's calls and outbox: the call use
// case locks a call, applies an event, saves the new state and enqueues the
// notifications it caused, and either all of it commits or none.
type CallTx struct {
	tx        pgx.Tx
	s         *Store
	companyID int64
}

// InCallTx runs fn in one transaction scoped to the company; fn's error
// rolls everything back.
func (s *Store) InCallTx(ctx context.Context, companyID int64, fn func(ctx context.Context, tx CallTx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return fn(ctx, CallTx{tx: tx, s: s, companyID: companyID})
	})
	if err != nil {
		return fmt.Errorf("store: call transaction of company %d: %w", companyID, err)
	}
	return nil
}

// MarkEventProcessed records a Centrex event id; fresh is false when it was
// already recorded (a redelivery the caller must skip).
func (c CallTx) MarkEventProcessed(ctx context.Context, eventID string) (fresh bool, err error) {
	tag, err := c.tx.Exec(ctx, `INSERT INTO centrex_events (company_id, event_id, received_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, c.companyID, eventID, c.s.now())
	if err != nil {
		return false, fmt.Errorf("store: mark event %s of company %d: %w", eventID, c.companyID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// LockCall returns the latest incarnation of the seat's call half
// xsiCallID locked for update, creating the first (State "{}") if the call
// is new, in one round trip (the statements of an event group's, for one
// call).
func (c CallTx) LockCall(ctx context.Context, seatID int64, xsiCallID, zohoUserID string) (Call, error) {
	out := GroupStarted{Calls: make([]Call, 1)}
	st := groupStart{GroupStart: GroupStart{Refs: []CallRef{{CompanyID: c.companyID, SeatID: seatID, XsiCallID: xsiCallID,
		ZohoUserID: zohoUserID}}}, out: &out, now: c.s.now()}
	var b pgx.Batch
	st.queueCalls(&b, []int{0}, true, true)
	br := c.tx.SendBatch(ctx, &b)
	missing, err := st.readCalls(br, []int{0}, true, true)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && len(missing) > 0 {
		err = ErrNotFound
	}
	var ge *GroupError
	if errors.As(err, &ge) {
		err = ge.Err // it names the call already
		return Call{}, fmt.Errorf("store: %w", err)
	}
	if err != nil {
		return Call{}, fmt.Errorf("store: lock call %s of seat %d of company %d: %w", xsiCallID, seatID, c.companyID, err)
	}
	return out.Calls[0], nil
}

// NextIncarnation returns, locked, a new call with the same Xsi call id as
// prev (State "{}", the next incarnation): the PBX reused prev's id for
// another call. Two transactions asking for it at once get the same row.
func (c CallTx) NextIncarnation(ctx context.Context, prev Call, zohoUserID string) (Call, error) {
	now := c.s.now()
	next := prev.Incarnation + 1
	_, err := c.tx.Exec(ctx, `INSERT INTO calls (company_id, seat_id, xsi_call_id, incarnation, zoho_user_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (company_id, seat_id, xsi_call_id, incarnation) DO NOTHING`,
		c.companyID, prev.SeatID, prev.XsiCallID, next, zohoUserID, now)
	if err == nil {
		var rows pgx.Rows
		rows, err = c.tx.Query(ctx, `SELECT `+callColumns+` FROM calls
			WHERE company_id = $1 AND seat_id = $2 AND xsi_call_id = $3 AND incarnation = $4 FOR UPDATE`,
			c.companyID, prev.SeatID, prev.XsiCallID, next)
		if err == nil {
			var call Call
			if call, err = pgx.CollectExactlyOneRow(rows, scanCall); err == nil {
				return call, nil
			}
		}
	}
	return Call{}, fmt.Errorf("store: new incarnation of call %s of seat %d of company %d: %w", prev.XsiCallID, prev.SeatID, c.companyID, err)
}

// MarkDialed records that a locked call was placed by a Zoho click-to-dial.
func (c CallTx) MarkDialed(ctx context.Context, callID int64) error {
	_, err := c.tx.Exec(ctx, `UPDATE calls SET origin = 'clicktodial' WHERE company_id = $1 AND id = $2`, c.companyID, callID)
	if err != nil {
		return fmt.Errorf("store: mark call %d of company %d dialed: %w", callID, c.companyID, err)
	}
	return nil
}

// LockCallByID locks one call of the company by its row id.
func (c CallTx) LockCallByID(ctx context.Context, callID int64) (Call, error) {
	rows, err := c.tx.Query(ctx, `SELECT `+callColumns+` FROM calls WHERE company_id = $1 AND id = $2 FOR UPDATE`,
		c.companyID, callID)
	if err == nil {
		var call Call
		if call, err = pgx.CollectExactlyOneRow(rows, scanCall); err == nil {
			return call, nil
		}
	}
	return Call{}, fmt.Errorf("store: lock call %d of company %d: %w", callID, c.companyID, notFound(err))
}

// saveCallsSQL writes calls' states (arguments: callSaves.args, or
// saveCallArgs for one). Only state, open, the ids, the notification count
// and the times change; of those, only open, zoho_call_id and closed_at are
// indexed, and they change when a call starts or ends, so the updates in
// between can be HOT. The calls are found by id with = ANY, an index scan
// whatever the planner makes of the arrays' size.
const saveCallsSQL = `UPDATE calls c SET state = v.state, open = v.open, zoho_call_id = coalesce(v.zoho_call_id, c.zoho_call_id),
		ext_tracking_id = v.ext_tracking_id, zoho_user_id = v.zoho_user_id, updated_at = $9,
		closed_at = CASE WHEN v.open THEN NULL ELSE coalesce(c.closed_at, CASE WHEN c.open THEN $9::timestamptz END) END,
		outbox_seq = v.outbox_seq
	FROM unnest($1::bigint[], $2::bigint[], $3::jsonb[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::integer[])
		AS v (company_id, id, state, open, zoho_call_id, ext_tracking_id, zoho_user_id, outbox_seq)
	WHERE c.id = ANY($2) AND c.company_id = v.company_id AND c.id = v.id`

// callSaves are calls to save, the latest state of each.
type callSaves struct {
	calls []Call
	at    map[int64]int // index in calls by row id
}

func (c *callSaves) len() int { return len(c.calls) }

func (c *callSaves) add(call Call) {
	if i, ok := c.at[call.ID]; ok {
		c.calls[i] = call
		return
	}
	if c.at == nil {
		c.at = map[int64]int{}
	}
	c.at[call.ID] = len(c.calls)
	c.calls = append(c.calls, call)
}

func (c *callSaves) args(now time.Time) []any {
	n := len(c.calls)
	companies, ids := make([]int64, n), make([]int64, n)
	states, exts, users := make([]string, n), make([]string, n), make([]string, n)
	opens := make([]bool, n)
	zohoIDs, seqs := make([]*string, n), make([]*int32, n)
	for i, call := range c.calls {
		companies[i], ids[i], states[i], opens[i] = call.CompanyID, call.ID, string(call.State), call.Open
		exts[i], users[i] = call.ExtTrackingID, call.ZohoUserID
		if call.ZohoCallID != "" {
			zohoIDs[i] = &call.ZohoCallID
		}
		if call.OutboxSeq >= 0 { // a row from before the count was kept stays without one
			seqs[i] = new(int32(call.OutboxSeq))
		}
	}
	return []any{companies, ids, states, opens, zohoIDs, exts, users, seqs, now}
}

// saveCallArgs are saveCallsSQL's arguments for one call.
func saveCallArgs(call Call, now time.Time) []any {
	var v callSaves
	v.add(call)
	return v.args(now)
}

// SaveCall writes a locked call's state, ids and open flag. A call that
// stops being open gets its closed_at.
func (c CallTx) SaveCall(ctx context.Context, call Call) error {
	call.CompanyID = c.companyID // the transaction's company, whatever call says
	_, err := c.tx.Exec(ctx, saveCallsSQL, saveCallArgs(call, c.s.now())...)
	if err != nil {
		return fmt.Errorf("store: save call %d of company %d: %w", call.ID, c.companyID, err)
	}
	return nil
}

// RecordDialedCall notes a click-to-dial the Centrex accepted, so that the
// portal shows it even before its first event: the latest call with that
// id, when it is still being tracked (its events came first), or else a new
// one (a new incarnation when an old, closed call had the id).
func (s *Store) RecordDialedCall(ctx context.Context, companyID, seatID int64, xsiCallID, zohoUserID string) error {
	err := s.InCallTx(ctx, companyID, func(ctx context.Context, tx CallTx) error {
		call, err := tx.LockCall(ctx, seatID, xsiCallID, zohoUserID)
		if err == nil && !call.Open && !call.Fresh() {
			call, err = tx.NextIncarnation(ctx, call, zohoUserID)
		}
		if err != nil {
			return err
		}
		return tx.MarkDialed(ctx, call.ID)
	})
	if err != nil {
		return fmt.Errorf("store: record dialed call %s of company %d: %w", xsiCallID, companyID, err)
	}
	return nil
}

// CallByZohoID returns the call a Zoho callrefid names, only if it belongs to
// the given seat of the company: another seat's or company's call is
// ErrNotFound.
func (s *Store) CallByZohoID(ctx context.Context, companyID, seatID int64, zohoCallID string) (Call, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+callColumns+` FROM calls
		WHERE company_id = $1 AND seat_id = $2 AND zoho_call_id = $3`, companyID, seatID, zohoCallID)
	if err == nil {
		var c Call
		if c, err = pgx.CollectExactlyOneRow(rows, scanCall); err == nil {
			return c, nil
		}
	}
	return Call{}, fmt.Errorf("store: call %q of seat %d of company %d: %w", zohoCallID, seatID, companyID, notFound(err))
}

// StaleCall is an open call the sweeper should check with the Centrex.
type StaleCall struct {
	CompanyID  int64
	CallID     int64
	SeatID     int64
	SeatUserID string
	SeatNumber string
	XsiCallID  string
	UpdatedAt  time.Time
}

// StaleOpenCalls lists up to limit open calls not updated since before,
// oldest first, across every company (the sweeper's scan).
func (s *Store) StaleOpenCalls(ctx context.Context, before time.Time, limit int) ([]StaleCall, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.company_id, c.id, c.seat_id, s.user_id, s.number, c.xsi_call_id, c.updated_at
		FROM calls c JOIN seats s ON s.company_id = c.company_id AND s.id = c.seat_id
		WHERE c.open AND c.updated_at < $1 ORDER BY c.updated_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: stale open calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanStale)
	if err != nil {
		return nil, fmt.Errorf("store: stale open calls: %w", err)
	}
	return out, nil
}

// OpenCallsOfSeat lists the open calls of one seat of the company not
// updated since before (a call updated later has news fresher than what
// the caller compares it with).
func (s *Store) OpenCallsOfSeat(ctx context.Context, companyID, seatID int64, before time.Time) ([]StaleCall, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.company_id, c.id, c.seat_id, s.user_id, s.number, c.xsi_call_id, c.updated_at
		FROM calls c JOIN seats s ON s.company_id = c.company_id AND s.id = c.seat_id
		WHERE c.company_id = $1 AND c.seat_id = $2 AND c.open AND c.updated_at < $3 ORDER BY c.id`, companyID, seatID, before)
	if err != nil {
		return nil, fmt.Errorf("store: open calls of seat %d of company %d: %w", seatID, companyID, err)
	}
	out, err := pgx.CollectRows(rows, scanStale)
	if err != nil {
		return nil, fmt.Errorf("store: open calls of seat %d of company %d: %w", seatID, companyID, err)
	}
	return out, nil
}

func scanStale(row pgx.CollectableRow) (StaleCall, error) {
	var c StaleCall
	return c, row.Scan(&c.CompanyID, &c.CallID, &c.SeatID, &c.SeatUserID, &c.SeatNumber, &c.XsiCallID, &c.UpdatedAt)
}

// CompanyLanguage returns the language ("es" or "en") of a company's
// Zoho-facing texts.
func (s *Store) CompanyLanguage(ctx context.Context, companyID int64) (string, error) {
	var lang string
	err := s.pool.QueryRow(ctx, `SELECT language FROM companies WHERE id = $1`, companyID).Scan(&lang)
	if err != nil {
		return "", fmt.Errorf("store: language of company %d: %w", companyID, notFound(err))
	}
	return lang, nil
}

// SetCompanyLanguage sets the language of a company's Zoho-facing texts.
func (s *Store) SetCompanyLanguage(ctx context.Context, companyID int64, lang string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE companies SET language = $2 WHERE id = $1`, companyID, lang)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set language of company %d: %w", companyID, err)
	}
	return nil
}

// PruneEvents forgets processed event ids older than before; Xsi stops
// redelivering an event within minutes.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM centrex_events WHERE received_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store: prune events: %w", err)
	}
	return tag.RowsAffected(), nil
}

// PruneCalls deletes calls closed before before. Their queued
// notifications stay, with no call; their delivered ones stay in history,
// keeping the call's id, until PruneOutbox drops their days.
func (s *Store) PruneCalls(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM calls WHERE NOT open AND closed_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store: prune calls: %w", err)
	}
	return tag.RowsAffected(), nil
}
