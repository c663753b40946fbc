// Package store is the gateway's PostgreSQL access: a pgx pool, one file per
// table, raw SQL next to the method that runs it, sentinel errors for the
// cases callers branch on, and the schema migrations.
//
// Every method takes a context first. Every query that reads or writes a
// company's data is scoped by that company's id: callers cannot reach another
// company's rows by passing a row id alone.
package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound means the row asked for does not exist (or belongs to another
// company, which callers must not be able to tell apart).
var ErrNotFound = errors.New("store: not found")

// ErrConflict means a uniqueness rule refused the write.
var ErrConflict = errors.New("store: conflict")

// defaultMaxConns is the pool size unless DATABASE_URL says otherwise.
const defaultMaxConns = 20

// Store wraps the connection pool.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// Open connects to databaseURL and checks the connection.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
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
	return &Store{pool: pool, now: time.Now}, nil
}

// Pool exposes the pool for the session store and the migrations.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SetClock replaces the clock used for time-based rules (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// randomToken returns 256 random bits in base64url: secrets, tokens, lease
// owners.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
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
