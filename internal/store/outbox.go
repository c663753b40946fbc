package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/conecta-zoho/gateway/internal/chars"
)

// Outbox kinds.
const (
	OutboxCallNotify       = "callnotify"
	OutboxClickToDialError = "clicktodialerror"
)

// OutboxStatus is where a notification is in its delivery: the outbox
// table holds the pending and parked ones (its status column), history
// (outbox_history) the delivered ones.
type OutboxStatus string

// The outbox statuses.
const (
	// OutboxPending: waiting for (another) delivery attempt.
	OutboxPending OutboxStatus = "pending"
	// OutboxDelivered: Zoho accepted it; it is in history.
	OutboxDelivered OutboxStatus = "delivered"
	// OutboxParked: delivery stopped (a refusal, or too many attempts) until
	// someone retries it.
	OutboxParked OutboxStatus = "parked"
)

// OutboxItem is one notification to queue: Kind is OutboxCallNotify or
// OutboxClickToDialError, Payload its JSON.
type OutboxItem struct {
	Kind    string
	Payload json.RawMessage
}

// OutboxRow is a queued notification.
type OutboxRow struct {
	ID            int64
	CompanyID     int64
	CallID        int64 // 0 when the notification has no call row
	CallKey       string
	Seq           int
	Kind          string
	Payload       json.RawMessage
	Status        OutboxStatus
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time
	// CompanyVersion is the company's version (company_versions, 0 for
	// none yet) when the row was claimed: what was cached at that version
	// (the Zoho access token) may be used to deliver it. Set by
	// ClaimOutbox only.
	CompanyVersion int64
}

const outboxColumns = `id, company_id, coalesce(call_id, 0), call_key, seq, kind, payload, status, attempts,
	next_attempt_at, last_error, created_at, coalesce(delivered_at, 'epoch')`

// historyColumns are outboxColumns over outbox_history: a delivered row,
// without an error or a next attempt (its delivery time stands in).
const historyColumns = `id, company_id, coalesce(call_id, 0), call_key, seq, kind, payload, 'delivered'::text, attempts,
	delivered_at, ''::text, created_at, delivered_at`

func scanOutbox(row pgx.CollectableRow) (OutboxRow, error) {
	var o OutboxRow
	return o, scanOutboxInto(row, &o)
}

// scanClaimed scans a row of claimSQL: the row and its company's version.
func scanClaimed(row pgx.CollectableRow) (OutboxRow, error) {
	var o OutboxRow
	return o, scanOutboxInto(row, &o, &o.CompanyVersion)
}

// scanOutboxInto scans outboxColumns into o, then extra.
func scanOutboxInto(row pgx.CollectableRow, o *OutboxRow, extra ...any) error {
	err := row.Scan(append([]any{&o.ID, &o.CompanyID, &o.CallID, &o.CallKey, &o.Seq, &o.Kind, &o.Payload, &o.Status,
		&o.Attempts, &o.NextAttemptAt, &o.LastError, &o.CreatedAt, &o.DeliveredAt}, extra...)...)
	if o.DeliveredAt.Equal(time.Unix(0, 0)) {
		o.DeliveredAt = time.Time{}
	}
	return err
}

// lastSeqSQL is the SQL expression of a call's latest notification
// sequence number (0 for none), in the queue or in its history; company,
// key and call are the SQL of the company id, the call key and the call
// row's id. History is read from a day before the call row was created,
// so that only the partitions of the call's days are scanned (all of them
// for a key without a call row).
func lastSeqSQL(company, key, call string) string {
	return `greatest(0,
		(SELECT max(seq) FROM outbox WHERE company_id = ` + company + ` AND call_key = ` + key + `),
		(SELECT max(seq) FROM outbox_history WHERE company_id = ` + company + ` AND call_key = ` + key + `
		   AND delivered_at >= coalesce((SELECT created_at FROM calls WHERE company_id = ` + company + ` AND id = ` + call + `), '-infinity') - interval '1 day'))`
}

// Enqueue appends items to the outbox of the call named callKey (they are
// delivered after every earlier item of that key, in the order given).
// callID is the call row, 0 for none. Run it while holding the call's lock
// (LockCall) so two writers never pick the same sequence numbers.
//
// The next sequence number follows the call's rows in the queue and in
// history; history is read only from the days since the call row was
// created (less a day for clocks that disagree), so the partitions of older
// days are not visited.
func (c CallTx) Enqueue(ctx context.Context, callID int64, callKey string, items []OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	var seq int
	err := c.tx.QueryRow(ctx, `SELECT `+lastSeqSQL("$1", "$2", "$3"), c.companyID, callKey, callID).Scan(&seq)
	if err != nil {
		return fmt.Errorf("store: enqueue for call %s of company %d: %w", callKey, c.companyID, err)
	}
	var callRef *int64
	if callID != 0 {
		callRef = &callID
	}
	now := c.s.now()
	for _, it := range items {
		seq++
		_, err := c.tx.Exec(ctx, `INSERT INTO outbox (company_id, call_id, call_key, seq, kind, payload, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, c.companyID, callRef, callKey, seq, it.Kind, it.Payload, now)
		if err != nil {
			return fmt.Errorf("store: enqueue %s for call %s of company %d: %w", it.Kind, callKey, c.companyID, err)
		}
	}
	_, err = c.tx.Exec(ctx, `SELECT pg_notify('outbox', $1::bigint::text)`, c.companyID)
	if err != nil {
		return fmt.Errorf("store: notify outbox of company %d: %w", c.companyID, err)
	}
	return nil
}

// enqueueSQL appends items to a call's outbox after its latest sequence
// number (lastSeqSQL), as CallTx.Enqueue does: $1 company, $2 call row (NULL for
// none), $3 call key, $4 kinds, $5 payloads, $6 now. Queued one after the
// other in a pipeline, each sees the rows of the one before.
var enqueueSQL = `INSERT INTO outbox (company_id, call_id, call_key, seq, kind, payload, next_attempt_at, created_at)
	SELECT $1, $2, $3, m.seq + t.ord, t.kind, t.payload, $6, $6
	FROM (SELECT ` + lastSeqSQL("$1", "$3", "$2::bigint") + ` AS seq) m,
		unnest($4::text[], $5::jsonb[]) WITH ORDINALITY AS t (kind, payload, ord)`

// enqueueCallsSQL appends notifications to the outbox of calls that keep
// their count (Call.OutboxSeq), one array element per notification
// (arguments: outboxInserts.args): each numbered after its call's count
// ($4) or, when that is behind, the key's pending rows (one probe of the
// (company_id, call_key, seq) key, so that a new row always follows them
// even under a key that an older, deleted call row had used), by its place
// among the call's notifications ($5); the history is not read.
const enqueueCallsSQL = `INSERT INTO outbox (company_id, call_id, call_key, seq, kind, payload, next_attempt_at, created_at)
	SELECT t.company_id, t.call_id, t.call_key,
		greatest(t.base, (SELECT max(o.seq) FROM outbox o WHERE o.company_id = t.company_id AND o.call_key = t.call_key)) + t.ord,
		t.kind, t.payload, $8, $8
	FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::integer[], $5::integer[], $6::text[], $7::jsonb[])
		AS t (company_id, call_id, call_key, base, ord, kind, payload)`

// outboxInserts are notifications to queue for calls that keep their count.
type outboxInserts struct {
	companies, calls []int64
	keys             []string
	bases, ords      []int32
	kinds, payloads  []string
	next             map[outboxKey]outboxCount
}

// outboxKey is a call's notifications under one key; outboxCount, its
// count before this Flush and how many this Flush queues.
type outboxKey struct {
	call int64
	key  string
}
type outboxCount struct{ base, n int32 }

func (o *outboxInserts) len() int { return len(o.companies) }

// add queues items for call and counts them on it.
func (o *outboxInserts) add(call *Call, items []OutboxItem) {
	k := outboxKey{call.ID, call.ZohoCallID}
	c, ok := o.next[k]
	if !ok {
		c = outboxCount{base: int32(call.OutboxSeq)}
		if o.next == nil {
			o.next = map[outboxKey]outboxCount{}
		}
	}
	for _, it := range items {
		c.n++
		o.companies, o.calls, o.keys = append(o.companies, call.CompanyID), append(o.calls, call.ID), append(o.keys, call.ZohoCallID)
		o.bases, o.ords = append(o.bases, c.base), append(o.ords, c.n)
		o.kinds, o.payloads = append(o.kinds, it.Kind), append(o.payloads, string(it.Payload))
	}
	o.next[k] = c
	call.OutboxSeq += len(items)
}

func (o *outboxInserts) args(now time.Time) []any {
	return []any{o.companies, o.calls, o.keys, o.bases, o.ords, o.kinds, o.payloads, now}
}

// enqueueCallArgs are the arguments of the statement that queues items for
// call under its ZohoCallID, and counts them on call: enqueueCallsSQL when
// the call keeps its count, enqueueSQL (which reads history) when it does
// not. SaveCall must write call afterwards.
func enqueueCallArgs(call *Call, items []OutboxItem, now time.Time) (string, []any) {
	if call.OutboxSeq < 0 {
		kinds := make([]string, len(items))
		payloads := make([]string, len(items))
		for i, it := range items {
			kinds[i], payloads[i] = it.Kind, string(it.Payload)
		}
		return enqueueSQL, []any{call.CompanyID, call.ID, call.ZohoCallID, kinds, payloads, now}
	}
	var o outboxInserts
	o.add(call, items)
	return enqueueCallsSQL, o.args(now)
}

// EnqueueCall appends items to the outbox of a locked call, under its
// ZohoCallID, after every earlier notification of the call, and counts them
// on call (Call.OutboxSeq): save the call afterwards (SaveCall), in the
// same transaction. It reads no history.
func (c CallTx) EnqueueCall(ctx context.Context, call *Call, items []OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	sql, args := enqueueCallArgs(call, items, c.s.now())
	if _, err := c.tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store: enqueue for call %d of company %d: %w", call.ID, c.companyID, err)
	}
	if _, err := c.tx.Exec(ctx, `SELECT pg_notify('outbox', $1::bigint::text)`, c.companyID); err != nil {
		return fmt.Errorf("store: notify outbox of company %d: %w", c.companyID, err)
	}
	return nil
}

// OutboxResult is the outcome of one delivery attempt of a claimed row.
type OutboxResult struct {
	ID int64
	// Delivered: Zoho accepted it. Otherwise Park stops retrying, else the
	// row is retried at NextAttemptAt.
	Delivered     bool
	Park          bool
	Error         string
	NextAttemptAt time.Time
}

// claimSQL leases due rows that head their call: no earlier row of the same
// call_key is still pending, and nobody holds a live lease on the row. It
// reads the queue only (delivered rows are in history), through the due
// index and the call's (company_id, call_key, seq) key, so its cost follows
// the pending work, not the history.
// SKIP LOCKED lets many instances claim at once; a leased row blocks its
// successors, since it is still pending. A parked row does not: Zoho refused
// it (or it failed too often), and the call's later states, its end above
// all, must still reach Zoho. Claiming counts an attempt.
//
// The claim commits without waiting for its WAL to reach the disk
// (synchronous_commit off for its own transaction, set by the first CTE,
// which the second reads so that it runs): a lease is only a marker that
// keeps other deliverers off the row, and a server crash that loses it
// loses the delivery's outcome too, which is written after it and waits for
// the disk (WAL is flushed in order), so the row is due again, as if its
// instance had died mid-delivery. Other sessions see the lease at once. It
// saves a WAL flush per claim, the most frequent write of a busy outbox.
const claimSQL = `WITH quick AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
	due AS (
		SELECT o.id FROM outbox o, quick
		WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)
		  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.company_id = o.company_id AND p.call_key = o.call_key
		                  AND p.seq < o.seq AND p.status = 'pending')
		ORDER BY o.next_attempt_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
	UPDATE outbox o SET lease_owner = $3, lease_until = $4, attempts = o.attempts + 1
	FROM due WHERE o.id = due.id
	RETURNING o.id, o.company_id, coalesce(o.call_id, 0), o.call_key, o.seq, o.kind, o.payload, o.status, o.attempts,
		o.next_attempt_at, o.last_error, o.created_at, coalesce(o.delivered_at, 'epoch'),
		coalesce((SELECT v.version FROM company_versions v WHERE v.company_id = o.company_id), 0)`

// ClaimOutbox leases up to limit due rows to owner until ttl from now and
// returns them, in one short statement: no lock is held while they are
// delivered. Record each row's outcome with FinishOutbox before the lease
// ends (ExtendOutboxLeases keeps it while Zoho takes its time); a row whose
// lease ran out (its instance died or hung) is claimed again by anyone, so
// delivery is at least once and, among the rows still pending, in order.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, limit int, ttl time.Duration) ([]OutboxRow, error) {
	now := s.now()
	rows, err := s.pool.Query(ctx, claimSQL, now, limit, owner, now.Add(ttl))
	if err == nil {
		var claimed []OutboxRow
		if claimed, err = pgx.CollectRows(rows, scanClaimed); err == nil {
			return claimed, nil
		}
	}
	return nil, fmt.Errorf("store: claim outbox: %w", err)
}

// VacuumOutbox vacuums the queue, unless another session is vacuuming it
// (SKIP_LOCKED): the rows a busy queue deletes as they are delivered leave
// dead entries at the start of its due index, which every claim walks
// until a vacuum removes them, and autovacuum looks at a table at most once
// a minute (autovacuum_naptime), by when a busy queue has deleted tens of
// thousands of rows.
func (s *Store) VacuumOutbox(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `VACUUM (SKIP_LOCKED) outbox`); err != nil {
		return fmt.Errorf("store: vacuum outbox: %w", err)
	}
	return nil
}

// ExtendOutboxLeases extends owner's leases on the rows ids (those still
// pending and leased to owner) until ttl from now: a delivery that waits for
// a slow Zoho keeps its rows, while the rows of an instance that died are
// free again within ttl. It returns how many leases it extended.
func (s *Store) ExtendOutboxLeases(ctx context.Context, owner string, ids []int64, ttl time.Duration) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET lease_until = $3
		WHERE id = ANY($2) AND lease_owner = $1 AND status = 'pending'`, owner, ids, s.now().Add(ttl))
	if err != nil {
		return 0, fmt.Errorf("store: extend outbox leases of %s: %w", owner, err)
	}
	return tag.RowsAffected(), nil
}

// FinishOutbox records the outcome of one row leased to owner and ends the
// lease (FinishOutboxes for one row). It reports false when the lease was
// no longer owner's (it expired and the row may have been claimed again),
// in which case nothing changes.
func (s *Store) FinishOutbox(ctx context.Context, owner string, r OutboxResult) (bool, error) {
	lost, err := s.FinishOutboxes(ctx, owner, []OutboxResult{r})
	return err == nil && len(lost) == 0, err
}

// FinishOutboxes records the outcomes of rows leased to owner and ends
// their leases, in one statement per kind of outcome: the delivered rows
// move to history (outbox_history) in one statement, the rows to retry and
// the parked ones are updated in one each. It returns the ids whose lease
// was no longer owner's (nothing changes for those). A delivery on a day
// whose history partition does not exist yet creates it.
func (s *Store) FinishOutboxes(ctx context.Context, owner string, results []OutboxResult) (lost []int64, err error) {
	var delivered, retry, park []int64
	var retryErr, parkErr []string
	var retryAt []time.Time
	for _, r := range results {
		switch {
		case r.Delivered:
			delivered = append(delivered, r.ID)
		case r.Park:
			park, parkErr = append(park, r.ID), append(parkErr, errorText(r.Error))
		default:
			retry, retryErr, retryAt = append(retry, r.ID), append(retryErr, errorText(r.Error)), append(retryAt, r.NextAttemptAt)
		}
	}
	done := make(map[int64]bool, len(results))
	collect := func(rows pgx.Rows, err error) error {
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		for _, id := range ids {
			done[id] = true
		}
		return err
	}
	if len(delivered) > 0 {
		now := s.now()
		err = collect(s.pool.Query(ctx, deliveredSQL, delivered, owner, now))
		if isMissingPartition(err) {
			if err = s.EnsureOutboxHistory(ctx, now, now); err == nil {
				err = collect(s.pool.Query(ctx, deliveredSQL, delivered, owner, now))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("store: record %d delivered notifications: %w", len(delivered), err)
		}
	}
	if len(park) > 0 {
		err = collect(s.pool.Query(ctx, `UPDATE outbox o SET status = 'parked', last_error = r.err, lease_owner = NULL, lease_until = NULL
			FROM unnest($1::bigint[], $2::text[]) r(id, err)
			WHERE o.id = r.id AND o.lease_owner = $3 AND o.status = 'pending' RETURNING o.id`, park, parkErr, owner))
		if err != nil {
			return nil, fmt.Errorf("store: park %d notifications: %w", len(park), err)
		}
	}
	if len(retry) > 0 {
		err = collect(s.pool.Query(ctx, `UPDATE outbox o SET last_error = r.err, next_attempt_at = r.at, lease_owner = NULL, lease_until = NULL
			FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) r(id, err, at)
			WHERE o.id = r.id AND o.lease_owner = $4 AND o.status = 'pending' RETURNING o.id`, retry, retryErr, retryAt, owner))
		if err != nil {
			return nil, fmt.Errorf("store: reschedule %d notifications: %w", len(retry), err)
		}
	}
	for _, r := range results {
		if !done[r.ID] {
			lost = append(lost, r.ID)
		}
	}
	return lost, nil
}

// deliveredSQL moves the delivered rows $1 leased to $2 to history, as
// delivered at $3, and returns their ids.
const deliveredSQL = `WITH done AS (
		DELETE FROM outbox WHERE id = ANY($1) AND lease_owner = $2 AND status = 'pending'
		RETURNING id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at)
	INSERT INTO outbox_history (id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at, delivered_at)
	SELECT id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at, $3 FROM done
	RETURNING id`

// isMissingPartition tells the error of a row for which outbox_history has
// no partition.
func isMissingPartition(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && strings.Contains(pe.Message, "no partition")
}

// historyLockClass is the first key of the two-key advisory lock that
// serialises the creation and removal of history partitions.
const historyLockClass = 0x4f4248 // "OBH"

// historyDay is the UTC day holding t.
func historyDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// historyPartition names the partition of outbox_history for the UTC day
// that starts at day.
func historyPartition(day time.Time) string { return "outbox_history_p" + day.Format("20060102") }

// EnsureOutboxHistory creates the partitions of outbox_history for the UTC
// days from the one of from to the one of until that do not exist yet. The
// janitor creates the coming days' ahead of time; a delivery on a day that
// has none creates its own.
func (s *Store) EnsureOutboxHistory(ctx context.Context, from, until time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, historyLockClass); err != nil {
			return err
		}
		for day := historyDay(from); !day.After(historyDay(until)); day = day.AddDate(0, 0, 1) {
			// The bounds are timestamps this code formats: no input reaches the statement.
			_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF outbox_history
				FOR VALUES FROM ('%s') TO ('%s')`, pgx.Identifier{historyPartition(day)}.Sanitize(),
				day.Format(time.RFC3339), day.AddDate(0, 0, 1).Format(time.RFC3339)))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: outbox history partitions: %w", err)
	}
	return nil
}

// DeliverOutbox claims up to limit due rows, hands them to deliver and
// records the results: ClaimOutbox and FinishOutboxes in one call, for tools
// and tests. It returns how many rows were claimed.
func (s *Store) DeliverOutbox(ctx context.Context, limit int, deliver func(ctx context.Context, rows []OutboxRow) []OutboxResult) (int, error) {
	owner := "deliver-" + rand.Text()
	claimed, err := s.ClaimOutbox(ctx, owner, limit, time.Minute)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	_, err = s.FinishOutboxes(ctx, owner, deliver(ctx, claimed))
	return len(claimed), err
}

// ErrSuperseded means a parked notification cannot be retried because Zoho
// already accepted a later notification of its call: sending the older
// state now would move Zoho's view of the call backwards (a "ringing" after
// the "ended" would open a pop-up that nothing closes).
var ErrSuperseded = errors.New("store: a later notification of the call was delivered")

// RetryOutbox puts a parked notification of the company back in the queue,
// due now, with its attempts reset. Anything but a parked row is
// ErrNotFound; a row whose call has a later delivered row (in history) is
// ErrSuperseded.
func (s *Store) RetryOutbox(ctx context.Context, companyID, id int64) error {
	var superseded bool
	tag, err := s.pool.Exec(ctx, `UPDATE outbox o SET status = 'pending', attempts = 0, next_attempt_at = $3
		WHERE o.company_id = $1 AND o.id = $2 AND o.status = 'parked'
		  AND NOT EXISTS (SELECT 1 FROM outbox_history l WHERE l.company_id = o.company_id AND l.call_key = o.call_key
		                  AND l.seq > o.seq)`, companyID, id, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox o JOIN outbox_history l
				ON l.company_id = o.company_id AND l.call_key = o.call_key AND l.seq > o.seq
			WHERE o.company_id = $1 AND o.id = $2 AND o.status = 'parked')`, companyID, id).Scan(&superseded)
		switch {
		case err == nil && superseded:
			err = ErrSuperseded
		case err == nil:
			err = ErrNotFound
		}
	}
	if err == nil {
		_, err = s.pool.Exec(ctx, `SELECT pg_notify('outbox', $1::bigint::text)`, companyID)
	}
	if err != nil {
		return fmt.Errorf("store: retry outbox %d of company %d: %w", id, companyID, err)
	}
	return nil
}

// RetryParkedOutbox puts every parked notification of the company back in
// the queue, as RetryOutbox does one, and returns how many.
func (s *Store) RetryParkedOutbox(ctx context.Context, companyID int64) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2
		WHERE company_id = $1 AND status = 'parked'`, companyID, s.now())
	if err == nil && tag.RowsAffected() > 0 {
		_, err = s.pool.Exec(ctx, `SELECT pg_notify('outbox', $1::bigint::text)`, companyID)
	}
	if err != nil {
		return 0, fmt.Errorf("store: retry the parked notifications of company %d: %w", companyID, err)
	}
	return int(tag.RowsAffected()), nil
}

// errorText is an error message as stored: at most maxErrorText characters
// of valid UTF-8 without NUL, whatever bytes Zoho or the Centrex sent, so
// that recording an outcome cannot fail on the message itself.
func errorText(msg string) string {
	return chars.Truncate(strings.ReplaceAll(msg, "\x00", ""), maxErrorText)
}

// maxErrorText bounds the stored last errors of notifications and
// subscriptions.
const maxErrorText = 500
