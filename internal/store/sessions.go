package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OperatorSessions is the session store of the operator console (an
// scs.CtxStore), apart from the portal's sessions table, so that a token of
// one kind of session is never found among the other's.
type OperatorSessions struct{ s *Store }

// OperatorSessions returns the operator console's session store.
func (s *Store) OperatorSessions() OperatorSessions { return OperatorSessions{s} }

// FindCtx returns the data of an unexpired session.
func (o OperatorSessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := o.s.pool.QueryRow(ctx, `SELECT data FROM operator_sessions WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("store: find operator session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores a session's data until expiry.
func (o OperatorSessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := o.s.pool.Exec(ctx, `INSERT INTO operator_sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
	if err != nil {
		return fmt.Errorf("store: commit operator session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session.
func (o OperatorSessions) DeleteCtx(ctx context.Context, token string) error {
	if _, err := o.s.pool.Exec(ctx, `DELETE FROM operator_sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: delete operator session: %w", err)
	}
	return nil
}

// Find, Commit and Delete are FindCtx, CommitCtx and DeleteCtx without a
// context (scs.Store; scs calls the Ctx ones).
func (o OperatorSessions) Find(token string) ([]byte, bool, error) {
	return o.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (o OperatorSessions) Commit(token string, b []byte, expiry time.Time) error {
	return o.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (o OperatorSessions) Delete(token string) error { return o.DeleteCtx(context.Background(), token) }

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
