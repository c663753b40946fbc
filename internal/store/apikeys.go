package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// APIKey is a key of the provisioning API. The key itself is shown once,
// when it is created; only its SHA-256 is stored (it carries 256 random
// bits, so a fast hash is enough).
type APIKey struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// APIKeyPrefix starts every API key, so that one found in a log or a
// repository says what it is.
const APIKeyPrefix = "czk_"

// ErrAPIKeyExists means a key that is not revoked has that name.
var ErrAPIKeyExists = fmt.Errorf("%w: an API key with that name exists", ErrConflict)

func hashAPIKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

const apiKeyColumns = `id, name, created_at, coalesce(last_used_at, 'epoch'), coalesce(revoked_at, 'epoch')`

func scanAPIKey(row pgx.Row) (APIKey, error) {
	var k APIKey
	err := row.Scan(&k.ID, &k.Name, &k.CreatedAt, &k.LastUsedAt, &k.RevokedAt)
	for _, t := range []*time.Time{&k.LastUsedAt, &k.RevokedAt} {
		if t.Equal(time.Unix(0, 0)) {
			*t = time.Time{}
		}
	}
	return k, notFound(err)
}

// CreateAPIKey makes a new key named name and returns it with the key
// itself, which is not stored and cannot be read again.
func (s *Store) CreateAPIKey(ctx context.Context, name string) (APIKey, string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3)
		RETURNING `+apiKeyColumns, name, hashAPIKey(key), s.now()))
	if isUniqueViolation(err, "api_keys_name_key") {
		err = ErrAPIKeyExists
	}
	if err != nil {
		return APIKey{}, "", fmt.Errorf("store: create API key %q: %w", name, err)
	}
	return k, key, nil
}

// APIKeyByKey returns the live key whose value is key and notes its use
// (ErrNotFound: no such key, or it was revoked).
func (s *Store) APIKeyByKey(ctx context.Context, key string) (APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `UPDATE api_keys SET last_used_at = $2
		WHERE key_hash = $1 AND revoked_at IS NULL RETURNING `+apiKeyColumns, hashAPIKey(key), s.now()))
	if err != nil {
		return APIKey{}, fmt.Errorf("store: API key: %w", err)
	}
	return k, nil
}

// RevokeAPIKey revokes the live key named name (ErrNotFound: none).
func (s *Store) RevokeAPIKey(ctx context.Context, name string) (APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `UPDATE api_keys SET revoked_at = $2
		WHERE name = $1 AND revoked_at IS NULL RETURNING `+apiKeyColumns, name, s.now()))
	if err != nil {
		return APIKey{}, fmt.Errorf("store: revoke API key %q: %w", name, err)
	}
	return k, nil
}

// APIKeys lists every key, revoked ones included, by name.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (APIKey, error) { return scanAPIKey(row) })
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	return out, nil
}

// CountAPIRequest counts one request of the key in the window of length
// window that holds the store's now, across every instance, and returns
// how many the window holds with it and how long until the window ends.
func (s *Store) CountAPIRequest(ctx context.Context, keyID int64, window time.Duration) (int, time.Duration, error) {
	now := s.now()
	start := now.Truncate(window)
	var n int
	err := s.pool.QueryRow(ctx, `INSERT INTO api_rate (api_key_id, window_start, requests) VALUES ($1, $2, 1)
		ON CONFLICT (api_key_id, window_start) DO UPDATE SET requests = api_rate.requests + 1
		RETURNING requests`, keyID, start).Scan(&n)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count API request of key %d: %w", keyID, err)
	}
	return n, start.Add(window).Sub(now), nil
}

// PruneAPI deletes the rate windows that started before rates and the
// idempotency records made before idempotency.
func (s *Store) PruneAPI(ctx context.Context, rates, idempotency time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM api_rate WHERE window_start < $1`, rates); err != nil {
		return fmt.Errorf("store: prune API rate windows: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM api_idempotency WHERE created_at < $1`, idempotency); err != nil {
		return fmt.Errorf("store: prune idempotency keys: %w", err)
	}
	return nil
}
