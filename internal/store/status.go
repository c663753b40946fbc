package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CompanyFigures is what an operator needs of one company at a glance: the
// state of each part of its integration and its outbox, read from the
// database so that any instance (or a command) can tell. Times are zero
// when there is none.
type CompanyFigures struct {
	CompanyID int64
	Name      string
	// ExternalID is the carrier's ordering system's id ("": none);
	// SwitchedOffAt is when the company was switched off (zero: it is on).
	ExternalID    string
	SwitchedOffAt time.Time

	// Integration is the Zoho integration's status (ZohoDisabled when the
	// company never had one) and IntegrationError its last error code.
	Integration      ZohoStatus
	IntegrationError string
	// AccessExpiresAt is when the stored access token expires, RefreshedAt
	// when it was last refreshed.
	AccessExpiresAt time.Time
	RefreshedAt     time.Time

	// HasCentrex says whether the company has a Centrex connection.
	HasCentrex bool
	// Subscription is the company's Xsi-Events subscription as stored
	// (SubscriptionID "" for none).
	Subscription EventSubscription

	// SeatSync is the last seat sync or import (zero SyncedAt: never).
	SeatSync SeatSync
	// Links counts the company's seats linked to a Zoho user, and
	// LinksEnabled those of them switched on in Zoho.
	Links, LinksEnabled int

	// OutboxPending and OutboxParked count the company's undelivered
	// notifications; OldestPendingAt is when the oldest pending one was
	// queued; OutboxError is the error of the most recent one that failed.
	OutboxPending   int
	OutboxParked    int
	OldestPendingAt time.Time
	OutboxError     string
}

// companyFiguresSQL reads every company (or the one named $1, any case) in
// one statement. The outbox figures come from the undelivered rows only
// (outbox_company_undelivered_idx); the last outbox error from the rows
// that failed (outbox_company_errors_idx: a delivered row has none).
const companyFiguresSQL = `
	SELECT c.id, c.name, coalesce(c.external_id, ''), coalesce(c.switched_off_at, 'epoch'),
		coalesce(z.status, 'disabled'), coalesce(z.last_error, ''),
		coalesce(z.access_expires_at, 'epoch'), coalesce(z.refreshed_at, 'epoch'),
		cc.company_id IS NOT NULL,
		coalesce(s.subscription_id, ''), coalesce(s.renewed_at, 'epoch'), coalesce(s.expires_at, 'epoch'),
		coalesce(s.last_error, ''),
		coalesce(ss.source, ''), coalesce(ss.synced_at, 'epoch'), coalesce(ss.present, 0), coalesce(ss.gone, 0),
		coalesce(o.pending, 0), coalesce(o.parked, 0), coalesce(o.oldest, 'epoch'), coalesce(oe.last_error, ''),
		coalesce(l.links, 0), coalesce(l.enabled, 0)
	FROM companies c
	LEFT JOIN zoho_integrations z ON z.company_id = c.id
	LEFT JOIN centrex_connections cc ON cc.company_id = c.id
	LEFT JOIN centrex_subscriptions s ON s.company_id = c.id
	LEFT JOIN seat_syncs ss ON ss.company_id = c.id
	LEFT JOIN (
		SELECT company_id,
			count(*) FILTER (WHERE status = 'pending') AS pending,
			count(*) FILTER (WHERE status = 'parked') AS parked,
			min(created_at) FILTER (WHERE status = 'pending') AS oldest
		FROM outbox GROUP BY company_id
	) o ON o.company_id = c.id
	LEFT JOIN LATERAL (
		SELECT last_error FROM outbox WHERE company_id = c.id AND last_error <> '' ORDER BY id DESC LIMIT 1
	) oe ON true
	LEFT JOIN (
		SELECT company_id, count(*) AS links, count(*) FILTER (WHERE enabled) AS enabled
		FROM seat_links GROUP BY company_id
	) l ON l.company_id = c.id
	WHERE ($1 = '' OR lower(c.name) = lower($1)) AND ($2 = 0 OR c.id = $2)
	ORDER BY lower(c.name), c.id`

// CompanyFigures reads the figures of every company, by name, or of the one
// named name (compared without case; ErrNotFound when there is none). It
// opens no secret, so it works without SECRET_KEY.
func (s *Store) CompanyFigures(ctx context.Context, name string) ([]CompanyFigures, error) {
	return s.companyFigures(ctx, name, 0)
}

// CompanyFiguresByID reads the figures of one company (ErrNotFound: none).
func (s *Store) CompanyFiguresByID(ctx context.Context, companyID int64) (CompanyFigures, error) {
	figs, err := s.companyFigures(ctx, "", companyID)
	if err == nil && len(figs) == 0 {
		err = fmt.Errorf("store: company figures of company %d: %w", companyID, ErrNotFound)
	}
	if err != nil {
		return CompanyFigures{}, err
	}
	return figs[0], nil
}

func (s *Store) companyFigures(ctx context.Context, name string, companyID int64) ([]CompanyFigures, error) {
	rows, err := s.pool.Query(ctx, companyFiguresSQL, name, companyID)
	if err != nil {
		return nil, fmt.Errorf("store: company figures: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CompanyFigures, error) {
		var f CompanyFigures
		err := row.Scan(&f.CompanyID, &f.Name, &f.ExternalID, &f.SwitchedOffAt, &f.Integration, &f.IntegrationError, &f.AccessExpiresAt, &f.RefreshedAt,
			&f.HasCentrex, &f.Subscription.SubscriptionID, &f.Subscription.RenewedAt, &f.Subscription.ExpiresAt,
			&f.Subscription.LastError, &f.SeatSync.Source, &f.SeatSync.SyncedAt, &f.SeatSync.Present, &f.SeatSync.Gone,
			&f.OutboxPending, &f.OutboxParked, &f.OldestPendingAt, &f.OutboxError, &f.Links, &f.LinksEnabled)
		f.Subscription.CompanyID = f.CompanyID
		for _, t := range []*time.Time{&f.SwitchedOffAt, &f.AccessExpiresAt, &f.RefreshedAt, &f.Subscription.RenewedAt,
			&f.Subscription.ExpiresAt, &f.SeatSync.SyncedAt, &f.OldestPendingAt} {
			if t.Equal(time.Unix(0, 0)) {
				*t = time.Time{}
			}
		}
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: company figures: %w", err)
	}
	if name != "" && len(out) == 0 {
		return nil, fmt.Errorf("store: company figures of %q: %w", name, ErrNotFound)
	}
	return out, nil
}

// OutboxFailure is a notification whose last delivery attempt failed.
type OutboxFailure struct {
	ID        int64
	Kind      string // callnotify, clicktodialerror
	Status    OutboxStatus
	Attempts  int
	Error     string
	CreatedAt time.Time
}

// RecentOutboxFailures returns the company's latest notifications whose
// last attempt failed, newest first, at most limit
// (outbox_company_errors_idx).
func (s *Store) RecentOutboxFailures(ctx context.Context, companyID int64, limit int) ([]OutboxFailure, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, status, attempts, last_error, created_at FROM outbox
		WHERE company_id = $1 AND last_error <> '' ORDER BY id DESC LIMIT $2`, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent outbox failures of company %d: %w", companyID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (OutboxFailure, error) {
		var f OutboxFailure
		err := row.Scan(&f.ID, &f.Kind, &f.Status, &f.Attempts, &f.Error, &f.CreatedAt)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: recent outbox failures of company %d: %w", companyID, err)
	}
	return out, nil
}
