package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpired removes expired portal sessions, the records of captchas
// that have expired, and login failures older than keepFailures, and says
// how many rows went. The session store's own cleanup goroutine is not
// used: it races with its own shutdown.
func (s *Store) DeleteExpired(ctx context.Context, keepFailures time.Duration) (int64, error) {
	now := s.now()
	a, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	b, err := s.pool.Exec(ctx, `DELETE FROM captcha_uses WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired captchas: %w", err)
	}
	c, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE failed_at < $1`, now.Add(-keepFailures))
	if err != nil {
		return 0, fmt.Errorf("store: delete old login failures: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected() + c.RowsAffected(), nil
}
