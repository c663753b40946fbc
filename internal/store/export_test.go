package store

import "context"

// TableSQL exposes the table's queries to the EXPLAIN test.
var TableSQL = tableSQL

// MigrateDownTo rolls the schema back to version, for the migration tests
// (Migrate brings it up again).
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, closeDB, err := s.provider(nil)
	if err != nil {
		return err
	}
	defer closeDB()
	_, err = p.DownTo(ctx, version)
	return err
}

// ClaimSQL exposes the outbox claim to the EXPLAIN test.
const ClaimSQL = claimSQL

// Scan runs a one-row query inside the event group's transaction.
func (e *EventTx) Scan(ctx context.Context, sql string, dest ...any) error {
	if err := e.begin(ctx); err != nil {
		return err
	}
	return e.tx.QueryRow(ctx, sql).Scan(dest...)
}

// SeatsOverviewSQL exposes the panel figures to the plan test.
var SeatsOverviewSQL = seatsOverviewSQL

// EventGroupSetSQL exposes the set statements of an event group to the
// plan test, by name.
var EventGroupSetSQL = map[string]string{
	"mark events":  markEventsSQL,
	"create calls": createCallsSQL,
	"lock calls":   lockCallsSQL,
	"save calls":   saveCallsSQL,
	"queue outbox": enqueueCallsSQL,
}
