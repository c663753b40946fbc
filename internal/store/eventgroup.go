package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// EventTx is one transaction shared by a group of Centrex events, of any
// companies (group commit): the call use case reads the companies' cache
// versions, marks the events processed and locks every call the group
// touches, creating the new ones (StartGroup; Start and LockCalls do a
// part of it), and queues the calls' new states and notifications
// (QueueSave, QueueEnqueueCall), sent in one pipeline with at most one
// NOTIFY (Flush). Each step is one round trip whatever the size of the
// group. Rows are locked in one order (company, then key), so that two
// groups on two instances do not deadlock on each other.
//
// A failed statement of a pipeline is a *GroupError naming the item it
// was for, so the caller can leave that event out and run the others
// again; the transaction is aborted either way.
type EventTx struct {
	tx     pgx.Tx // nil until the first round trip, which begins it
	s      *Store
	batch  pgx.Batch
	tags   []int
	notify int64 // a company whose notifications were queued; 0: none
}

// GroupError is a statement of an event group that failed: Tag is the tag
// (or index) of the item it was for.
type GroupError struct {
	Tag int
	Err error
}

func (e *GroupError) Error() string {
	return fmt.Sprintf("store: event group item %d: %v", e.Tag, e.Err)
}
func (e *GroupError) Unwrap() error { return e.Err }

// InEventTx runs fn in one transaction and commits it; fn's error rolls
// everything back. A nil error means the group is durable (committed).
// The transaction begins in the same round trip as its first statements
// (StartGroup's), not in one of its own.
func (s *Store) InEventTx(ctx context.Context, fn func(ctx context.Context, tx *EventTx) error) error {
	e := &EventTx{s: s}
	err := func() (err error) {
		defer func() {
			if e.tx == nil {
				return
			}
			// After a commit, the rollback does nothing (pgx.ErrTxClosed).
			if rerr := e.tx.Rollback(ctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) && err == nil {
				err = rerr
			}
		}()
		if err := fn(ctx, e); err != nil {
			return err
		}
		if e.tx == nil {
			return nil // nothing was sent
		}
		return e.tx.Commit(ctx)
	}()
	if err != nil {
		var ge *GroupError
		if errors.As(err, &ge) {
			return err
		}
		return fmt.Errorf("store: event group: %w", err)
	}
	return nil
}

// EventMark is a Centrex event id of a company, to be marked processed.
type EventMark struct {
	CompanyID int64
	EventID   string
}

// Start reads the cache version of each company (CompanyVersion) and marks
// the events processed, in one round trip. fresh[i] is false when marks[i]
// was already recorded (a redelivery, or the same id earlier in marks). A
// failed mark is a *GroupError with the mark's index.
func (e *EventTx) Start(ctx context.Context, companies []int64, marks []EventMark) (versions map[int64]int64, fresh []bool, err error) {
	r, err := e.StartGroup(ctx, GroupStart{Companies: companies, Marks: marks})
	return r.Versions, r.Fresh, err
}

// CallRef names a seat's call half: the latest incarnation of XsiCallID.
// ZohoUserID is written into a call created for it. Create says that the
// call is likely new (the event starts a call): StartGroup then tries to
// create it in its one round trip rather than in a second one.
type CallRef struct {
	CompanyID  int64
	SeatID     int64
	XsiCallID  string
	ZohoUserID string
	Create     bool
}

// GroupStart is what an event group reads, marks and locks first.
type GroupStart struct {
	Companies []int64     // whose versions to read
	Marks     []EventMark // events to mark processed
	Refs      []CallRef   // calls to lock, distinct
	// MarkTags and RefTags name each mark and ref in a *GroupError (nil:
	// its index).
	MarkTags, RefTags []int
}

// GroupStarted is what StartGroup read: the companies' versions, whether
// each mark is fresh (not recorded before, nor earlier in the marks), and
// each ref's call, locked.
type GroupStarted struct {
	Versions map[int64]int64
	Fresh    []bool
	Calls    []Call
}

// StartGroup reads the companies' versions, marks the events processed and
// locks the latest incarnation of each call (creating it first when the
// ref says so, and when it is missing), in one round trip when every call
// exists or was created as said, two when some were missing (three when
// another transaction created one of those meanwhile). Marks are written
// and calls locked in one order (company, then id), so that two groups on
// two instances do not deadlock. A failure of a mark or a call is a
// *GroupError with its tag.
func (e *EventTx) StartGroup(ctx context.Context, in GroupStart) (GroupStarted, error) {
	out := GroupStarted{Versions: map[int64]int64{}, Fresh: make([]bool, len(in.Marks)), Calls: make([]Call, len(in.Refs))}
	tag := func(tags []int, i int) int {
		if tags == nil {
			return i
		}
		return tags[i]
	}
	markFail := func(i int, err error) error {
		m := in.Marks[i]
		return &GroupError{Tag: tag(in.MarkTags, i), Err: fmt.Errorf("mark event %s of company %d: %w", m.EventID, m.CompanyID, err)}
	}
	refFail := func(i int, err error) error {
		r := in.Refs[i]
		return &GroupError{Tag: tag(in.RefTags, i), Err: fmt.Errorf("lock call %s of seat %d of company %d: %w", r.XsiCallID, r.SeatID, r.CompanyID, err)}
	}
	marks := sortedIndexes(len(in.Marks), func(i, j int) int {
		a, b := in.Marks[i], in.Marks[j]
		return cmp.Or(cmp.Compare(a.CompanyID, b.CompanyID), cmp.Compare(a.EventID, b.EventID))
	})
	refs := sortedIndexes(len(in.Refs), func(i, j int) int {
		a, b := in.Refs[i], in.Refs[j]
		return cmp.Or(cmp.Compare(a.CompanyID, b.CompanyID), cmp.Compare(a.SeatID, b.SeatID), cmp.Compare(a.XsiCallID, b.XsiCallID))
	})
	if len(in.Companies)+len(in.Marks)+len(in.Refs) == 0 {
		return out, nil
	}
	now := e.s.now()
	b := e.newBatch()
	if len(in.Companies) > 0 {
		b.Queue(`SELECT company_id, version FROM company_versions WHERE company_id = ANY($1)`, in.Companies)
	}
	for _, i := range marks {
		b.Queue(`INSERT INTO centrex_events (company_id, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			in.Marks[i].CompanyID, in.Marks[i].EventID, now)
	}
	for _, i := range refs {
		r := in.Refs[i]
		if r.Create {
			b.Queue(createCallSQL, r.CompanyID, r.SeatID, r.XsiCallID, r.ZohoUserID, now)
		}
		b.Queue(lockCallSQL, r.CompanyID, r.SeatID, r.XsiCallID)
	}
	br, err := e.send(ctx, b)
	if err != nil {
		return out, err
	}
	defer br.Close()
	if len(in.Companies) > 0 {
		rows, err := br.Query()
		if err == nil {
			var id, v int64
			_, err = pgx.ForEachRow(rows, []any{&id, &v}, func() error { out.Versions[id] = v; return nil })
		}
		if err != nil {
			return out, fmt.Errorf("store: event group: versions: %w", err)
		}
	}
	for _, i := range marks {
		t, err := br.Exec()
		if err != nil {
			return out, markFail(i, err)
		}
		out.Fresh[i] = t.RowsAffected() == 1
	}
	// readCall reads ref i's call from br; found is false when it got no
	// row.
	readCall := func(br pgx.BatchResults, i int) (found bool, err error) {
		rows, err := br.Query()
		if err == nil {
			out.Calls[i], err = pgx.CollectExactlyOneRow(rows, scanCall)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, refFail(i, err)
		}
		return true, nil
	}
	var missing []int
	for _, i := range refs {
		if in.Refs[i].Create {
			if _, err := br.Exec(); err != nil {
				return out, refFail(i, err)
			}
		}
		found, err := readCall(br, i)
		if err != nil {
			return out, err
		}
		if !found {
			missing = append(missing, i)
		}
	}
	if err := br.Close(); err != nil {
		return out, fmt.Errorf("store: event group: start: %w", err)
	}
	if len(missing) == 0 {
		return out, nil
	}
	// run sends one statement per ref of idx and keeps the row each
	// returns; it returns the refs that got none.
	run := func(idx []int, queue func(b *pgx.Batch, r CallRef)) ([]int, error) {
		var b pgx.Batch
		for _, i := range idx {
			queue(&b, in.Refs[i])
		}
		br := e.tx.SendBatch(ctx, &b)
		defer br.Close()
		var missing []int
		for _, i := range idx {
			found, err := readCall(br, i)
			if err != nil {
				return nil, err
			}
			if !found {
				missing = append(missing, i)
			}
		}
		return missing, br.Close()
	}
	missing, err = run(missing, func(b *pgx.Batch, r CallRef) {
		b.Queue(`INSERT INTO calls (company_id, seat_id, xsi_call_id, zoho_user_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (company_id, seat_id, xsi_call_id, incarnation) DO NOTHING RETURNING `+callColumns,
			r.CompanyID, r.SeatID, r.XsiCallID, r.ZohoUserID, now)
	})
	if err == nil && len(missing) > 0 {
		// Created by another transaction since the first read: lock it.
		missing, err = run(missing, func(b *pgx.Batch, r CallRef) { b.Queue(lockCallSQL, r.CompanyID, r.SeatID, r.XsiCallID) })
		if err == nil && len(missing) > 0 {
			err = refFail(missing[0], ErrNotFound)
		}
	}
	return out, err
}

// LockCalls returns, locked for update, the latest incarnation of each
// call half (LockCall), creating those that are new (StartGroup without
// versions or marks). refs must be distinct. A failure is a *GroupError
// with the ref's index.
func (e *EventTx) LockCalls(ctx context.Context, refs []CallRef) ([]Call, error) {
	r, err := e.StartGroup(ctx, GroupStart{Refs: refs})
	if err != nil {
		return nil, err
	}
	return r.Calls, nil
}

// newBatch is a batch for the group's next round trip: while the
// transaction has not begun, its BEGIN goes first (pgx.Batch.BeginTx).
func (e *EventTx) newBatch() *pgx.Batch {
	b := &pgx.Batch{}
	if e.tx == nil {
		b.BeginTx(pgx.TxOptions{})
	}
	return b
}

// send sends a batch made by newBatch, beginning the transaction with it
// when it has not begun. The results it returns start at the first query
// the caller queued.
func (e *EventTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	if e.tx != nil {
		return e.tx.SendBatch(ctx, b), nil
	}
	br := e.s.pool.SendBatch(ctx, b)
	e.tx = br.Tx() // to roll back, even when the batch failed
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, fmt.Errorf("store: event group: begin: %w", err)
	}
	return br, nil
}

// begin begins the transaction in a round trip of its own, for a step that
// comes before any StartGroup.
func (e *EventTx) begin(ctx context.Context) error {
	if e.tx != nil {
		return nil
	}
	br, err := e.send(ctx, e.newBatch())
	if err != nil {
		return err
	}
	return br.Close()
}

// CallTx is the company's CallTx inside the group's transaction, for the
// rare steps taken one statement at a time (CallTx.NextIncarnation). It
// is for calls the group locked, so after StartGroup or LockCalls.
func (e *EventTx) CallTx(companyID int64) CallTx {
	return CallTx{tx: e.tx, s: e.s, companyID: companyID}
}

// QueueSave queues writing a locked call's state (CallTx.SaveCall) for
// Flush; tag names it in a *GroupError.
func (e *EventTx) QueueSave(call Call, tag int) {
	e.batch.Queue(saveCallSQL, saveCallArgs(call.CompanyID, call, e.s.now())...)
	e.tags = append(e.tags, tag)
}

// QueueEnqueueCall queues items for the outbox of a locked call of the
// group (CallTx.EnqueueCall, without its NOTIFY: Flush sends one for the
// group), counting them on call; queue its save (QueueSave) after.
func (e *EventTx) QueueEnqueueCall(call *Call, items []OutboxItem, tag int) {
	if len(items) == 0 {
		return
	}
	sql, args := enqueueCallArgs(call, items, e.s.now())
	e.batch.Queue(sql, args...)
	e.tags = append(e.tags, tag)
	if e.notify == 0 {
		e.notify = call.CompanyID
	}
}

// Flush sends what was queued and, when notifications were queued, one
// pg_notify('outbox') for the whole group (its payload one of the
// companies), in one round trip. A failed statement is a *GroupError with
// its tag.
func (e *EventTx) Flush(ctx context.Context) error {
	if e.notify != 0 {
		e.batch.Queue(`SELECT pg_notify('outbox', $1)`, strconv.FormatInt(e.notify, 10))
		e.tags = append(e.tags, -1)
	}
	if e.batch.Len() == 0 {
		return nil
	}
	if err := e.begin(ctx); err != nil {
		return err
	}
	br := e.tx.SendBatch(ctx, &e.batch)
	defer br.Close()
	for _, tag := range e.tags {
		if _, err := br.Exec(); err != nil {
			if tag < 0 {
				return fmt.Errorf("store: event group: notify outbox: %w", err)
			}
			return &GroupError{Tag: tag, Err: err}
		}
	}
	e.batch, e.tags, e.notify = pgx.Batch{}, nil, 0
	return br.Close()
}

// sortedIndexes returns 0..n-1 stably sorted by cmp.
func sortedIndexes(n int, compare func(i, j int) int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, compare)
	return idx
}
