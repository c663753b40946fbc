// Package store is the gateway's PostgreSQL access: a pgx pool, one file per
// table, raw SQL next to the method that runs it, sentinel errors for the
// cases callers branch on, the leases that let one instance at a time do a
// company's background work, and the schema migrations.
//
// Every method takes a context first. Every query that reads or writes a
// company's data is scoped by that company's id: callers cannot reach another
// company's rows by passing a row id alone.
//
// The store is the one owner of the secrets kept at rest (Zoho tokens,
// Centrex passwords, the Centrex events tokens): it seals them with the box
// it was opened with (SECRET_KEY, AES-256-GCM, each value bound to its
// company and purpose) before they reach the database, and opens them when
// they are read. Callers only ever see them in the clear; without a box
// every method that would seal or open one fails with ErrNoSecretKey.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conecta-zoho/gateway/internal/secretbox"
)

// ErrNotFound means the row asked for does not exist (or belongs to another
// company, which callers must not be able to tell apart).
var ErrNotFound = errors.New("store: not found")

// ErrConflict means a uniqueness rule refused the write.
var ErrConflict = errors.New("store: conflict")

// ErrNoSecretKey means a secret had to be sealed or opened by a store
// opened without a box (no SECRET_KEY).
var ErrNoSecretKey = errors.New("store: no SECRET_KEY to seal or open secrets with")

// defaultMaxConns is the pool size unless DATABASE_URL says otherwise.
const defaultMaxConns = 20

// Store wraps the connection pool and the secret box.
type Store struct {
	pool *pgxpool.Pool
	box  *secretbox.Box // nil: no SECRET_KEY
	now  func() time.Time
}

// Open connects to databaseURL and checks the connection. box seals and
// opens the secrets at rest; it may be nil for commands that touch none.
func Open(ctx context.Context, databaseURL string, box *secretbox.Box) (*Store, error) {
	return OpenConfig(ctx, databaseURL, box, nil)
}

// OpenConfig is Open with adjust applied to the pool's configuration
// before connecting (nil: none), for instance a tracer in a test.
func OpenConfig(ctx context.Context, databaseURL string, box *secretbox.Box, adjust func(*pgxpool.Config)) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// The parse error may echo the URL, password included: say less.
		return nil, errors.New("store: DATABASE_URL is not a valid PostgreSQL connection string")
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "conecta-zoho-gateway"
	// pgxpool's default (the number of CPUs, at least 4) is too small for a
	// server whose background loops hold connections while they talk to
	// Zoho; pool_max_conns in DATABASE_URL still wins.
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if adjust != nil {
		adjust(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool, box: box, now: time.Now}, nil
}

// Pool exposes the pool for the session store and the migrations.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SetClock replaces the clock used for time-based rules (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock: the time it writes into updated_at columns, to
// compare them with.
func (s *Store) Now() time.Time { return s.now() }

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// seal seals a secret bound to purpose (which names the company too).
func (s *Store) seal(secret, purpose string) ([]byte, error) {
	if s.box == nil {
		return nil, ErrNoSecretKey
	}
	return s.box.SealString(secret, purpose), nil
}

// open opens a sealed secret bound to purpose; an empty value is "".
func (s *Store) open(sealed []byte, purpose string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if s.box == nil {
		return "", ErrNoSecretKey
	}
	return s.box.OpenString(sealed, purpose)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation,
// optionally for one named constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// notFound maps pgx.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
