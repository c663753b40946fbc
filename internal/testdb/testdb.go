// Package testdb gives each test its own freshly migrated PostgreSQL
// database. The server is TEST_DATABASE_URL when set (its user needs
// CREATEDB); otherwise one throwaway cluster is started for the test binary
// and removed by Main when the tests end.
//
// Every database is copied from a template migrated once per test binary, so
// a new database costs a file copy, not a migration run.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/pgcluster"
	"github.com/conecta-zoho/gateway/internal/store"
)

var shared struct {
	once     sync.Once
	mu       sync.Mutex // serialises CREATE DATABASE ... TEMPLATE
	err      error
	adminURL string // a connection to the server's maintenance database
	template string
	cluster  *pgcluster.Cluster
	tmpDir   string
}

// Main runs the tests and then removes the template and any cluster started
// for them. Use it from TestMain: func TestMain(m *testing.M) { testdb.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if shared.template != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if conn, err := pgx.Connect(ctx, shared.adminURL); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{shared.template}.Sanitize()+" WITH (FORCE)")
			conn.Close(ctx)
		}
		cancel()
	}
	if shared.cluster != nil {
		if err := shared.cluster.Remove(); err != nil {
			fmt.Fprintln(os.Stderr, "testdb:", err)
		}
	}
	os.Exit(code)
}

// URL creates an empty, fully migrated database for tb and returns its
// connection string. The database is dropped when tb ends.
func URL(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(setup)
	if shared.err != nil {
		tb.Fatalf("testdb: %v", shared.err)
	}
	ctx := context.Background()
	name := "gwtest_" + randomHex(6)
	shared.mu.Lock()
	err := exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{shared.template}.Sanitize())
	shared.mu.Unlock()
	if err != nil {
		tb.Fatalf("testdb: create database: %v", err)
	}
	tb.Cleanup(func() {
		if err := exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	return withDatabase(shared.adminURL, name)
}

// Open is URL plus store.Open; the store is closed when tb ends.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), URL(tb))
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Drop removes the database of s at once, ending its connections: the
// database going away under a running test. The store's next queries fail.
func Drop(tb testing.TB, s *store.Store) {
	tb.Helper()
	name := s.Pool().Config().ConnConfig.Database
	if err := exec(context.Background(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		tb.Fatalf("testdb: drop database %s: %v", name, err)
	}
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	shared.adminURL = os.Getenv("TEST_DATABASE_URL")
	if shared.adminURL == "" {
		dir, err := os.MkdirTemp("", "gateway-testdb-")
		if err != nil {
			shared.err = err
			return
		}
		shared.tmpDir = dir
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Throwaway: true})
		if err != nil {
			shared.err = fmt.Errorf("start a throwaway PostgreSQL (or set TEST_DATABASE_URL): %w", err)
			return
		}
		shared.cluster = c
		shared.adminURL = c.URL("postgres")
	}
	shared.template = "gwtest_tmpl_" + randomHex(6)
	if err := exec(ctx, "CREATE DATABASE "+pgx.Identifier{shared.template}.Sanitize()); err != nil {
		shared.err = fmt.Errorf("create template database: %w", err)
		return
	}
	s, err := store.Open(ctx, withDatabase(shared.adminURL, shared.template))
	if err != nil {
		shared.err = err
		return
	}
	defer s.Close()
	if _, err := s.Migrate(ctx, nil); err != nil {
		shared.err = err
	}
}

func exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, shared.adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// A keyword/value connection string: append the dbname, last wins.
		return raw + " dbname=" + db
	}
	u.Path = "/" + db
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
