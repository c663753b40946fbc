// Package testdb gives each test its own freshly migrated PostgreSQL
// database. The server is TEST_DATABASE_URL when set (its user needs
// CREATEDB); otherwise one throwaway cluster is started for the test binary
// and removed by Main when the tests end.
//
// Every database is copied from a template migrated once per test binary
// with CREATE DATABASE … STRATEGY FILE_COPY, so a new database costs a copy
// of a few files and a checkpoint, not a migration run nor the WAL of every
// page copied: tests can create their databases in parallel.
//
// Stores opened here seal secrets with SecretKey, the key a test passes as
// SECRET_KEY to a gateway that shares the database.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/pgcluster"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// SecretKey is the SECRET_KEY (base64) of the stores Open returns: 32 bytes,
// "0123456789abcdef" twice.
const SecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

var shared struct {
	once     sync.Once
	err      error
	adminURL string // a connection to the server's maintenance database
	template string
	cluster  *pgcluster.Cluster
	tmpDir   string
}

// Main runs the tests, then after (the package's own cleanups), and then
// removes the template and any cluster started for them. Use it from
// TestMain: func TestMain(m *testing.M) { testdb.Main(m) }.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, fn := range after {
		fn()
	}
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
	name := "gwtest_" + strings.ToLower(rand.Text())
	// FILE_COPY copies the template's files instead of writing every page to
	// the WAL (WAL_LOG, the default since PostgreSQL 15): much faster for a
	// small database, and safe to run concurrently from a template nobody
	// is connected to.
	err := exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{shared.template}.Sanitize()+
		" STRATEGY FILE_COPY")
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

// Open is URL plus store.Open with SecretKey; the store is closed when tb
// ends.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	return Connect(tb, URL(tb), Box(tb))
}

// Connect opens another store on the database at url, sealing with box
// (nil for none): a second gateway instance, or one with another
// SECRET_KEY. It is closed when tb ends.
func Connect(tb testing.TB, url string, box *secretbox.Box) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), url, box)
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

// Box is the secret box of SecretKey.
func Box(tb testing.TB) *secretbox.Box {
	tb.Helper()
	key, err := base64.StdEncoding.DecodeString(SecretKey)
	if err == nil {
		var b *secretbox.Box
		if b, err = secretbox.New(key); err == nil {
			return b
		}
	}
	tb.Fatalf("testdb: %v", err)
	return nil
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
	shared.template = "gwtest_tmpl_" + strings.ToLower(rand.Text())
	if err := exec(ctx, "CREATE DATABASE "+pgx.Identifier{shared.template}.Sanitize()); err != nil {
		shared.err = fmt.Errorf("create template database: %w", err)
		return
	}
	s, err := store.Open(ctx, withDatabase(shared.adminURL, shared.template), nil)
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
