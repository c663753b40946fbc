package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Admin is a company's single portal administrator.
type Admin struct {
	ID           int64
	CompanyID    int64
	Email        string
	PasswordHash string
	// SessionEpoch changes on every password reset; a session remembers the
	// epoch it was started under and dies when it no longer matches.
	SessionEpoch int
	CreatedAt    time.Time
}

const adminColumns = `id, company_id, email, password_hash, session_epoch, created_at`

func scanAdmin(row pgx.Row) (Admin, error) {
	var a Admin
	err := row.Scan(&a.ID, &a.CompanyID, &a.Email, &a.PasswordHash, &a.SessionEpoch, &a.CreatedAt)
	return a, notFound(err)
}

// NormalizeEmail lower-cases and trims an e-mail, the form it is stored in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func insertAdmin(ctx context.Context, tx pgx.Tx, companyID int64, email, passwordHash string) (Admin, error) {
	a, err := scanAdmin(tx.QueryRow(ctx,
		`INSERT INTO admins (company_id, email, password_hash) VALUES ($1, $2, $3) RETURNING `+adminColumns,
		companyID, NormalizeEmail(email), passwordHash))
	switch {
	case isUniqueViolation(err, "admins_one_per_company"):
		return Admin{}, ErrCompanyHasAdmin
	case isUniqueViolation(err, "admins_email_key"):
		return Admin{}, ErrAdminEmailTaken
	}
	return a, err
}

// AddAdmin gives a company its administrator. It fails with
// ErrCompanyHasAdmin when the company already has one: the database allows
// a single administrator per company.
func (s *Store) AddAdmin(ctx context.Context, companyID int64, email, passwordHash string) (Admin, error) {
	var a Admin
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		a, err = insertAdmin(ctx, tx, companyID, email, passwordHash)
		return err
	})
	if err != nil {
		return Admin{}, fmt.Errorf("store: add admin to company %d: %w", companyID, err)
	}
	return a, nil
}

// AdminByEmail finds an administrator by e-mail (case-insensitive).
func (s *Store) AdminByEmail(ctx context.Context, email string) (Admin, error) {
	a, err := scanAdmin(s.pool.QueryRow(ctx, `SELECT `+adminColumns+` FROM admins WHERE email = $1`, NormalizeEmail(email)))
	if err != nil {
		return Admin{}, fmt.Errorf("store: admin by e-mail: %w", err)
	}
	return a, nil
}

// SetAdminPassword replaces an administrator's password hash and moves the
// session epoch on, which ends every session the administrator had.
func (s *Store) SetAdminPassword(ctx context.Context, email, passwordHash string) (Admin, error) {
	a, err := scanAdmin(s.pool.QueryRow(ctx,
		`UPDATE admins SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = now()
		 WHERE email = $1 RETURNING `+adminColumns, NormalizeEmail(email), passwordHash))
	if err != nil {
		return Admin{}, fmt.Errorf("store: set password: %w", err)
	}
	return a, nil
}

// AdminWithCompany returns an administrator and the company, in one query:
// what every signed-in request needs.
func (s *Store) AdminWithCompany(ctx context.Context, adminID int64) (Admin, Company, error) {
	var a Admin
	var c Company
	err := s.pool.QueryRow(ctx, `SELECT a.id, a.company_id, a.email, a.password_hash, a.session_epoch, a.created_at,
			c.id, c.name, c.created_at, c.time_zone
		FROM admins a JOIN companies c ON c.id = a.company_id WHERE a.id = $1`, adminID).
		Scan(&a.ID, &a.CompanyID, &a.Email, &a.PasswordHash, &a.SessionEpoch, &a.CreatedAt, &c.ID, &c.Name, &c.CreatedAt, &c.TimeZone)
	if err != nil {
		return Admin{}, Company{}, fmt.Errorf("store: admin %d: %w", adminID, notFound(err))
	}
	return a, c, nil
}
