package store

import (
	"context"
	"fmt"
)

// CompanyVersion returns the company's cache version: a counter that the
// database's triggers (migration 0074) bump in the same transaction as any
// change of the company's events token, links, linked seats' user id,
// number or presence, or Centrex connection. A value read before reading
// those, and read again later, tells whether what was read is still true,
// on any instance. A company never changed is version 0.
func (s *Store) CompanyVersion(ctx context.Context, companyID int64) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT version FROM company_versions WHERE company_id = $1), 0)`,
		companyID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: version of company %d: %w", companyID, err)
	}
	return v, nil
}

// EventTokenHash returns the SHA-256 of the company's events token, nil
// when it has none.
func (s *Store) EventTokenHash(ctx context.Context, companyID int64) ([]byte, error) {
	var h []byte
	err := s.pool.QueryRow(ctx, `SELECT token_hash FROM centrex_subscriptions WHERE company_id = $1`, companyID).Scan(&h)
	if err != nil && notFound(err) != ErrNotFound {
		return nil, fmt.Errorf("store: event token of company %d: %w", companyID, err)
	}
	return h, nil
}
