package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Login throttling counts attempts per key ('account:<email>',
// 'addr:<ip>') in login_failures. A password check is counted before it
// runs (ReserveLoginAttempt), so that guesses in flight count, and a right
// password takes back only its own attempt (ForgetLoginAttempt); a failed
// captcha, which never reaches the password, is recorded against the
// client address alone (RecordLoginFailure).

// LoginLimit is a throttling key and how many attempts it allows within
// the window.
type LoginLimit struct {
	Key string
	Max int
}

// LoginAttempt is an attempt counted against its keys while its password
// is checked.
type LoginAttempt struct {
	ids []int64
}

// loginLockClass is the first key of the two-key advisory locks that
// serialise attempts on one throttling key (the two-key lock space is apart
// from the single-key one of the company locks).
const loginLockClass = 0x4c4f47 // "LOG"

// ReserveLoginAttempt counts one attempt against every limit, atomically
// across instances: under a transaction-scoped advisory lock per key, it
// counts each key's attempts within window and, if every key is below its
// Max, records the new one for all of them. When a key is at its Max,
// nothing is recorded and wait says how long until its oldest attempt
// leaves the window.
func (s *Store) ReserveLoginAttempt(ctx context.Context, window time.Duration, limits ...LoginLimit) (a LoginAttempt, wait time.Duration, err error) {
	now := s.now()
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	locked := slices.Clone(keys)
	slices.Sort(locked) // one order everywhere: no deadlock between requests
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, k := range locked {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, loginLockClass, k); err != nil {
				return err
			}
		}
		if wait, err = loginWait(ctx, tx, now, window, limits); err != nil || wait > 0 {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO login_failures (key, failed_at) SELECT unnest($1::text[]), $2 RETURNING id`, keys, now)
		if err != nil {
			return err
		}
		a.ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return LoginAttempt{}, 0, fmt.Errorf("store: reserve login attempt: %w", err)
	}
	return a, wait, nil
}

// ForgetLoginAttempt takes back an attempt whose password was right. Only
// that attempt: failures around it, concurrent or earlier, keep counting
// until they leave the window, so that a login cannot wipe the history of
// guesses sent alongside it.
func (s *Store) ForgetLoginAttempt(ctx context.Context, a LoginAttempt) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE id = ANY($1)`, a.ids); err != nil {
		return fmt.Errorf("store: forget login attempt: %w", err)
	}
	return nil
}

// RecordLoginFailure notes a failed login for each key at the store's clock.
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_failures (key, failed_at) SELECT unnest($1::text[]), $2`, keys, s.now())
	if err != nil {
		return fmt.Errorf("store: record login failure: %w", err)
	}
	return nil
}

// LoginWait says how long sign-in stays locked for any of limits (0: not
// locked), without recording anything.
func (s *Store) LoginWait(ctx context.Context, window time.Duration, limits ...LoginLimit) (time.Duration, error) {
	wait, err := loginWait(ctx, s.pool, s.now(), window, limits)
	if err != nil {
		return 0, fmt.Errorf("store: count login failures: %w", err)
	}
	return wait, nil
}

// querier is what loginWait needs of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func loginWait(ctx context.Context, q querier, now time.Time, window time.Duration, limits []LoginLimit) (time.Duration, error) {
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	rows, err := q.Query(ctx, `SELECT key, count(*), min(failed_at) FROM login_failures
		WHERE key = ANY($1) AND failed_at >= $2 GROUP BY key`, keys, now.Add(-window))
	if err != nil {
		return 0, err
	}
	var wait time.Duration
	var key string
	var count int
	var oldest time.Time
	_, err = pgx.ForEachRow(rows, []any{&key, &count, &oldest}, func() error {
		for _, l := range limits {
			if l.Key == key && count >= l.Max {
				wait = max(wait, oldest.Add(window).Sub(now))
			}
		}
		return nil
	})
	return wait, err
}

// UseCaptcha records that the captcha id was answered, once across every
// instance: it reports true to the one call that recorded it and false to
// every other. The record is kept until expires, the captcha's own end.
func (s *Store) UseCaptcha(ctx context.Context, id string, expires time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO captcha_uses (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, expires)
	if err != nil {
		return false, fmt.Errorf("store: use captcha: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
