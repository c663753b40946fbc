package store

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/conecta-zoho/gateway/migrations"
)

// MigrationStatus says where the schema stands.
type MigrationStatus struct {
	Current int64 // the version applied last
	Latest  int64 // the newest version this binary carries
}

// Behind reports whether migrations are pending.
func (m MigrationStatus) Behind() bool { return m.Current < m.Latest }

func (s *Store) provider(logger *slog.Logger) (*goose.Provider, func() error, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	// A session advisory lock keeps two instances from migrating at once.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: migrations lock: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, opts...)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, db.Close, nil
}

// Migrate applies every pending migration and returns how many it applied.
func (s *Store) Migrate(ctx context.Context, logger *slog.Logger) (int, error) {
	p, closeDB, err := s.provider(logger)
	if err != nil {
		return 0, err
	}
	defer closeDB()
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("store: migrate: %w", err)
	}
	return len(results), nil
}

// Migrations reports the applied and the newest schema version.
func (s *Store) Migrations(ctx context.Context) (MigrationStatus, error) {
	p, closeDB, err := s.provider(nil)
	if err != nil {
		return MigrationStatus{}, err
	}
	defer closeDB()
	var st MigrationStatus
	if st.Current, err = p.GetDBVersion(ctx); err != nil {
		return st, fmt.Errorf("store: schema version: %w", err)
	}
	for _, src := range p.ListSources() {
		st.Latest = max(st.Latest, src.Version)
	}
	return st, nil
}
