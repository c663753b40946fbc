package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrSeatAlreadyLinked means the seat is already linked to a Zoho user: a
// seat has at most one.
var ErrSeatAlreadyLinked = fmt.Errorf("%w: the seat is already linked to a Zoho user", ErrConflict)

// ErrZohoUserAlreadyLinked means the Zoho user is already linked to a seat:
// a Zoho user has at most one.
var ErrZohoUserAlreadyLinked = fmt.Errorf("%w: the Zoho user is already linked to a seat", ErrConflict)

// ErrSeatGone means the seat has left the Centrex: it cannot be linked or
// switched on.
var ErrSeatGone = errors.New("store: the seat is no longer in the Centrex")

// Link is a seat linked to a Zoho user. Enabled means click-to-dial and
// call control are registered in Zoho for that user (the table's ON). A
// link stays, disabled, when the integration is disabled, so that it can be
// restored.
type Link struct {
	ID         int64
	CompanyID  int64
	SeatID     int64
	SeatUserID string
	SeatNumber string
	SeatGone   bool
	ZohoUserID string
	ZohoEmail  string
	ZohoName   string
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// secretHash is SHA-256 of the link's secret; see CheckSecret.
	secretHash []byte
}

// CheckSecret reports, in constant time, whether presented is the link's
// secret (the authorization parameter Zoho sends back on click-to-dial).
func (l Link) CheckSecret(presented string) bool {
	if len(l.secretHash) != sha256.Size || presented == "" {
		return false
	}
	sum := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(sum[:], l.secretHash) == 1
}

// newLinkSecret returns a random secret (crypto/rand.Text: 128 bits in 26
// base32 characters) and its hash.
func newLinkSecret() (string, []byte) {
	secret := rand.Text()
	sum := sha256.Sum256([]byte(secret))
	return secret, sum[:]
}

const linkSelect = `
	SELECT l.id, l.company_id, l.seat_id, s.user_id, s.number, s.gone_at IS NOT NULL,
		l.zoho_user_id, l.zoho_email, l.zoho_name, l.enabled, l.created_at, l.updated_at, l.secret_hash
	FROM seat_links l JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id`

func scanLinkRow(row pgx.CollectableRow) (Link, error) {
	var l Link
	err := row.Scan(&l.ID, &l.CompanyID, &l.SeatID, &l.SeatUserID, &l.SeatNumber, &l.SeatGone,
		&l.ZohoUserID, &l.ZohoEmail, &l.ZohoName, &l.Enabled, &l.CreatedAt, &l.UpdatedAt, &l.secretHash)
	return l, err
}

// queryLink runs a linkSelect query that returns at most one link.
func (s *Store) queryLink(ctx context.Context, where string, args ...any) (Link, error) {
	rows, err := s.pool.Query(ctx, linkSelect+" "+where, args...)
	if err != nil {
		return Link{}, err
	}
	l, err := pgx.CollectExactlyOneRow(rows, scanLinkRow)
	return l, notFound(err)
}

// CreateLink links a present seat of the company to a Zoho user, disabled,
// with a new secret, and returns the link and the secret (never stored: only
// its hash). The caller registers click-to-dial and call control in Zoho
// with that secret and then enables the link, or deletes it if Zoho refused.
//
// Errors: ErrNotFound (no such seat in the company), ErrSeatGone,
// ErrSeatAlreadyLinked, ErrZohoUserAlreadyLinked.
func (s *Store) CreateLink(ctx context.Context, companyID, seatID int64, u ZohoUser) (Link, string, error) {
	fail := func(err error) (Link, string, error) {
		return Link{}, "", fmt.Errorf("store: link seat %d of company %d to zoho user %s: %w", seatID, companyID, u.ID, err)
	}
	if u.ID == "" {
		return fail(errors.New("no zoho user id"))
	}
	secret, hash := newLinkSecret()
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var gone bool
		err := tx.QueryRow(ctx, `SELECT gone_at IS NOT NULL FROM seats WHERE company_id = $1 AND id = $2 FOR SHARE`,
			companyID, seatID).Scan(&gone)
		if err != nil {
			return notFound(err)
		}
		if gone {
			return ErrSeatGone
		}
		now := s.now()
		err = tx.QueryRow(ctx, `
			INSERT INTO seat_links (company_id, seat_id, zoho_user_id, zoho_email, zoho_name, enabled,
				secret_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, false, $6, $7, $7) RETURNING id`,
			companyID, seatID, u.ID, u.Email, u.Name, hash, now).Scan(&id)
		switch {
		case isUniqueViolation(err, "seat_links_seat_key"):
			return ErrSeatAlreadyLinked
		case isUniqueViolation(err, "seat_links_zoho_user_key"):
			return ErrZohoUserAlreadyLinked
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	// No fence: the link is created switched off, which is what a cache
	// that has not seen it yet answers; SetLinkEnabled fences the switch-on.
	l, err := s.LinkByID(ctx, companyID, id)
	if err != nil {
		return fail(err)
	}
	return l, secret, nil
}

// LinkByID returns one link of the company.
func (s *Store) LinkByID(ctx context.Context, companyID, linkID int64) (Link, error) {
	l, err := s.queryLink(ctx, `WHERE l.company_id = $1 AND l.id = $2`, companyID, linkID)
	if err != nil {
		return Link{}, fmt.Errorf("store: link %d of company %d: %w", linkID, companyID, err)
	}
	return l, nil
}

// LinkBySeat returns the link of one of the company's seats.
func (s *Store) LinkBySeat(ctx context.Context, companyID, seatID int64) (Link, error) {
	l, err := s.queryLink(ctx, `WHERE l.company_id = $1 AND l.seat_id = $2`, companyID, seatID)
	if err != nil {
		return Link{}, fmt.Errorf("store: link of seat %d of company %d: %w", seatID, companyID, err)
	}
	return l, nil
}

// LinkByZohoUser returns the link of one of the company's Zoho users.
func (s *Store) LinkByZohoUser(ctx context.Context, companyID int64, zohoUserID string) (Link, error) {
	l, err := s.queryLink(ctx, `WHERE l.company_id = $1 AND l.zoho_user_id = $2`, companyID, zohoUserID)
	if err != nil {
		return Link{}, fmt.Errorf("store: link of zoho user %s of company %d: %w", zohoUserID, companyID, err)
	}
	return l, nil
}
