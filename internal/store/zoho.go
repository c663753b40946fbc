package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// ZohoStatus is the state of a company's Zoho PhoneBridge integration, as
// the zoho_integrations.status column holds it.
type ZohoStatus string

// The integration statuses.
const (
	// ZohoDisabled: nothing in Zoho, no tokens.
	ZohoDisabled ZohoStatus = "disabled"
	// ZohoEnabled: integrated in Zoho, tokens stored.
	ZohoEnabled ZohoStatus = "enabled"
	// ZohoNeedsConsent: integrated, but the refresh token died; the
	// administrator must consent again.
	ZohoNeedsConsent ZohoStatus = "needs_consent"
	// ZohoDisabling: a disable stopped half way; a retry continues it.
	ZohoDisabling ZohoStatus = "disabling"
)

// ZohoIntegration is a company's Zoho PhoneBridge integration. The tokens
// are in the clear here: the store seals them on the way in (bound to the
// company and to which token it is) and opens them on the way out; "" is
// none.
type ZohoIntegration struct {
	CompanyID       int64
	Status          ZohoStatus
	ConsentEmail    string
	Location        string
	AccountsServer  string
	APIDomain       string
	RefreshToken    string
	AccessToken     string
	AccessExpiresAt time.Time
	RefreshedAt     time.Time
	LastError       string
	EnabledAt       time.Time
	UpdatedAt       time.Time
}

const zohoColumns = `company_id, status, coalesce(consent_email, ''), coalesce(location, ''),
	coalesce(accounts_server, ''), coalesce(api_domain, ''), refresh_token, access_token,
	coalesce(access_expires_at, 'epoch'), coalesce(refreshed_at, 'epoch'), coalesce(last_error, ''),
	coalesce(enabled_at, 'epoch'), updated_at`

// zohoRefreshContext and zohoAccessContext bind a company's sealed tokens
// to it and to their kind, so a value copied to another row or column does
// not open.
func zohoRefreshContext(companyID int64) string {
	return "zoho-refresh:" + strconv.FormatInt(companyID, 10)
}

func zohoAccessContext(companyID int64) string {
	return "zoho-access:" + strconv.FormatInt(companyID, 10)
}

// scanZoho reads an integration row and opens its tokens.
func (s *Store) scanZoho(row pgx.Row, extra ...any) (ZohoIntegration, error) {
	var z ZohoIntegration
	var refresh, access []byte
	err := row.Scan(append([]any{&z.CompanyID, &z.Status, &z.ConsentEmail, &z.Location, &z.AccountsServer, &z.APIDomain,
		&refresh, &access, &z.AccessExpiresAt, &z.RefreshedAt, &z.LastError, &z.EnabledAt, &z.UpdatedAt}, extra...)...)
	if err != nil {
		return z, err
	}
	if z.RefreshToken, err = s.open(refresh, zohoRefreshContext(z.CompanyID)); err != nil {
		return z, fmt.Errorf("refresh token: %w", err)
	}
	if z.AccessToken, err = s.open(access, zohoAccessContext(z.CompanyID)); err != nil {
		return z, fmt.Errorf("access token: %w", err)
	}
	return z, nil
}

// ZohoIntegration returns a company's integration; a company that never
// enabled it gets a disabled one.
func (s *Store) ZohoIntegration(ctx context.Context, companyID int64) (ZohoIntegration, error) {
	z, err := s.scanZoho(s.pool.QueryRow(ctx, `SELECT `+zohoColumns+` FROM zoho_integrations WHERE company_id = $1`, companyID))
	if errors.Is(err, pgx.ErrNoRows) {
		return ZohoIntegration{CompanyID: companyID, Status: ZohoDisabled}, nil
	}
	if err != nil {
		return ZohoIntegration{}, fmt.Errorf("store: zoho integration of company %d: %w", companyID, err)
	}
	return z, nil
}

// ZohoIntegrationAt is ZohoIntegration with the company's version
// (company_versions, 0 for none yet) read in the same statement: the
// integration as of that version, which every change of it bumps.
func (s *Store) ZohoIntegrationAt(ctx context.Context, companyID int64) (ZohoIntegration, int64, error) {
	var version int64
	z, err := s.scanZoho(s.pool.QueryRow(ctx, `SELECT `+zohoColumns+`,
			coalesce((SELECT v.version FROM company_versions v WHERE v.company_id = $1), 0)
		FROM zoho_integrations WHERE company_id = $1`, companyID), &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return ZohoIntegration{CompanyID: companyID, Status: ZohoDisabled}, 0, nil
	}
	if err != nil {
		return ZohoIntegration{}, 0, fmt.Errorf("store: zoho integration of company %d: %w", companyID, err)
	}
	return z, version, nil
}

// SaveZohoIntegration writes every field of z (insert or update), its
// tokens sealed.
func (s *Store) SaveZohoIntegration(ctx context.Context, z ZohoIntegration) error {
	return s.saveZoho(ctx, s.pool, z)
}

func (s *Store) saveZoho(ctx context.Context, db interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, z ZohoIntegration) error {
	nullTime := func(t time.Time) any {
		if t.IsZero() || t.Unix() == 0 {
			return nil
		}
		return t
	}
	nullStr := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	sealToken := func(token, purpose string) ([]byte, error) {
		if token == "" {
			return nil, nil
		}
		return s.seal(token, purpose)
	}
	refresh, err := sealToken(z.RefreshToken, zohoRefreshContext(z.CompanyID))
	if err != nil {
		return fmt.Errorf("store: save zoho integration of company %d: refresh token: %w", z.CompanyID, err)
	}
	access, err := sealToken(z.AccessToken, zohoAccessContext(z.CompanyID))
	if err != nil {
		return fmt.Errorf("store: save zoho integration of company %d: access token: %w", z.CompanyID, err)
	}
	var id int64
	err = db.QueryRow(ctx, `
		INSERT INTO zoho_integrations (company_id, status, consent_email, location, accounts_server, api_domain,
			refresh_token, access_token, access_expires_at, refreshed_at, last_error, enabled_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (company_id) DO UPDATE SET status = $2, consent_email = $3, location = $4, accounts_server = $5,
			api_domain = $6, refresh_token = $7, access_token = $8, access_expires_at = $9, refreshed_at = $10,
			last_error = $11, enabled_at = $12, updated_at = $13
		RETURNING company_id`,
		z.CompanyID, z.Status, nullStr(z.ConsentEmail), nullStr(z.Location), nullStr(z.AccountsServer), nullStr(z.APIDomain),
		refresh, access, nullTime(z.AccessExpiresAt), nullTime(z.RefreshedAt), nullStr(z.LastError),
		nullTime(z.EnabledAt), s.now()).Scan(&id)
	if err != nil {
		return fmt.Errorf("store: save zoho integration of company %d: %w", z.CompanyID, err)
	}
	return nil
}

// LockZohoIntegration runs fn in a transaction holding the row lock of the
// company's integration (SELECT ... FOR UPDATE), so that at most one gateway
// instance at a time refreshes or changes it. fn gets the locked row and
// returns the row to write back, or ok=false to leave it unchanged.
func (s *Store) LockZohoIntegration(ctx context.Context, companyID int64,
	fn func(z ZohoIntegration) (updated ZohoIntegration, ok bool, err error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		z, err := s.scanZoho(tx.QueryRow(ctx, `SELECT `+zohoColumns+` FROM zoho_integrations WHERE company_id = $1 FOR UPDATE`, companyID))
		if err != nil {
			return fmt.Errorf("store: lock zoho integration of company %d: %w", companyID, notFound(err))
		}
		updated, ok, err := fn(z)
		if err != nil || !ok {
			return err
		}
		updated.CompanyID = companyID
		return s.saveZoho(ctx, tx, updated)
	})
}

// ForgetZohoIntegrations disables, without telling Zoho, every integration
// whose accounts server starts with prefix, and switches their links off. It
// is for `gateway dev`: a restarted in-memory simulator has forgotten them.
func (s *Store) ForgetZohoIntegrations(ctx context.Context, prefix string) (int, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE zoho_integrations SET status = 'disabled', refresh_token = NULL, access_token = NULL,
			access_expires_at = NULL, last_error = NULL, updated_at = now()
		WHERE status <> 'disabled' AND starts_with(accounts_server, $1)`, prefix)
	if err != nil {
		return 0, fmt.Errorf("store: forget zoho integrations: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
