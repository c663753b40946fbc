package store

import (
	"context"
	"fmt"
	"strings"
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

// seatsOverviewSQL is the select list of the panel figures of the company
// whose id is the SQL expression company (a parameter, or a column of an
// enclosing query: the seats page reads them in its one statement). Scan
// it with overviewScan. Whether a switched-off link of a present seat
// exists is asked from the company's switched-off links (an index of their
// own, migration 0077), each seat looked up by its key in a subquery the
// planner cannot turn into a join: as a join it scanned every company's
// seats, 300 blocks a view at 20,000 seats in all.
func seatsOverviewSQL(company string) string {
	return strings.NewReplacer("$1", company).Replace(`
		(SELECT fetched_at FROM zoho_user_lists WHERE company_id = $1),
		(SELECT user_count FROM zoho_user_lists WHERE company_id = $1),
		(SELECT synced_at FROM seat_syncs WHERE company_id = $1),
		EXISTS (SELECT 1 FROM centrex_connections WHERE company_id = $1),
		EXISTS (SELECT 1 FROM seat_links l WHERE l.company_id = $1 AND NOT l.enabled
		        AND (SELECT s.gone_at IS NULL FROM seats s WHERE s.company_id = l.company_id AND s.id = l.seat_id)),
		(SELECT events FROM centrex_connections WHERE company_id = $1),
		(SELECT subscription_id FROM centrex_subscriptions WHERE company_id = $1),
		(SELECT last_error FROM centrex_subscriptions WHERE company_id = $1)`)
}

// overviewScan receives the columns of seatsOverviewSQL.
type overviewScan struct {
	o                     SeatsOverview
	usersAt, syncedAt     *time.Time
	users                 *int
	events, subID, subErr *string
}

func (x *overviewScan) dest() []any {
	return []any{&x.usersAt, &x.users, &x.syncedAt, &x.o.HasCentrex, &x.o.Restorable, &x.events, &x.subID, &x.subErr}
}

func (x *overviewScan) overview() SeatsOverview {
	o := x.o
	if x.usersAt != nil {
		o.ZohoUsersAt = *x.usersAt
	}
	if x.users != nil {
		o.ZohoUsers = *x.users
	}
	if x.syncedAt != nil {
		o.SeatsSyncedAt = *x.syncedAt
	}
	if x.events != nil {
		o.Events = *x.events
	}
	o.Subscribed = x.subID != nil && *x.subID != ""
	if x.subErr != nil {
		o.SubscriptionError = *x.subErr
	}
	return o
}

// SeatsOverview reads the company's panel figures.
func (s *Store) SeatsOverview(ctx context.Context, companyID int64) (SeatsOverview, error) {
	var x overviewScan
	if err := s.pool.QueryRow(ctx, `SELECT `+seatsOverviewSQL("$1"), companyID).Scan(x.dest()...); err != nil {
		return SeatsOverview{}, fmt.Errorf("store: seats overview of company %d: %w", companyID, err)
	}
	return x.overview(), nil
}
