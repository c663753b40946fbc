package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The operator console's sessions are in a table of their own,
// operator_sessions, apart from the portal's, so that a token of one kind
// of session is never found among the other's. The console reads and
// writes them through site.QuietStore, as the portal does its own.

// FindOperatorSession returns an unexpired operator session (AdminID 0:
// the console's sessions name no administrator).
func (s *Store) FindOperatorSession(ctx context.Context, token string) (SessionRow, bool, error) {
	var r SessionRow
	err := s.pool.QueryRow(ctx, `SELECT data, expiry FROM operator_sessions WHERE token = $1 AND current_timestamp < expiry`,
		token).Scan(&r.Data, &r.Expiry)
	if errors.Is(err, pgx.ErrNoRows) {
		return SessionRow{}, false, nil
	} else if err != nil {
		return SessionRow{}, false, fmt.Errorf("store: find operator session: %w", err)
	}
	return r, true, nil
}

// CommitOperatorSession stores an operator session until r.Expiry.
func (s *Store) CommitOperatorSession(ctx context.Context, token string, r SessionRow) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO operator_sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, r.Data, r.Expiry)
	if err != nil {
		return fmt.Errorf("store: commit operator session: %w", err)
	}
	return nil
}

// DeleteOperatorSession removes an operator session.
func (s *Store) DeleteOperatorSession(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM operator_sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: delete operator session: %w", err)
	}
	return nil
}

// DeleteExpired removes expired portal and operator sessions, the records of captchas
// that have expired, and login failures older than keepFailures, and says
// how many rows went. The session store's own cleanup goroutine is not
// used: it races with its own shutdown.
func (s *Store) DeleteExpired(ctx context.Context, keepFailures time.Duration) (int64, error) {
	now := s.now()
	a, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	d, err := s.pool.Exec(ctx, `DELETE FROM operator_sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired operator sessions: %w", err)
	}
	b, err := s.pool.Exec(ctx, `DELETE FROM captcha_uses WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired captchas: %w", err)
	}
	c, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE failed_at < $1`, now.Add(-keepFailures))
	if err != nil {
		return 0, fmt.Errorf("store: delete old login failures: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected() + c.RowsAffected() + d.RowsAffected(), nil
}

// SessionRow is a portal session as stored: scs's encoded data, when it
// expires, and the administrator it belongs to (0: none, or a session
// written before that column existed).
type SessionRow struct {
	Data    []byte
	Expiry  time.Time
	AdminID int64
}

// FindSession returns an unexpired portal session.
func (s *Store) FindSession(ctx context.Context, token string) (SessionRow, bool, error) {
	var r SessionRow
	err := s.pool.QueryRow(ctx, `SELECT data, expiry, coalesce(admin_id, 0) FROM sessions
		WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&r.Data, &r.Expiry, &r.AdminID)
	if errors.Is(err, pgx.ErrNoRows) {
		return SessionRow{}, false, nil
	} else if err != nil {
		return SessionRow{}, false, fmt.Errorf("store: find session: %w", err)
	}
	return r, true, nil
}

// CommitSession stores a portal session until r.Expiry.
func (s *Store) CommitSession(ctx context.Context, token string, r SessionRow) error {
	var admin any
	if r.AdminID != 0 {
		admin = r.AdminID
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, admin_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, admin_id = EXCLUDED.admin_id`,
		token, r.Data, r.Expiry, admin)
	if err != nil {
		return fmt.Errorf("store: commit session: %w", err)
	}
	return nil
}

// DeleteSession removes a portal session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
