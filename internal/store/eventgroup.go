package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

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
// Each step runs one statement for all the group's items of a kind (the
// marks, the new calls, the locks, the saves, the notifications): in a
// group of tens of events, the statements' own cost (parse, plan, executor
// start, protocol), not the rows they write, is most of PostgreSQL's work,
// and the group's statements run one after the other on one connection
// while the next group waits. Which item a failed statement was for is
// then unknown: it is a *SetError, and the caller runs the group again
// item by item (ItemByItem), where a failed statement is a *GroupError
// naming its item, so the caller can leave that event out and run the
// others again. The transaction is aborted either way.
type EventTx struct {
	tx         pgx.Tx // nil until the first round trip, which begins it
	s          *Store
	itemByItem bool
	batch      pgx.Batch // the statements of single items, with tags
	tags       []int
	saves      callSaves     // set mode: the calls to save
	enqueues   outboxInserts // set mode: the notifications to queue
	notify     int64         // a company whose notifications were queued; 0: none
}

// ItemByItem makes every later step send one statement per item, so that
// a failure names its item (a *GroupError) rather than the step's set (a
// *SetError).
func (e *EventTx) ItemByItem() { e.itemByItem = true }

// SetError is a failed statement of an event group that was for all its
// items of a kind: run the group again item by item (EventTx.ItemByItem)
// to learn which.
type SetError struct {
	Op  string
	Err error
}

func (e *SetError) Error() string { return fmt.Sprintf("store: event group: %s: %v", e.Op, e.Err) }
func (e *SetError) Unwrap() error { return e.Err }

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
		var se *SetError
		if errors.As(err, &ge) || errors.As(err, &se) {
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
// exists or was created as said, two when some were missing. Marks are written
// and calls locked in one order (company, then id), so that two groups on
// two instances do not deadlock. A failed mark, creation or lock is a
// *SetError, or item by item a *GroupError with the item's tag.
func (e *EventTx) StartGroup(ctx context.Context, in GroupStart) (GroupStarted, error) {
	out := GroupStarted{Versions: map[int64]int64{}, Fresh: make([]bool, len(in.Marks)), Calls: make([]Call, len(in.Refs))}
	if len(in.Companies)+len(in.Marks)+len(in.Refs) == 0 {
		return out, nil
	}
	st := groupStart{GroupStart: in, out: &out, now: e.s.now()}
	st.marks = sortedIndexes(len(in.Marks), func(i, j int) int {
		a, b := in.Marks[i], in.Marks[j]
		return cmp.Or(cmp.Compare(a.CompanyID, b.CompanyID), cmp.Compare(a.EventID, b.EventID))
	})
	st.refs = sortedIndexes(len(in.Refs), func(i, j int) int {
		a, b := in.Refs[i], in.Refs[j]
		return cmp.Or(cmp.Compare(a.CompanyID, b.CompanyID), cmp.Compare(a.SeatID, b.SeatID), cmp.Compare(a.XsiCallID, b.XsiCallID))
	})
	b := e.newBatch()
	if len(in.Companies) > 0 {
		b.Queue(`SELECT company_id, version FROM company_versions WHERE company_id = ANY($1)`, in.Companies)
	}
	st.queueMarks(b, e.itemByItem)
	st.queueCalls(b, st.refs, false, e.itemByItem)
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
	if err := st.readMarks(br, e.itemByItem); err != nil {
		return out, err
	}
	missing, err := st.readCalls(br, st.refs, false, e.itemByItem)
	if err != nil {
		return out, err
	}
	if err := br.Close(); err != nil {
		return out, fmt.Errorf("store: event group: start: %w", err)
	}
	if len(missing) == 0 {
		return out, nil
	}
	// Calls missing although the event did not start them: create and
	// lock them, one statement each (they are rare, and a failure names
	// its ref). One created by another transaction meanwhile is waited for
	// and locked.
	b = &pgx.Batch{}
	st.queueCalls(b, missing, true, true)
	br2 := e.tx.SendBatch(ctx, b)
	defer br2.Close()
	if missing, err = st.readCalls(br2, missing, true, true); err != nil {
		return out, err
	}
	if err := br2.Close(); err != nil {
		return out, fmt.Errorf("store: event group: start: %w", err)
	}
	if len(missing) > 0 {
		return out, st.refFail(missing[0], ErrNotFound)
	}
	return out, nil
}

// groupStart is one StartGroup under way: its input, its marks and refs
// in lock order (indexes into Marks and Refs), and what it read.
type groupStart struct {
	GroupStart
	out         *GroupStarted
	now         time.Time
	marks, refs []int
}

func (st *groupStart) tag(tags []int, i int) int {
	if tags == nil {
		return i
	}
	return tags[i]
}

func (st *groupStart) markFail(i int, err error) error {
	m := st.Marks[i]
	return &GroupError{Tag: st.tag(st.MarkTags, i), Err: fmt.Errorf("mark event %s of company %d: %w", m.EventID, m.CompanyID, err)}
}

func (st *groupStart) refFail(i int, err error) error {
	r := st.Refs[i]
	return &GroupError{Tag: st.tag(st.RefTags, i), Err: fmt.Errorf("lock call %s of seat %d of company %d: %w", r.XsiCallID, r.SeatID, r.CompanyID, err)}
}

// The set statements of StartGroup. Each new call is looked for with a
// scalar subquery, and each call locked in a LATERAL subquery: both stay
// one index probe per item whatever the planner makes of the arrays, and
// the locks are taken in the arrays' order.
const (
	markEventsSQL = `INSERT INTO centrex_events (company_id, event_id, received_at)
		SELECT t.company_id, t.event_id, $3 FROM unnest($1::bigint[], $2::text[]) AS t (company_id, event_id)
		ON CONFLICT DO NOTHING RETURNING company_id, event_id`
	createCallsSQL = `INSERT INTO calls (company_id, seat_id, xsi_call_id, zoho_user_id, created_at, updated_at)
		SELECT t.company_id, t.seat_id, t.xsi_call_id, t.zoho_user_id, $5, $5
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS t (company_id, seat_id, xsi_call_id, zoho_user_id)
		WHERE (SELECT true FROM calls c
			WHERE c.company_id = t.company_id AND c.seat_id = t.seat_id AND c.xsi_call_id = t.xsi_call_id LIMIT 1) IS NULL
		ON CONFLICT (company_id, seat_id, xsi_call_id, incarnation) DO NOTHING`
	lockCallsSQL = `SELECT t.ord, l.* FROM unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY AS t (company_id, seat_id, xsi_call_id, ord)
		CROSS JOIN LATERAL (SELECT ` + callColumns + ` FROM calls c
			WHERE c.company_id = t.company_id AND c.seat_id = t.seat_id AND c.xsi_call_id = t.xsi_call_id
			ORDER BY c.incarnation DESC LIMIT 1 FOR UPDATE) l`
)

// queueMarks queues the marks: one statement, or one per mark item by
// item.
func (st *groupStart) queueMarks(b *pgx.Batch, itemByItem bool) {
	if len(st.marks) == 0 {
		return
	}
	if itemByItem {
		for _, i := range st.marks {
			b.Queue(markEventsSQL, []int64{st.Marks[i].CompanyID}, []string{st.Marks[i].EventID}, st.now)
		}
		return
	}
	companies, ids := make([]int64, len(st.marks)), make([]string, len(st.marks))
	for k, i := range st.marks {
		companies[k], ids[k] = st.Marks[i].CompanyID, st.Marks[i].EventID
	}
	b.Queue(markEventsSQL, companies, ids, st.now)
}

// readMarks reads what queueMarks queued: a mark is fresh when its row
// was inserted, the first of equal marks only.
func (st *groupStart) readMarks(br pgx.BatchResults, itemByItem bool) error {
	inserted := map[EventMark]bool{}
	read := func() error {
		rows, err := br.Query()
		if err == nil {
			var m EventMark
			_, err = pgx.ForEachRow(rows, []any{&m.CompanyID, &m.EventID}, func() error { inserted[m] = true; return nil })
		}
		return err
	}
	if itemByItem {
		for _, i := range st.marks {
			if err := read(); err != nil {
				return st.markFail(i, err)
			}
		}
	} else if len(st.marks) > 0 {
		if err := read(); err != nil {
			return &SetError{Op: "mark events", Err: err}
		}
	}
	for _, i := range st.marks {
		m := st.Marks[i]
		st.out.Fresh[i] = inserted[m]
		delete(inserted, m)
	}
	return nil
}

// creates reports whether ref i's call is to be created before it is
// locked: always, or when the ref says so.
func (st *groupStart) creates(i int, always bool) bool { return always || st.Refs[i].Create }

// anyCreated reports whether queueCalls queued a creation for the refs idx.
func (st *groupStart) anyCreated(idx []int, createAll bool) bool {
	return slices.ContainsFunc(idx, func(i int) bool { return st.creates(i, createAll) })
}

// refArrays are the columns of the refs idx that keep (all of them when
// keep is nil), for the set statements.
func (st *groupStart) refArrays(idx []int, keep func(int) bool) (companies, seats []int64, calls, users []string) {
	for _, i := range idx {
		if keep == nil || keep(i) {
			r := st.Refs[i]
			companies, seats = append(companies, r.CompanyID), append(seats, r.SeatID)
			calls, users = append(calls, r.XsiCallID), append(users, r.ZohoUserID)
		}
	}
	return companies, seats, calls, users
}

// queueCalls queues the creation of the calls of the refs idx that are to
// be created (creates) and the locks of all of them: one statement of each,
// or item by item one per ref.
func (st *groupStart) queueCalls(b *pgx.Batch, idx []int, createAll, itemByItem bool) {
	queue := func(idx []int) {
		if companies, seats, calls, users := st.refArrays(idx, func(i int) bool { return st.creates(i, createAll) }); len(companies) > 0 {
			b.Queue(createCallsSQL, companies, seats, calls, users, st.now)
		}
		if len(idx) > 0 {
			companies, seats, calls, _ := st.refArrays(idx, nil)
			b.Queue(lockCallsSQL, companies, seats, calls)
		}
	}
	if !itemByItem {
		queue(idx)
		return
	}
	for _, i := range idx {
		queue([]int{i})
	}
}

// readCalls reads what queueCalls queued; it returns the refs of idx (in
// their order) that have no call.
func (st *groupStart) readCalls(br pgx.BatchResults, idx []int, createAll, itemByItem bool) (missing []int, err error) {
	read := func(idx []int) error {
		if st.anyCreated(idx, createAll) {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if len(idx) == 0 {
			return nil
		}
		rows, err := br.Query()
		found := make([]bool, len(idx))
		if err == nil {
			var ord int
			var c Call
			dest := append([]any{&ord}, c.scanDest()...)
			_, err = pgx.ForEachRow(rows, dest, func() error {
				if ord < 1 || ord > len(idx) || found[ord-1] {
					return fmt.Errorf("lock returned item %d of %d", ord, len(idx))
				}
				found[ord-1] = true
				c.scanned()
				st.out.Calls[idx[ord-1]] = c
				return nil
			})
		}
		for k, i := range idx {
			if err == nil && !found[k] {
				missing = append(missing, i)
			}
		}
		return err
	}
	if !itemByItem {
		if err := read(idx); err != nil {
			return nil, &SetError{Op: "create and lock calls", Err: err}
		}
		return missing, nil
	}
	for _, i := range idx {
		if err := read([]int{i}); err != nil {
			return nil, st.refFail(i, err)
		}
	}
	return missing, nil
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
// Flush; tag names it in a *GroupError. Of two saves of a call before one
// Flush, the later is written.
func (e *EventTx) QueueSave(call Call, tag int) {
	if e.itemByItem {
		e.batch.Queue(saveCallsSQL, saveCallArgs(call, e.s.now())...)
		e.tags = append(e.tags, tag)
		return
	}
	e.saves.add(call)
}

// QueueEnqueueCall queues items for the outbox of a locked call of the
// group (CallTx.EnqueueCall, without its NOTIFY: Flush sends one for the
// group), counting them on call; queue its save (QueueSave) after.
func (e *EventTx) QueueEnqueueCall(call *Call, items []OutboxItem, tag int) {
	if len(items) == 0 {
		return
	}
	if e.notify == 0 {
		e.notify = call.CompanyID
	}
	if e.itemByItem || call.OutboxSeq < 0 { // a call without its count reads the history, one at a time
		sql, args := enqueueCallArgs(call, items, e.s.now())
		e.batch.Queue(sql, args...)
		e.tags = append(e.tags, tag)
		return
	}
	e.enqueues.add(call, items)
}

// Tags of Flush's statements that are for no item.
const (
	tagNotify = -1 - iota
	tagEnqueues
	tagSaves
)

// Flush sends what was queued and, when notifications were queued, one
// pg_notify('outbox') for the whole group (its payload one of the
// companies), in one round trip. A failed statement is a *SetError, or item
// by item a *GroupError with its tag.
func (e *EventTx) Flush(ctx context.Context) error {
	now := e.s.now()
	if e.enqueues.len() > 0 {
		e.batch.Queue(enqueueCallsSQL, e.enqueues.args(now)...)
		e.tags = append(e.tags, tagEnqueues)
	}
	if e.saves.len() > 0 {
		e.batch.Queue(saveCallsSQL, e.saves.args(now)...)
		e.tags = append(e.tags, tagSaves)
	}
	if e.notify != 0 {
		e.batch.Queue(`SELECT pg_notify('outbox', $1)`, strconv.FormatInt(e.notify, 10))
		e.tags = append(e.tags, tagNotify)
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
			switch tag {
			case tagNotify:
				return fmt.Errorf("store: event group: notify outbox: %w", err)
			case tagEnqueues:
				return &SetError{Op: "queue notifications", Err: err}
			case tagSaves:
				return &SetError{Op: "save calls", Err: err}
			}
			return &GroupError{Tag: tag, Err: err}
		}
	}
	e.batch, e.tags, e.notify, e.saves, e.enqueues = pgx.Batch{}, nil, 0, callSaves{}, outboxInserts{}
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
