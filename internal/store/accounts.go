package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Account is a company as the carrier provisions it: the company, the
// ordering system's id for it, its administrator's e-mail ("" while it has
// none) and whether it is switched off. A switched-off company keeps its
// data until DeleteAfter, when the janitor deletes it (DeleteSwitchedOff).
type Account struct {
	Company
	ExternalID    string
	AdminEmail    string
	SwitchedOffAt time.Time
	DeleteAfter   time.Time
}

// Off reports whether the company is switched off.
func (a Account) Off() bool { return !a.SwitchedOffAt.IsZero() }

// ErrSwitchedOff means the company is switched off: nothing but switching
// it on again (or reading it) is done for it.
var ErrSwitchedOff = errors.New("store: the company is switched off")

// ErrExternalIDTaken means a company with that external id exists and
// differs from the one asked for (another name or administrator).
var ErrExternalIDTaken = fmt.Errorf("%w: a different company has that external id", ErrConflict)

// ErrIdempotencyMismatch means an Idempotency-Key was used before with a
// different request.
var ErrIdempotencyMismatch = fmt.Errorf("%w: the idempotency key was used for a different request", ErrConflict)

const accountColumns = `c.id, c.name, c.created_at, coalesce(c.external_id, ''), coalesce(a.email, ''),
	coalesce(c.switched_off_at, 'epoch'), coalesce(c.delete_after, 'epoch')`

const accountFrom = ` FROM companies c LEFT JOIN admins a ON a.company_id = c.id `

func scanAccount(row pgx.Row) (Account, error) {
	var a Account
	err := row.Scan(&a.ID, &a.Name, &a.CreatedAt, &a.ExternalID, &a.AdminEmail, &a.SwitchedOffAt, &a.DeleteAfter)
	for _, t := range []*time.Time{&a.SwitchedOffAt, &a.DeleteAfter} {
		if t.Equal(time.Unix(0, 0)) {
			*t = time.Time{}
		}
	}
	return a, notFound(err)
}

// NewAccount is a company to create: its name, its administrator (e-mail and
// password hash), optionally the ordering system's id for it and the
// Idempotency-Key it was asked with.
type NewAccount struct {
	Name         string
	AdminEmail   string
	PasswordHash string
	ExternalID   string
	// Idempotency, when Key is set, makes the creation once per API key and
	// key: Fingerprint identifies the request body.
	Idempotency struct {
		APIKeyID    int64
		Key         string
		Fingerprint []byte
	}
}

// accountLockClass is the first key of the two-key advisory locks that
// serialise the creations of one external id.
const accountLockClass = 0x414343 // "ACC"

// CreateAccount creates a company and its administrator, once: a request
// whose Idempotency-Key (per API key) or ExternalID was seen before returns
// the company created then, with created false, whether the earlier
// request finished long ago or is still running on another instance (its
// row lock makes this one wait for it). A replayed key with a different
// request fails with ErrIdempotencyMismatch; an external id of a company
// with another name or administrator with ErrExternalIDTaken; a name
// already taken with ErrCompanyExists.
func (s *Store) CreateAccount(ctx context.Context, n NewAccount) (acct Account, created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		idem := n.Idempotency
		if idem.Key != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO api_idempotency (api_key_id, key, fingerprint, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, idem.APIKeyID, idem.Key, idem.Fingerprint, s.now())
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				var fp []byte
				var id *int64
				if err := tx.QueryRow(ctx, `SELECT fingerprint, company_id FROM api_idempotency
					WHERE api_key_id = $1 AND key = $2`, idem.APIKeyID, idem.Key).Scan(&fp, &id); err != nil {
					return err
				}
				if !bytes.Equal(fp, idem.Fingerprint) {
					return ErrIdempotencyMismatch
				}
				if id == nil { // the company it created was deleted since
					return ErrNotFound
				}
				acct, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE c.id = $1`, *id))
				return err
			}
		}
		var ext *string
		if n.ExternalID != "" {
			ext = &n.ExternalID
			// Creations with one external id take turns: the first makes
			// the company, the others find it. Without the turn, one that
			// came while the first was being made could meet the company's
			// name first, and be refused as a name already taken.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, accountLockClass, n.ExternalID); err != nil {
				return err
			}
		}
		var c Company
		err := tx.QueryRow(ctx, `INSERT INTO companies (name, external_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (external_id) DO NOTHING RETURNING id, name, created_at`,
			strings.TrimSpace(n.Name), ext, s.now()).Scan(&c.ID, &c.Name, &c.CreatedAt)
		switch {
		case isUniqueViolation(err, "companies_name_key"):
			return ErrCompanyExists
		case errors.Is(err, pgx.ErrNoRows): // that external id exists (and is committed)
			acct, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE c.external_id = $1`, n.ExternalID))
			if err != nil {
				return err
			}
			if !strings.EqualFold(acct.Name, strings.TrimSpace(n.Name)) || acct.AdminEmail != NormalizeEmail(n.AdminEmail) {
				return ErrExternalIDTaken
			}
		case err != nil:
			return err
		default:
			a, err := insertAdmin(ctx, tx, c.ID, n.AdminEmail, n.PasswordHash)
			if err != nil {
				return err
			}
			acct, created = Account{Company: c, ExternalID: n.ExternalID, AdminEmail: a.Email}, true
		}
		if idem.Key != "" {
			_, err := tx.Exec(ctx, `UPDATE api_idempotency SET company_id = $3 WHERE api_key_id = $1 AND key = $2`,
				idem.APIKeyID, idem.Key, acct.ID)
			return err
		}
		return nil
	})
	if err != nil {
		return Account{}, false, fmt.Errorf("store: create company %q: %w", n.Name, err)
	}
	return acct, created, nil
}

// AccountByID returns a company as the carrier sees it.
func (s *Store) AccountByID(ctx context.Context, companyID int64) (Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE c.id = $1`, companyID))
	if err != nil {
		return Account{}, fmt.Errorf("store: company %d: %w", companyID, err)
	}
	return a, nil
}

// Accounts returns up to limit companies with an id above after, in id
// order (keyset paging), and whether more follow.
func (s *Store) Accounts(ctx context.Context, after int64, limit int) ([]Account, bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountColumns+accountFrom+`WHERE c.id > $1 ORDER BY c.id LIMIT $2`, after, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("store: companies: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Account, error) { return scanAccount(row) })
	if err != nil {
		return nil, false, fmt.Errorf("store: companies: %w", err)
	}
	more := len(out) > limit
	return out[:min(len(out), limit)], more, nil
}

// SwitchOffCompany switches a company off, to be deleted once retention has
// passed, and ends its administrator's sessions. Switching off a company
// that is off already keeps its first dates.
func (s *Store) SwitchOffCompany(ctx context.Context, companyID int64, retention time.Duration) (Account, error) {
	now := s.now()
	var acct Account
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE companies SET switched_off_at = coalesce(switched_off_at, $2),
			delete_after = coalesce(delete_after, $3) WHERE id = $1`, companyID, now, now.Add(retention))
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE admins SET session_epoch = session_epoch + 1, updated_at = $2
			WHERE company_id = $1`, companyID, now); err != nil {
			return err
		}
		acct, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE c.id = $1`, companyID))
		return err
	})
	if err != nil {
		return Account{}, fmt.Errorf("store: switch off company %d: %w", companyID, err)
	}
	return acct, nil
}

// SwitchOnCompany switches a company on again; its deletion is called off.
func (s *Store) SwitchOnCompany(ctx context.Context, companyID int64) (Account, error) {
	acct, err := scanAccount(s.pool.QueryRow(ctx, `WITH c AS (
			UPDATE companies SET switched_off_at = NULL, delete_after = NULL WHERE id = $1 RETURNING *)
		SELECT `+accountColumns+` FROM c LEFT JOIN admins a ON a.company_id = c.id`, companyID))
	if err != nil {
		return Account{}, fmt.Errorf("store: switch on company %d: %w", companyID, err)
	}
	return acct, nil
}

// DeleteSwitchedOff deletes, with all their data, the companies switched
// off whose retention ended before now, and returns them.
func (s *Store) DeleteSwitchedOff(ctx context.Context, now time.Time) ([]Account, error) {
	rows, err := s.pool.Query(ctx, `WITH c AS (
			DELETE FROM companies WHERE delete_after < $1 RETURNING *)
		SELECT c.id, c.name, c.created_at, coalesce(c.external_id, ''), '',
			coalesce(c.switched_off_at, 'epoch'), coalesce(c.delete_after, 'epoch') FROM c`, now)
	if err != nil {
		return nil, fmt.Errorf("store: delete switched-off companies: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Account, error) { return scanAccount(row) })
	if err != nil {
		return nil, fmt.Errorf("store: delete switched-off companies: %w", err)
	}
	if len(out) > 0 {
		s.FenceCaches(ctx)
	}
	return out, nil
}

// AdminOfCompany returns the company's administrator (ErrNotFound: none).
func (s *Store) AdminOfCompany(ctx context.Context, companyID int64) (Admin, error) {
	a, err := scanAdmin(s.pool.QueryRow(ctx, `SELECT `+adminColumns+` FROM admins WHERE company_id = $1`, companyID))
	if err != nil {
		return Admin{}, fmt.Errorf("store: administrator of company %d: %w", companyID, err)
	}
	return a, nil
}

// SetCompanyAdminPassword replaces the password of the company's
// administrator and ends their sessions (ErrNotFound: the company has
// none).
func (s *Store) SetCompanyAdminPassword(ctx context.Context, companyID int64, passwordHash string) (Admin, error) {
	a, err := scanAdmin(s.pool.QueryRow(ctx,
		`UPDATE admins SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3
		 WHERE company_id = $1 RETURNING `+adminColumns, companyID, passwordHash, s.now()))
	if err != nil {
		return Admin{}, fmt.Errorf("store: set password of the administrator of company %d: %w", companyID, err)
	}
	return a, nil
}
