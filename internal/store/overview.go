package store

import (
	"context"
	"fmt"
	"time"
)

// SeatsOverview is what the connection panel under the seats table shows,
// read in one query on every view of the table.
type SeatsOverview struct {
	// ZohoUsersAt is when the Zoho user list was last fetched (zero: never),
	// ZohoUsers how many it held.
	ZohoUsersAt time.Time
	ZohoUsers   int
	// SeatsSyncedAt is when the seats were last read from the Centrex.
	SeatsSyncedAt time.Time
	// HasCentrex says whether the company has a Centrex connection, and
	// Events how its call events arrive (EventsHTTP or EventsChannel).
	HasCentrex bool
	Events     string
	// Subscribed says whether the company has a live event subscription;
	// SubscriptionError is why the last attempt to keep it failed ("" when
	// it did not).
	Subscribed        bool
	SubscriptionError string
	// Restorable says whether a switched-off link of a present seat exists.
	Restorable bool
}

// SeatsOverview reads the company's panel figures.
func (s *Store) SeatsOverview(ctx context.Context, companyID int64) (SeatsOverview, error) {
	var o SeatsOverview
	var usersAt, syncedAt *time.Time
	var users *int
	var events, subID, subErr *string
	err := s.pool.QueryRow(ctx, `SELECT
			(SELECT fetched_at FROM zoho_user_lists WHERE company_id = $1),
			(SELECT user_count FROM zoho_user_lists WHERE company_id = $1),
			(SELECT synced_at FROM seat_syncs WHERE company_id = $1),
			EXISTS (SELECT 1 FROM centrex_connections WHERE company_id = $1),
			EXISTS (SELECT 1 FROM seat_links l JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id
			        WHERE l.company_id = $1 AND NOT l.enabled AND s.gone_at IS NULL),
			(SELECT events FROM centrex_connections WHERE company_id = $1),
			(SELECT subscription_id FROM centrex_subscriptions WHERE company_id = $1),
			(SELECT last_error FROM centrex_subscriptions WHERE company_id = $1)`, companyID).
		Scan(&usersAt, &users, &syncedAt, &o.HasCentrex, &o.Restorable, &events, &subID, &subErr)
	if err != nil {
		return SeatsOverview{}, fmt.Errorf("store: seats overview of company %d: %w", companyID, err)
	}
	if usersAt != nil {
		o.ZohoUsersAt = *usersAt
	}
	if users != nil {
		o.ZohoUsers = *users
	}
	if syncedAt != nil {
		o.SeatsSyncedAt = *syncedAt
	}
	if events != nil {
		o.Events = *events
	}
	o.Subscribed = subID != nil && *subID != ""
	if subErr != nil {
		o.SubscriptionError = *subErr
	}
	return o, nil
}
