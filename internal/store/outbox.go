package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Outbox kinds and statuses.
const (
	OutboxCallNotify       = "callnotify"
	OutboxClickToDialError = "clicktodialerror"

	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxParked    = "parked"
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
	Status        string
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

// claimSQL takes due rows that head their call: every earlier row of the
// same call_key is delivered. SKIP LOCKED lets many instances claim in
// parallel; a row being delivered (locked) also blocks its successors, since
// it is not delivered yet.
const claimSQL = `SELECT ` + outboxColumns + ` FROM outbox o
	WHERE o.status = 'pending' AND o.next_attempt_at <= $1
	  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.company_id = o.company_id AND p.call_key = o.call_key
	                  AND p.seq < o.seq AND p.status <> 'delivered')
	ORDER BY o.next_attempt_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED`

// DeliverOutbox claims up to limit due rows, hands them to deliver and
// records the results, in one transaction that holds the rows' locks during
// delivery: if the process dies, PostgreSQL releases them at once and the
// rows are delivered again (at least once, never out of order). Every
// claimed row counts an attempt. It returns how many rows were claimed.
func (s *Store) DeliverOutbox(ctx context.Context, limit int, deliver func(ctx context.Context, rows []OutboxRow) []OutboxResult) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claimSQL, s.now(), limit)
		if err != nil {
			return err
		}
		claimed, err := pgx.CollectRows(rows, scanOutbox)
		if err != nil || len(claimed) == 0 {
			return err
		}
		n = len(claimed)
		results := deliver(ctx, claimed)
		batch := &pgx.Batch{}
		now := s.now()
		for _, r := range results {
			switch {
			case r.Delivered:
				batch.Queue(`UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, last_error = ''
					WHERE id = $1`, r.ID, now)
			case r.Park:
				batch.Queue(`UPDATE outbox SET status = 'parked', attempts = attempts + 1, last_error = $2 WHERE id = $1`,
					r.ID, truncateText(r.Error, 500))
			default:
				batch.Queue(`UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1`,
					r.ID, truncateText(r.Error, 500), r.NextAttemptAt)
			}
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return n, fmt.Errorf("store: deliver outbox: %w", err)
	}
	return n, nil
}

// NextOutboxDue returns when the earliest pending row falls due (zero when
// none is pending), so an idle worker knows how long it may sleep.
func (s *Store) NextOutboxDue(ctx context.Context) (time.Time, error) {
	var t *time.Time
	err := s.pool.QueryRow(ctx, `SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next outbox due: %w", err)
	}
	if t == nil {
		return time.Time{}, nil
	}
	return *t, nil
}

// RetryOutbox puts a parked notification of the company back in the queue,
// due now, with its attempts reset. Anything but a parked row is
// ErrNotFound.
func (s *Store) RetryOutbox(ctx context.Context, companyID, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $3
		WHERE company_id = $1 AND id = $2 AND status = 'parked'`, companyID, id, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err == nil {
		_, err = s.pool.Exec(ctx, `SELECT pg_notify('outbox', $1::bigint::text)`, companyID)
	}
	if err != nil {
		return fmt.Errorf("store: retry outbox %d of company %d: %w", id, companyID, err)
	}
	return nil
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
