package store

import (
	"context"
	"fmt"
	"time"
)

// LoginFailures counts recent failed logins for a throttling key and says
// when the oldest of them leaves the window.
type LoginFailures struct {
	Count  int
	Oldest time.Time
}

// RecordLoginFailure notes a failed login for each key at the store's clock.
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) error {
	now := s.now()
	for _, k := range keys {
		if _, err := s.pool.Exec(ctx, `INSERT INTO login_failures (key, failed_at) VALUES ($1, $2)`, k, now); err != nil {
			return fmt.Errorf("store: record login failure: %w", err)
		}
	}
	return nil
}

// RecentLoginFailures counts the failures for key within window of now.
// Older rows are removed on the way.
func (s *Store) RecentLoginFailures(ctx context.Context, key string, window time.Duration) (LoginFailures, error) {
	since := s.now().Add(-window)
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1 AND failed_at < $2`, key, since); err != nil {
		return LoginFailures{}, fmt.Errorf("store: prune login failures: %w", err)
	}
	var f LoginFailures
	var oldest *time.Time
	err := s.pool.QueryRow(ctx,
		`SELECT count(*), min(failed_at) FROM login_failures WHERE key = $1 AND failed_at >= $2`,
		key, since).Scan(&f.Count, &oldest)
	if err != nil {
		return LoginFailures{}, fmt.Errorf("store: count login failures: %w", err)
	}
	if oldest != nil {
		f.Oldest = *oldest
	}
	return f, nil
}

// ClearLoginFailures forgets the failures of key (after a successful login).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}
