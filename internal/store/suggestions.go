package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// How a suggestion matched a seat to a Zoho user.
const (
	// MatchEmail: the seat's directory e-mail equals the Zoho user's e-mail.
	MatchEmail = "email"
	// MatchName: the seat's "first last" name equals the Zoho user's name.
	MatchName = "name"
)

// Suggestion proposes linking a seat to a Zoho user.
type Suggestion struct {
	SeatID     int64
	SeatUserID string
	SeatNumber string
	ZohoUser   ZohoUser
	// MatchedBy is MatchEmail or MatchName.
	MatchedBy string
}

// SuggestedLinks returns the company's suggested matches between present,
// unlinked seats and cached, unlinked Zoho users, ordered by seat user id.
//
// A seat matches a Zoho user when its directory e-mail equals the user's
// e-mail, or its "first last" name equals the user's name, both
// case-insensitively. An e-mail match beats a name match for both the seat
// and the user. A suggestion is only made when it is unambiguous: the seat
// has exactly one best match and that user is the best match of no other
// seat. So "link all suggested" never has to choose.
func (s *Store) SuggestedLinks(ctx context.Context, companyID int64) ([]Suggestion, error) {
	rows, err := s.pool.Query(ctx, `
		WITH free_seats AS (
			SELECT s.* FROM seats s
			WHERE s.company_id = $1 AND s.gone_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM seat_links l WHERE l.company_id = $1 AND l.seat_id = s.id)
		), free_users AS (
			SELECT u.* FROM zoho_users u
			WHERE u.company_id = $1
			  AND NOT EXISTS (SELECT 1 FROM seat_links l WHERE l.company_id = $1 AND l.zoho_user_id = u.zoho_user_id)
		), cand AS (
			SELECT s.id AS seat_id, u.zoho_user_id, 'email' AS matched_by
			FROM free_seats s JOIN free_users u ON lower(u.email) = lower(s.email)
			WHERE s.email <> ''
			UNION
			SELECT s.id, u.zoho_user_id, 'name'
			FROM free_seats s JOIN free_users u ON lower(u.name) = lower(s.first_name || ' ' || s.last_name)
			WHERE u.name <> '' AND (s.first_name <> '' OR s.last_name <> '')
		), best AS (
			SELECT c.* FROM cand c
			WHERE c.matched_by = 'email'
			   OR NOT EXISTS (SELECT 1 FROM cand e WHERE e.matched_by = 'email'
			                  AND (e.seat_id = c.seat_id OR e.zoho_user_id = c.zoho_user_id))
		), counted AS (
			SELECT b.*, count(*) OVER (PARTITION BY b.seat_id) AS per_seat,
				count(*) OVER (PARTITION BY b.zoho_user_id) AS per_user
			FROM best b
		)
		SELECT s.id, s.user_id, s.number, u.zoho_user_id, u.email, u.name, u.fetched_at, c.matched_by
		FROM counted c
		JOIN seats s ON s.company_id = $1 AND s.id = c.seat_id
		JOIN zoho_users u ON u.company_id = $1 AND u.zoho_user_id = c.zoho_user_id
		WHERE c.per_seat = 1 AND c.per_user = 1
		ORDER BY s.user_id`, companyID)
	if err != nil {
		return nil, fmt.Errorf("store: suggested links of company %d: %w", companyID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Suggestion, error) {
		var g Suggestion
		err := row.Scan(&g.SeatID, &g.SeatUserID, &g.SeatNumber, &g.ZohoUser.ID, &g.ZohoUser.Email,
			&g.ZohoUser.Name, &g.ZohoUser.FetchedAt, &g.MatchedBy)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: suggested links of company %d: %w", companyID, err)
	}
	return out, nil
}
