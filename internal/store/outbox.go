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

	"github.com/conecta-zoho/gateway/internal/chars"
)

// Outbox kinds.
const (
	OutboxCallNotify       = "callnotify"
	OutboxClickToDialError = "clicktodialerror"
)

// OutboxStatus is where a queued notification is in its delivery, as the
// outbox.status column holds it.
type OutboxStatus string

// The outbox statuses.
const (
	// OutboxPending: waiting for (another) delivery attempt.
	OutboxPending OutboxStatus = "pending"
	// OutboxDelivered: Zoho accepted it.
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
}

const outboxColumns = `id, company_id, coalesce(call_id, 0), call_key, seq, kind, payload, status, attempts,
	next_attempt_at, last_error, created_at, coalesce(delivered_at, 'epoch')`

func scanOutbox(row pgx.CollectableRow) (OutboxRow, error) {
	var o OutboxRow
	err := row.Scan(&o.ID, &o.CompanyID, &o.CallID, &o.CallKey, &o.Seq, &o.Kind, &o.Payload, &o.Status,
		&o.Attempts, &o.NextAttemptAt, &o.LastError, &o.CreatedAt, &o.DeliveredAt)
	if o.DeliveredAt.Equal(time.Unix(0, 0)) {
		o.DeliveredAt = time.Time{}
	}
	return o, err
}

// Enqueue appends items to the outbox of the call named callKey (they are
// delivered after every earlier item of that key, in the order given).
// callID is the call row, 0 for none. Run it while holding the call's lock
// (LockCall) so two writers never pick the same sequence numbers.
func (c CallTx) Enqueue(ctx context.Context, callID int64, callKey string, items []OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	var seq int
	err := c.tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM outbox WHERE company_id = $1 AND call_key = $2`,
		c.companyID, callKey).Scan(&seq)
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
// call_key is still pending, and nobody holds a live lease on the row.
// SKIP LOCKED lets many instances claim at once; a leased row blocks its
// successors, since it is still pending. A parked row does not: Zoho refused
// it (or it failed too often), and the call's later states, its end above
// all, must still reach Zoho. Claiming counts an attempt.
const claimSQL = `WITH due AS (
		SELECT o.id FROM outbox o
		WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)
		  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.company_id = o.company_id AND p.call_key = o.call_key
		                  AND p.seq < o.seq AND p.status = 'pending')
		ORDER BY o.next_attempt_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
	UPDATE outbox o SET lease_owner = $3, lease_until = $4, attempts = o.attempts + 1
	FROM due WHERE o.id = due.id
	RETURNING o.id, o.company_id, coalesce(o.call_id, 0), o.call_key, o.seq, o.kind, o.payload, o.status, o.attempts,
		o.next_attempt_at, o.last_error, o.created_at, coalesce(o.delivered_at, 'epoch')`

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
		if claimed, err = pgx.CollectRows(rows, scanOutbox); err == nil {
			return claimed, nil
		}
	}
	return nil, fmt.Errorf("store: claim outbox: %w", err)
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
// lease. It reports false when the lease was no longer owner's (it expired
// and the row may have been claimed again), in which case nothing changes.
func (s *Store) FinishOutbox(ctx context.Context, owner string, r OutboxResult) (bool, error) {
	var sql string
	args := []any{r.ID, owner}
	switch {
	case r.Delivered:
		sql = `UPDATE outbox SET status = 'delivered', delivered_at = $3, last_error = '', lease_owner = NULL, lease_until = NULL
			WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`
		args = append(args, s.now())
	case r.Park:
		sql = `UPDATE outbox SET status = 'parked', last_error = $3, lease_owner = NULL, lease_until = NULL
			WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`
		args = append(args, errorText(r.Error))
	default:
		sql = `UPDATE outbox SET last_error = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
			WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`
		args = append(args, errorText(r.Error), r.NextAttemptAt)
	}
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return false, fmt.Errorf("store: finish outbox row %d: %w", r.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeliverOutbox claims up to limit due rows, hands them to deliver and
// records the results: ClaimOutbox and FinishOutbox in one call, for tools
// and tests. It returns how many rows were claimed.
func (s *Store) DeliverOutbox(ctx context.Context, limit int, deliver func(ctx context.Context, rows []OutboxRow) []OutboxResult) (int, error) {
	owner := "deliver-" + rand.Text()
	claimed, err := s.ClaimOutbox(ctx, owner, limit, time.Minute)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	for _, r := range deliver(ctx, claimed) {
		if _, err := s.FinishOutbox(ctx, owner, r); err != nil {
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// ErrSuperseded means a parked notification cannot be retried because Zoho
// already accepted a later notification of its call: sending the older
// state now would move Zoho's view of the call backwards (a "ringing" after
// the "ended" would open a pop-up that nothing closes).
var ErrSuperseded = errors.New("store: a later notification of the call was delivered")

// RetryOutbox puts a parked notification of the company back in the queue,
// due now, with its attempts reset. Anything but a parked row is
// ErrNotFound; a row whose call has a later delivered row is ErrSuperseded.
func (s *Store) RetryOutbox(ctx context.Context, companyID, id int64) error {
	var superseded bool
	tag, err := s.pool.Exec(ctx, `UPDATE outbox o SET status = 'pending', attempts = 0, next_attempt_at = $3
		WHERE o.company_id = $1 AND o.id = $2 AND o.status = 'parked'
		  AND NOT EXISTS (SELECT 1 FROM outbox l WHERE l.company_id = o.company_id AND l.call_key = o.call_key
		                  AND l.seq > o.seq AND l.status = 'delivered')`, companyID, id, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox o JOIN outbox l
				ON l.company_id = o.company_id AND l.call_key = o.call_key AND l.seq > o.seq AND l.status = 'delivered'
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
