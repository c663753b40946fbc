// Package seats keeps each company's stored Conecta seats in step with its
// Centrex: on demand (the portal's sync button, `gateway seats sync`),
// periodically (RunPeriodic), or from a CSV file for a Centrex without
// directory access (`gateway seats import`).
//
// A seat that leaves the Centrex is marked gone. If it was linked and
// switched on in Zoho, the service hands its link to Options.SwitchOff, which
// removes the Zoho registrations; the seats package itself knows nothing of
// Zoho.
package seats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ErrNoConnection means the company has no Centrex connection: the operator
// sets one with `gateway company set-centrex`, or imports a CSV file.
var ErrNoConnection = errors.New("seats: the company has no Centrex connection")

// ErrEmptyDirectory means the Centrex listed no seat for a company that has
// some. The sync is refused rather than marking every seat gone and
// switching every link off; a real emptying goes through an import.
var ErrEmptyDirectory = errors.New("seats: the Centrex directory listed no seats; nothing was changed")

// Store is what the service needs from the database; *store.Store has it.
type Store interface {
	CentrexConnection(ctx context.Context, box *secretbox.Box, companyID int64) (store.CentrexConnection, error)
	SyncSeats(ctx context.Context, companyID int64, seats []centrex.Seat, source string) (store.SyncResult, error)
	LastSeatSync(ctx context.Context, companyID int64) (store.SeatSync, error)
	CompaniesWithCentrex(ctx context.Context) ([]int64, error)
	TryCompanyLock(ctx context.Context, name string, companyID int64, fn func(ctx context.Context) error) (bool, error)
}

// Options configures a Service. Only Store and Box are required.
type Options struct {
	Store Store
	// Box opens the stored Xsi passwords (SECRET_KEY).
	Box *secretbox.Box
	// HTTPClient talks to the XSPs; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// Directory builds the directory reader of a connection; nil means the
	// BroadWorks Xsi client. Tests pass a fake.
	Directory func(conn centrex.Connection) centrex.Directory
	// SwitchOff removes the Zoho registrations of links whose seat has just
	// left the Centrex and disables them. Nil leaves them switched on and
	// logs a warning.
	SwitchOff func(ctx context.Context, companyID int64, links []store.Link) error
	// Logger receives one line per sync; nil discards.
	Logger *slog.Logger
}

// Service synchronises and imports seats. It is safe for concurrent use.
type Service struct {
	opts Options
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Directory == nil {
		client := opts.HTTPClient
		opts.Directory = func(conn centrex.Connection) centrex.Directory { return xsi.New(conn, client) }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}
}

// Sync reads the company's group directory (every page) through its Centrex
// connection and stores it: new seats are added, changed ones updated,
// missing ones marked gone, returning ones brought back. Errors wrap
// ErrNoConnection, ErrEmptyDirectory, a centrex error (centrex.ErrUnauthorized,
// centrex.ErrUnavailable, ...) or a store error.
func (s *Service) Sync(ctx context.Context, companyID int64) (store.SyncResult, error) {
	fail := func(err error) (store.SyncResult, error) {
		return store.SyncResult{}, fmt.Errorf("seats: sync company %d: %w", companyID, err)
	}
	conn, err := s.opts.Store.CentrexConnection(ctx, s.opts.Box, companyID)
	if errors.Is(err, store.ErrNotFound) {
		return fail(ErrNoConnection)
	} else if err != nil {
		return fail(err)
	}
	list, err := s.opts.Directory(conn.Connection).Seats(ctx)
	if err != nil {
		return fail(err)
	}
	if len(list) == 0 {
		last, err := s.opts.Store.LastSeatSync(ctx, companyID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fail(err)
		}
		if last.Present > 0 {
			return fail(ErrEmptyDirectory)
		}
	}
	return s.store(ctx, companyID, list, store.SourceDirectory)
}

// store saves a complete seat list and hands newly gone, switched-on links
// to SwitchOff.
func (s *Service) store(ctx context.Context, companyID int64, list []centrex.Seat, source string) (store.SyncResult, error) {
	res, err := s.opts.Store.SyncSeats(ctx, companyID, list, source)
	if err != nil {
		return store.SyncResult{}, err
	}
	s.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "seats synchronised",
		slog.Int64("company_id", companyID), slog.String("source", source), slog.Int("present", res.Present),
		slog.Int("added", res.Added), slog.Int("changed", res.Changed), slog.Int("returned", res.Returned),
		slog.Int("gone", res.Gone), slog.Int("switch_off", len(res.SwitchOff)))
	if len(res.SwitchOff) == 0 {
		return res, nil
	}
	if s.opts.SwitchOff == nil {
		s.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "gone seats stay switched on in Zoho: no switch-off configured",
			slog.Int64("company_id", companyID), slog.Int("links", len(res.SwitchOff)))
		return res, nil
	}
	if err := s.opts.SwitchOff(ctx, companyID, res.SwitchOff); err != nil {
		return res, fmt.Errorf("seats: switch off %d link(s) of gone seats of company %d: %w", len(res.SwitchOff), companyID, err)
	}
	return res, nil
}
