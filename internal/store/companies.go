package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Company is a customer of the Centrex whose administrator uses the portal.
type Company struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	// TimeZone is the IANA zone the administrator reads times in
	// (default Europe/Madrid).
	TimeZone string
}

// ErrCompanyExists means another company already has that name.
var ErrCompanyExists = fmt.Errorf("%w: a company with that name already exists", ErrConflict)

// ErrAdminEmailTaken means another administrator already uses that e-mail.
var ErrAdminEmailTaken = fmt.Errorf("%w: that e-mail already belongs to an administrator", ErrConflict)

// ErrCompanyHasAdmin means the company already has its one administrator.
var ErrCompanyHasAdmin = fmt.Errorf("%w: the company already has an administrator", ErrConflict)

// CreateCompany creates a company and its single administrator in one
// transaction. The e-mail is stored lower-cased.
func (s *Store) CreateCompany(ctx context.Context, name, adminEmail, passwordHash string) (Company, Admin, error) {
	var c Company
	var a Admin
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx,
			`INSERT INTO companies (name) VALUES ($1) RETURNING id, name, created_at, time_zone`,
			strings.TrimSpace(name)).Scan(&c.ID, &c.Name, &c.CreatedAt, &c.TimeZone)
		if isUniqueViolation(err, "companies_name_key") {
			return ErrCompanyExists
		}
		if err != nil {
			return err
		}
		a, err = insertAdmin(ctx, tx, c.ID, adminEmail, passwordHash)
		return err
	})
	if err != nil {
		return Company{}, Admin{}, fmt.Errorf("store: create company %q: %w", name, err)
	}
	return c, a, nil
}

// CompanyByName returns the company with that name (case-insensitive).
func (s *Store) CompanyByName(ctx context.Context, name string) (Company, error) {
	var c Company
	err := s.pool.QueryRow(ctx, `SELECT id, name, created_at, time_zone FROM companies WHERE lower(name) = lower($1)`,
		strings.TrimSpace(name)).Scan(&c.ID, &c.Name, &c.CreatedAt, &c.TimeZone)
	if err != nil {
		return Company{}, fmt.Errorf("store: company %q: %w", name, notFound(err))
	}
	return c, nil
}

// SetCompanyTimeZone sets the zone the company's administrator reads times
// in; the caller checks that zone names a known IANA zone.
func (s *Store) SetCompanyTimeZone(ctx context.Context, companyID int64, zone string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE companies SET time_zone = $2 WHERE id = $1`, companyID, zone)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set time zone of company %d: %w", companyID, err)
	}
	return nil
}
