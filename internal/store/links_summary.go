package store

import (
	"context"
	"fmt"
)

// HasRestorableLinks reports whether the company has a switched-off link of
// a present seat: something "restore the previous links" would switch back
// on. It stops at the first one, so the table page can ask on every view.
func (s *Store) HasRestorableLinks(ctx context.Context, companyID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM seat_links l JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id
		WHERE l.company_id = $1 AND NOT l.enabled AND s.gone_at IS NULL)`, companyID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: restorable links of company %d: %w", companyID, err)
	}
	return ok, nil
}

// HasCentrexConnection reports whether the company has a Centrex connection.
func (s *Store) HasCentrexConnection(ctx context.Context, companyID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM centrex_connections WHERE company_id = $1)`, companyID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: centrex connection of company %d: %w", companyID, err)
	}
	return ok, nil
}
