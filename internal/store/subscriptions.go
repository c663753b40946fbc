package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventSubscription is a company's Xsi-Events subscription as stored.
// SubscriptionID is "" when there is none (never made, lost or ended).
// Delivery says where its events go: "http:" and the contact URL, or
// "channel:" and the channel set.
type EventSubscription struct {
	CompanyID      int64
	SubscriptionID string
	Delivery       string
	RenewedAt      time.Time
	ExpiresAt      time.Time
	LastError      string
}

// RenewAt is when the subscription should be renewed: at half its life.
func (e EventSubscription) RenewAt() time.Time {
	return e.RenewedAt.Add(e.ExpiresAt.Sub(e.RenewedAt) / 2)
}

func eventTokenContext(companyID int64) string {
	return "centrex-events:" + strconv.FormatInt(companyID, 10)
}

// EventToken returns the company's events-contact token, creating its row
// (with a new random token, crypto/rand.Text) the first time. The token is
// stored twice: its SHA-256, by which CompanyByEventToken finds the company,
// and a sealed copy, from which the contact URL is rebuilt when the
// subscription is made again.
func (s *Store) EventToken(ctx context.Context, companyID int64) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("store: event token of company %d: %w", companyID, err)
	}
	token := rand.Text()
	sum := sha256.Sum256([]byte(token))
	sealedNew, err := s.seal(token, eventTokenContext(companyID))
	if err != nil {
		return fail(err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO centrex_subscriptions (company_id, token_hash, token_sealed, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (company_id) DO NOTHING`,
		companyID, sum[:], sealedNew, s.now())
	if err != nil {
		return fail(err)
	}
	var sealed []byte
	if err := s.pool.QueryRow(ctx, `SELECT token_sealed FROM centrex_subscriptions WHERE company_id = $1`,
		companyID).Scan(&sealed); err != nil {
		return fail(notFound(err))
	}
	token, err = s.open(sealed, eventTokenContext(companyID))
	if err != nil {
		return fail(err)
	}
	return token, nil
}

// CompanyByEventToken returns the company whose events-contact token is
// token, comparing hashes in constant time; ErrNotFound otherwise.
func (s *Store) CompanyByEventToken(ctx context.Context, token string) (int64, error) {
	if token == "" || len(token) > 128 {
		return 0, fmt.Errorf("store: company by event token: %w", ErrNotFound)
	}
	sum := sha256.Sum256([]byte(token))
	var id int64
	var stored []byte
	err := s.pool.QueryRow(ctx, `SELECT company_id, token_hash FROM centrex_subscriptions WHERE token_hash = $1`,
		sum[:]).Scan(&id, &stored)
	if err == nil && subtle.ConstantTimeCompare(stored, sum[:]) != 1 {
		err = ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: company by event token: %w", notFound(err))
	}
	return id, nil
}

// Subscribable is a company that should receive call events, and how
// (EventsHTTP or EventsChannel).
type Subscribable struct {
	CompanyID int64
	Events    string
}

// SubscribableCompanies lists the companies that should have a
// subscription (a Centrex connection and an enabled Zoho integration), with
// their delivery mode, and those that still have one but should not, in id
// order.
func (s *Store) SubscribableCompanies(ctx context.Context) (want []Subscribable, drop []int64, err error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.company_id, true, c.events FROM centrex_connections c
		JOIN zoho_integrations z ON z.company_id = c.company_id AND z.status = 'enabled'
		UNION ALL
		SELECT s.company_id, false, '' FROM centrex_subscriptions s
		WHERE s.subscription_id <> '' AND NOT EXISTS (
			SELECT 1 FROM centrex_connections c JOIN zoho_integrations z ON z.company_id = c.company_id
			WHERE c.company_id = s.company_id AND z.status = 'enabled')
		ORDER BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: subscribable companies: %w", err)
	}
	var id int64
	var keep bool
	var events string
	_, err = pgx.ForEachRow(rows, []any{&id, &keep, &events}, func() error {
		if keep {
			want = append(want, Subscribable{CompanyID: id, Events: events})
		} else {
			drop = append(drop, id)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: subscribable companies: %w", err)
	}
	return want, drop, nil
}

const subscriptionColumns = `company_id, subscription_id, delivery, coalesce(renewed_at, 'epoch'), coalesce(expires_at, 'epoch'),
	last_error`

// SaveSubscription records the outcome of a subscribe, renew or
// unsubscribe by the holder of the company's lease named lease: the id (""
// for none), its delivery, when it was renewed and when it expires, and the
// last error ("" on success). It fails with ErrLeaseHeld when owner does not hold that
// lease (it was taken over meanwhile), and writes nothing then.
func (s *Store) SaveSubscription(ctx context.Context, owner, lease string, e EventSubscription) error {
	var renewed, expires *time.Time
	if !e.RenewedAt.IsZero() {
		renewed, expires = &e.RenewedAt, &e.ExpiresAt
	}
	tag, err := s.pool.Exec(ctx, `UPDATE centrex_subscriptions SET subscription_id = $3, renewed_at = $4,
			expires_at = $5, last_error = $6, updated_at = $7, delivery = $9
		WHERE company_id = $1 AND EXISTS (SELECT 1 FROM leases l WHERE l.name = $8 AND l.company_id = $1 AND l.owner = $2)`,
		e.CompanyID, owner, e.SubscriptionID, renewed, expires, errorText(e.LastError), s.now(), lease, e.Delivery)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrLeaseHeld
	}
	if err != nil {
		return fmt.Errorf("store: save subscription of company %d: %w", e.CompanyID, err)
	}
	return nil
}

// ForgetSubscription clears the company's subscription id when it is
// subscriptionID (the Centrex said it ended), so the manager re-creates it.
func (s *Store) ForgetSubscription(ctx context.Context, companyID int64, subscriptionID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE centrex_subscriptions SET subscription_id = '', renewed_at = NULL, expires_at = NULL,
		updated_at = $3 WHERE company_id = $1 AND subscription_id = $2`, companyID, subscriptionID, s.now())
	if err != nil {
		return fmt.Errorf("store: forget subscription of company %d: %w", companyID, err)
	}
	return nil
}

// EventSubscriptionOf returns the company's stored subscription.
func (s *Store) EventSubscriptionOf(ctx context.Context, companyID int64) (EventSubscription, error) {
	var e EventSubscription
	err := s.pool.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM centrex_subscriptions WHERE company_id = $1`, companyID).
		Scan(&e.CompanyID, &e.SubscriptionID, &e.Delivery, &e.RenewedAt, &e.ExpiresAt, &e.LastError)
	if err != nil {
		return EventSubscription{}, fmt.Errorf("store: subscription of company %d: %w", companyID, notFound(err))
	}
	return e, nil
}
