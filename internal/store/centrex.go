package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// How a company's call events arrive (centrex_connections.events).
const (
	// EventsHTTP: the XSP posts them to the gateway's HTTP contact.
	EventsHTTP = "http"
	// EventsChannel: the gateway holds a streaming event channel open to
	// the XSP and reads them from it.
	EventsChannel = "channel"
)

// CentrexConnection is a company's stored Centrex credential: the
// centrex.Connection the Xsi client uses (password opened), how its call
// events arrive (EventsHTTP or EventsChannel), plus when the operator last
// changed it.
type CentrexConnection struct {
	CompanyID int64
	centrex.Connection
	Events    string
	UpdatedAt time.Time
}

// centrexPasswordContext binds a sealed Xsi password to its company, so a
// value copied to another company's row does not open.
func centrexPasswordContext(companyID int64) string {
	return "centrex-password:" + strconv.FormatInt(companyID, 10)
}

// SetCentrexConnection creates or replaces a company's Centrex connection,
// keeping its events mode (EventsHTTP for a new one). The password is
// sealed before it reaches the database; it never appears in errors.
func (s *Store) SetCentrexConnection(ctx context.Context, companyID int64, conn centrex.Connection) error {
	sealed, err := s.seal(conn.Password, centrexPasswordContext(companyID))
	if err != nil {
		return fmt.Errorf("store: set centrex connection of company %d: %w", companyID, err)
	}
	_, err = s.pool.Exec(ctx, `
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
	s.FenceCaches(ctx)
	return nil
}

// CentrexConnection returns a company's connection with its password
// opened. It fails with ErrNotFound when the company has none, with
// secretbox.ErrOpen when the password does not open (SECRET_KEY changed),
// and with ErrNoSecretKey without a box.
func (s *Store) CentrexConnection(ctx context.Context, companyID int64) (CentrexConnection, error) {
	var c CentrexConnection
	var sealed []byte
	err := s.pool.QueryRow(ctx, `
		SELECT company_id, base_url, user_id, password_sealed, group_id, enterprise_id,
			is_enterprise, directory_user_id, events, updated_at
		FROM centrex_connections WHERE company_id = $1`, companyID).
		Scan(&c.CompanyID, &c.BaseURL, &c.UserID, &sealed, &c.GroupID, &c.EnterpriseID,
			&c.IsEnterprise, &c.DirectoryUserID, &c.Events, &c.UpdatedAt)
	if err != nil {
		return CentrexConnection{}, fmt.Errorf("store: centrex connection of company %d: %w", companyID, notFound(err))
	}
	c.Password, err = s.open(sealed, centrexPasswordContext(companyID))
	if err != nil {
		return CentrexConnection{}, fmt.Errorf("store: centrex connection of company %d: password: %w", companyID, err)
	}
	return c, nil
}

// SetCentrexEvents sets how a company's call events arrive: EventsHTTP or
// EventsChannel. It fails with ErrNotFound when the company has no Centrex
// connection.
func (s *Store) SetCentrexEvents(ctx context.Context, companyID int64, events string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE centrex_connections SET events = $2, updated_at = $3 WHERE company_id = $1`,
		companyID, events, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set events of company %d: %w", companyID, err)
	}
	return nil
}

// CompaniesWithCentrex returns the ids of every company that has a Centrex
// connection and is not switched off, in id order: the companies the
// periodic seat sync visits.
func (s *Store) CompaniesWithCentrex(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT cc.company_id FROM centrex_connections cc
		JOIN companies c ON c.id = cc.company_id WHERE c.switched_off_at IS NULL ORDER BY cc.company_id`)
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
	s.FenceCaches(ctx)
	return nil
}
