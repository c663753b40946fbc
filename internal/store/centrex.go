package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/secretbox"
)

// CentrexConnection is a company's stored Centrex credential: the
// centrex.Connection the Xsi client uses (password opened), plus when the
// operator last changed it.
type CentrexConnection struct {
	CompanyID int64
	centrex.Connection
	UpdatedAt time.Time
}

// centrexPasswordContext binds a sealed Xsi password to its company, so a
// value copied to another company's row does not open.
func centrexPasswordContext(companyID int64) string {
	return "centrex-password:" + strconv.FormatInt(companyID, 10)
}

// SetCentrexConnection creates or replaces a company's Centrex connection.
// The password is sealed with box before it reaches the database; it never
// appears in errors.
func (s *Store) SetCentrexConnection(ctx context.Context, box *secretbox.Box, companyID int64, conn centrex.Connection) error {
	if box == nil {
		return fmt.Errorf("store: set centrex connection of company %d: no secret box", companyID)
	}
	sealed := box.SealString(conn.Password, centrexPasswordContext(companyID))
	_, err := s.pool.Exec(ctx, `
		INSERT INTO centrex_connections (company_id, base_url, user_id, password_sealed, group_id,
			enterprise_id, is_enterprise, directory_user_id, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (company_id) DO UPDATE SET
			base_url = excluded.base_url, user_id = excluded.user_id,
			password_sealed = excluded.password_sealed, group_id = excluded.group_id,
			enterprise_id = excluded.enterprise_id, is_enterprise = excluded.is_enterprise,
			directory_user_id = excluded.directory_user_id, updated_at = excluded.updated_at`,
		companyID, conn.BaseURL, conn.UserID, sealed, conn.GroupID,
		conn.EnterpriseID, conn.IsEnterprise, conn.DirectoryUserID, s.now())
	if err != nil {
		return fmt.Errorf("store: set centrex connection of company %d: %w", companyID, err)
	}
	return nil
}

// CentrexConnection returns a company's connection with its password opened
// by box. It fails with ErrNotFound when the company has none, and with
// secretbox.ErrOpen when the password does not open (SECRET_KEY changed).
func (s *Store) CentrexConnection(ctx context.Context, box *secretbox.Box, companyID int64) (CentrexConnection, error) {
	if box == nil {
		return CentrexConnection{}, fmt.Errorf("store: centrex connection of company %d: no secret box", companyID)
	}
	var c CentrexConnection
	var sealed []byte
	err := s.pool.QueryRow(ctx, `
		SELECT company_id, base_url, user_id, password_sealed, group_id, enterprise_id,
			is_enterprise, directory_user_id, updated_at
		FROM centrex_connections WHERE company_id = $1`, companyID).
		Scan(&c.CompanyID, &c.BaseURL, &c.UserID, &sealed, &c.GroupID, &c.EnterpriseID,
			&c.IsEnterprise, &c.DirectoryUserID, &c.UpdatedAt)
	if err != nil {
		return CentrexConnection{}, fmt.Errorf("store: centrex connection of company %d: %w", companyID, notFound(err))
	}
	c.Password, err = box.OpenString(sealed, centrexPasswordContext(companyID))
	if err != nil {
		return CentrexConnection{}, fmt.Errorf("store: centrex connection of company %d: password: %w", companyID, err)
	}
	return c, nil
}

// CompaniesWithCentrex returns the ids of every company that has a Centrex
// connection, in id order: the companies the periodic seat sync visits.
func (s *Store) CompaniesWithCentrex(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT company_id FROM centrex_connections ORDER BY company_id`)
	if err != nil {
		return nil, fmt.Errorf("store: companies with centrex: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: companies with centrex: %w", err)
	}
	return ids, nil
}

// DeleteCentrexConnection removes a company's connection; its seats stay.
// It fails with ErrNotFound when there was none.
func (s *Store) DeleteCentrexConnection(ctx context.Context, companyID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM centrex_connections WHERE company_id = $1`, companyID)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: delete centrex connection of company %d: %w", companyID, err)
	}
	return nil
}

// TryCompanyLock runs fn while holding a transaction-scoped PostgreSQL
// advisory lock named by (name, companyID), taken with
// pg_try_advisory_xact_lock. When another session (another instance) holds
// it, fn does not run and ok is false; otherwise fn's error is returned as
// is. fn does its own database work through the store; the lock lives on a
// separate connection until fn returns.
func (s *Store) TryCompanyLock(ctx context.Context, name string, companyID int64, fn func(ctx context.Context) error) (ok bool, err error) {
	var fnErr error
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, advisoryKey(name, companyID)).Scan(&ok); err != nil {
			return err
		}
		if ok {
			fnErr = fn(ctx)
		}
		return nil
	})
	if err != nil {
		return ok, fmt.Errorf("store: %s lock of company %d: %w", name, companyID, err)
	}
	return ok, fnErr
}

// advisoryKey hashes (name, companyID) to the bigint key of an advisory
// lock (64-bit FNV-1a).
func advisoryKey(name string, companyID int64) int64 {
	h := uint64(14695981039346656037)
	for _, b := range []byte(name + ":" + strconv.FormatInt(companyID, 10)) {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return int64(h)
}
