package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ZohoUser is one of a company's Zoho users as PhoneBridge `users` listed
// it, with the seat it is linked to, if any.
type ZohoUser struct {
	// ID is Zoho's `zohouser` value (opaque text).
	ID    string
	Email string
	Name  string
	// FetchedAt is when the list holding this user was fetched.
	FetchedAt time.Time
	// LinkedSeatID and LinkedSeatUserID name the seat linked to the user;
	// zero and empty when it has none.
	LinkedSeatID     int64
	LinkedSeatUserID string
}

// Label is how the activation dialog shows the user: "Name (email)", or
// whichever of the two is known.
func (u ZohoUser) Label() string {
	switch {
	case u.Name != "" && u.Email != "":
		return u.Name + " (" + u.Email + ")"
	case u.Name != "":
		return u.Name
	}
	return u.Email
}

// ReplaceZohoUsers replaces the company's cached Zoho users with users (the
// complete list from every page of PhoneBridge `users`) and records when.
// Links keep their Zoho user even if it is no longer listed; the e-mail and
// name of linked users are refreshed. Repeated ids keep their first entry.
func (s *Store) ReplaceZohoUsers(ctx context.Context, companyID int64, users []ZohoUser) error {
	now := s.now()
	seen := make(map[string]bool, len(users))
	rows := make([][]any, 0, len(users))
	for _, u := range users {
		id := strings.TrimSpace(u.ID)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		rows = append(rows, []any{companyID, id, strings.TrimSpace(u.Email), strings.TrimSpace(u.Name), now})
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM zoho_users WHERE company_id = $1`, companyID); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"zoho_users"},
			[]string{"company_id", "zoho_user_id", "email", "name", "fetched_at"}, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE seat_links l SET zoho_email = u.email, zoho_name = u.name, updated_at = $2
			FROM zoho_users u
			WHERE l.company_id = $1 AND u.company_id = l.company_id AND u.zoho_user_id = l.zoho_user_id
			  AND (l.zoho_email, l.zoho_name) IS DISTINCT FROM (u.email, u.name)`, companyID, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO zoho_user_lists (company_id, fetched_at, user_count) VALUES ($1, $2, $3)
			ON CONFLICT (company_id) DO UPDATE SET fetched_at = excluded.fetched_at, user_count = excluded.user_count`,
			companyID, now, len(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: replace zoho users of company %d: %w", companyID, err)
	}
	return nil
}

// ZohoUsersFetchedAt returns when the company's Zoho users were last cached
// and how many there were (the connection panel's "Zoho users cached at").
// ErrNotFound means never.
func (s *Store) ZohoUsersFetchedAt(ctx context.Context, companyID int64) (time.Time, int, error) {
	var at time.Time
	var n int
	err := s.pool.QueryRow(ctx, `SELECT fetched_at, user_count FROM zoho_user_lists WHERE company_id = $1`, companyID).Scan(&at, &n)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("store: zoho users fetched at, company %d: %w", companyID, notFound(err))
	}
	return at, n, nil
}

// ZohoUserQuery selects cached Zoho users for the activation dialog.
type ZohoUserQuery struct {
	// Search is the words typed in the dialog: a user matches when each
	// word is part of the name or the e-mail, ignoring case and accents
	// ("martin buil" finds "Miguel Martín Buil"). Only the first
	// maxSearchWords words count.
	Search string
	// UnlinkedOnly leaves out users already linked to a seat.
	UnlinkedOnly bool
	// Offset and Limit page the result; Limit <= 0 means 50, at most 500.
	Offset, Limit int
}

// maxSearchWords bounds the words of a Zoho user search.
const maxSearchWords = 5

// ZohoUsers returns a page of the company's cached Zoho users ordered by
// name then e-mail, and how many match in all.
func (s *Store) ZohoUsers(ctx context.Context, companyID int64, q ZohoUserQuery) ([]ZohoUser, int, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	args := []any{companyID, q.UnlinkedOnly, max(q.Offset, 0), limit}
	var match strings.Builder
	for i, w := range strings.Fields(q.Search) {
		if i == maxSearchWords {
			break
		}
		args = append(args, likePattern(w))
		fmt.Fprintf(&match, " AND search_fold(u.name || ' ' || u.email) LIKE search_fold($%d)", len(args))
	}
	rows, err := s.pool.Query(ctx, `
		SELECT u.zoho_user_id, u.email, u.name, u.fetched_at, coalesce(l.seat_id, 0), coalesce(s.user_id, ''),
			count(*) OVER ()
		FROM zoho_users u
		LEFT JOIN seat_links l ON l.company_id = u.company_id AND l.zoho_user_id = u.zoho_user_id
		LEFT JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id
		WHERE u.company_id = $1`+match.String()+`
		  AND (NOT $2 OR l.id IS NULL)
		ORDER BY lower(u.name), lower(u.email), u.zoho_user_id
		OFFSET $3 LIMIT $4`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: zoho users of company %d: %w", companyID, err)
	}
	var total int
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ZohoUser, error) {
		var u ZohoUser
		err := row.Scan(&u.ID, &u.Email, &u.Name, &u.FetchedAt, &u.LinkedSeatID, &u.LinkedSeatUserID, &total)
		return u, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: zoho users of company %d: %w", companyID, err)
	}
	return users, total, nil
}

// ZohoUserByID returns one cached Zoho user of the company.
func (s *Store) ZohoUserByID(ctx context.Context, companyID int64, zohoUserID string) (ZohoUser, error) {
	var u ZohoUser
	err := s.pool.QueryRow(ctx, `
		SELECT u.zoho_user_id, u.email, u.name, u.fetched_at, coalesce(l.seat_id, 0), coalesce(s.user_id, '')
		FROM zoho_users u
		LEFT JOIN seat_links l ON l.company_id = u.company_id AND l.zoho_user_id = u.zoho_user_id
		LEFT JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id
		WHERE u.company_id = $1 AND u.zoho_user_id = $2`, companyID, zohoUserID).
		Scan(&u.ID, &u.Email, &u.Name, &u.FetchedAt, &u.LinkedSeatID, &u.LinkedSeatUserID)
	if err != nil {
		return ZohoUser{}, fmt.Errorf("store: zoho user %s of company %d: %w", zohoUserID, companyID, notFound(err))
	}
	return u, nil
}

// likePattern turns a search box's text into an ILIKE substring pattern,
// escaping the wildcards; empty text gives "".
func likePattern(search string) string {
	search = strings.TrimSpace(search)
	if search == "" {
		return ""
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(search) + "%"
}
