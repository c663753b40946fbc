package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SeatsPageContext is everything the "Usuarios Conecta - Zoho" page needs
// besides the table's rows, read with its session in one statement: the
// session, its administrator and company, the Zoho integration, the panel
// figures, the delivery summary, the language of Zoho-facing texts and the
// version of the company's table (seat_table_versions: a copy of the table
// in memory is current while it has this version).
type SeatsPageContext struct {
	// Session is the session row of the token; Found is false when there
	// is none unexpired (every other field is then zero).
	Session SessionRow
	Found   bool
	// HasAdmin says whether the session names an administrator who
	// exists: Admin, Company and the rest are filled only then. The caller
	// still checks that the session's own data names the same
	// administrator and epoch.
	HasAdmin bool
	Admin    Admin
	Company  Company
	// Integration is the company's Zoho integration, without its tokens
	// (the page shows none), its absent times the epoch as
	// ZohoIntegration reads them. Status is ZohoDisabled when there is none.
	Integration  ZohoIntegration
	Overview     SeatsOverview
	Delivery     DeliverySummary
	Language     string
	TableVersion int64
}

// seatsPageSQL reads SeatsPageContext of the session $1. Everything but
// the session comes from LEFT JOINs and subqueries on the session's
// administrator, so a session without one still comes back.
var seatsPageSQL = `SELECT s.data, s.expiry, coalesce(s.admin_id, 0),
		a.id IS NOT NULL, coalesce(a.id, 0), coalesce(a.company_id, 0), coalesce(a.email, ''), coalesce(a.password_hash, ''),
		coalesce(a.session_epoch, 0), coalesce(a.created_at, 'epoch'),
		coalesce(c.id, 0), coalesce(c.name, ''), coalesce(c.created_at, 'epoch'), coalesce(c.time_zone, ''), coalesce(c.language, ''),
		coalesce(z.status, 'disabled'), coalesce(z.consent_email, ''), coalesce(z.location, ''),
		coalesce(z.accounts_server, ''), coalesce(z.api_domain, ''),
		coalesce(z.access_expires_at, 'epoch'), coalesce(z.refreshed_at, 'epoch'), coalesce(z.last_error, ''),
		coalesce(z.enabled_at, 'epoch'), coalesce(z.updated_at, 'epoch'),
		coalesce(v.version, 0),` + seatsOverviewSQL("c.id") + `,` + outboxSummarySQL("c.id") + `
	FROM sessions s
	LEFT JOIN admins a ON a.id = s.admin_id
	LEFT JOIN companies c ON c.id = a.company_id
	LEFT JOIN zoho_integrations z ON z.company_id = c.id
	LEFT JOIN seat_table_versions v ON v.company_id = c.id
	WHERE s.token = $1 AND current_timestamp < s.expiry`

// SeatsPage reads the seats page's context of the session token in one
// statement.
func (s *Store) SeatsPage(ctx context.Context, token string) (SeatsPageContext, error) {
	var p SeatsPageContext
	var ov overviewScan
	var dl deliveryScan
	z := &p.Integration
	dest := []any{&p.Session.Data, &p.Session.Expiry, &p.Session.AdminID,
		&p.HasAdmin, &p.Admin.ID, &p.Admin.CompanyID, &p.Admin.Email, &p.Admin.PasswordHash, &p.Admin.SessionEpoch, &p.Admin.CreatedAt,
		&p.Company.ID, &p.Company.Name, &p.Company.CreatedAt, &p.Company.TimeZone, &p.Language,
		&z.Status, &z.ConsentEmail, &z.Location, &z.AccountsServer, &z.APIDomain,
		&z.AccessExpiresAt, &z.RefreshedAt, &z.LastError, &z.EnabledAt, &z.UpdatedAt,
		&p.TableVersion}
	dest = append(append(dest, ov.dest()...), dl.dest()...)
	err := s.pool.QueryRow(ctx, seatsPageSQL, token).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return SeatsPageContext{}, nil
	}
	if err != nil {
		return SeatsPageContext{}, fmt.Errorf("store: seats page context: %w", err)
	}
	p.Found = true
	if !p.HasAdmin {
		return SeatsPageContext{Session: p.Session, Found: true}, nil
	}
	z.CompanyID = p.Company.ID
	p.Overview, p.Delivery = ov.overview(), dl.summary()
	return p, nil
}
