// Package seats keeps each company's stored Conecta seats in step with its
// Centrex: on demand (the portal's sync button, `gateway seats sync`),
// periodically (RunPeriodic), or from a CSV file for a Centrex without
// directory access (`gateway seats import`).
//
// A seat that leaves the Centrex is marked gone. Its link, if it was
// switched on, must be switched off in Zoho too; that is not a one-shot
// callback of the sync that saw the seat leave but a reconciliation of what
// the database says ("an enabled link whose seat is gone",
// store.GoneEnabledLinks): after every sync and import, wherever it ran, and
// on every periodic round, each such link goes to Options.SwitchOff, which
// removes its Zoho registrations and switches it off. A switch-off that
// fails (Zoho down, a command run where Zoho cannot be reached) is tried
// again the next time, until it converges. The seats package itself knows
// nothing of Zoho.
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
	"github.com/conecta-zoho/gateway/internal/store"
)

// ErrNoConnection means the company has no Centrex connection: the operator
// sets one with `gateway company set-centrex`, or imports a CSV file.
var ErrNoConnection = errors.New("seats: the company has no Centrex connection")

// ErrEmptyDirectory means the Centrex listed no seat for a company that has
// some. The sync is refused rather than marking every seat gone and
// switching every link off; a real emptying goes through an import.
var ErrEmptyDirectory = errors.New("seats: the Centrex directory listed no seats; nothing was changed")

// SwitchOffError means seats were stored but some links of gone seats are
// still switched on in Zoho: Links lists them, Err says why. They are tried
// again after the next sync and on every periodic round.
type SwitchOffError struct {
	CompanyID int64
	Links     []store.Link
	Err       error
}

func (e *SwitchOffError) Error() string {
	return fmt.Sprintf("seats: %d link(s) of gone seats of company %d are still registered in Zoho: %v",
		len(e.Links), e.CompanyID, e.Err)
}

func (e *SwitchOffError) Unwrap() error { return e.Err }

// Store is what the service needs from the database; *store.Store has it.
type Store interface {
	CentrexConnection(ctx context.Context, companyID int64) (store.CentrexConnection, error)
	SyncSeats(ctx context.Context, companyID int64, seats []centrex.Seat, source store.SeatSource) (store.SyncResult, error)
	LastSeatSync(ctx context.Context, companyID int64) (store.SeatSync, error)
	CompaniesWithCentrex(ctx context.Context) ([]int64, error)
	GoneEnabledLinks(ctx context.Context, companyID int64) ([]store.Link, error)
	CompaniesWithGoneEnabledLinks(ctx context.Context) ([]int64, error)
	WithLease(ctx context.Context, name string, companyID int64, owner string, ttl time.Duration, fn func(ctx context.Context) error) (bool, error)
}

// Options configures a Service. Only Store is required.
type Options struct {
	Store Store
	// HTTPClient talks to the XSPs; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// Directory builds the directory reader of a connection; nil means the
	// BroadWorks Xsi client. Tests pass a fake.
	Directory func(conn centrex.Connection) centrex.Directory
	// SwitchOff removes the Zoho registrations of the given links of gone
	// seats and switches them off (integration.Service.SwitchOffGone). Nil
	// leaves them switched on, and every sync then reports them in a
	// *SwitchOffError.
	SwitchOff func(ctx context.Context, companyID int64, links []store.Link) error
	// Interval is how often each company's seats are read from its Centrex
	// by RunPeriodic [1h] (SEAT_SYNC_INTERVAL).
	Interval time.Duration
	// Instance names this gateway instance on the leases it holds
	// [store.InstanceID()].
	Instance string
	// Now is the service's clock [time.Now].
	Now func() time.Time
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
	if opts.Interval <= 0 {
		opts.Interval = time.Hour
	}
	if opts.Instance == "" {
		opts.Instance = store.InstanceID()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}
}

// Result is what a sync or an import did: the store's counts, and the
// links of gone seats switched off by the reconciliation that followed.
type Result struct {
	store.SyncResult
	SwitchedOff []store.Link
}

// Sync reads the company's group directory (every page) through its Centrex
// connection, with no transaction open, and then stores it in one short
// one: new seats are added, changed ones updated, missing ones marked gone,
// returning ones brought back. Then the company's gone seats are
// reconciled (see the package comment). Errors wrap ErrNoConnection,
// ErrEmptyDirectory, a centrex error (centrex.ErrUnauthorized,
// centrex.ErrUnavailable, ...) or a store error; a *SwitchOffError comes
// with the stored result.
func (s *Service) Sync(ctx context.Context, companyID int64) (Result, error) {
	fail := func(err error) (Result, error) {
		return Result{}, fmt.Errorf("seats: sync company %d: %w", companyID, err)
	}
	conn, err := s.opts.Store.CentrexConnection(ctx, companyID)
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
	res, err := s.store(ctx, companyID, list, store.SourceDirectory)
	if err != nil {
		return fail(err)
	}
	return s.reconciled(ctx, companyID, res)
}

// store saves a complete seat list.
func (s *Service) store(ctx context.Context, companyID int64, list []centrex.Seat, source store.SeatSource) (store.SyncResult, error) {
	res, err := s.opts.Store.SyncSeats(ctx, companyID, list, source)
	if err != nil {
		return store.SyncResult{}, err
	}
	s.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "seats synchronised",
		slog.Int64("company_id", companyID), slog.String("source", string(source)), slog.Int("present", res.Present),
		slog.Int("added", res.Added), slog.Int("changed", res.Changed), slog.Int("returned", res.Returned),
		slog.Int("gone", res.Gone))
	return res, nil
}

// reconciled is res with the reconciliation of the company's gone seats.
func (s *Service) reconciled(ctx context.Context, companyID int64, res store.SyncResult) (Result, error) {
	off, err := s.Reconcile(ctx, companyID)
	return Result{SyncResult: res, SwitchedOff: off}, err
}

// Reconcile switches off every link of the company whose seat is gone but
// which is still switched on, and returns those it switched off. Links that
// stay on come back in a *SwitchOffError.
func (s *Service) Reconcile(ctx context.Context, companyID int64) ([]store.Link, error) {
	links, err := s.opts.Store.GoneEnabledLinks(ctx, companyID)
	if err != nil || len(links) == 0 {
		return nil, err
	}
	if s.opts.SwitchOff == nil {
		return nil, &SwitchOffError{CompanyID: companyID, Links: links, Err: errors.New("no switch-off configured")}
	}
	swErr := s.opts.SwitchOff(ctx, companyID, links)
	left, err := s.opts.Store.GoneEnabledLinks(ctx, companyID)
	if err != nil {
		return nil, errors.Join(swErr, err)
	}
	stillOn := map[int64]bool{}
	for _, l := range left {
		stillOn[l.ID] = true
	}
	var off []store.Link
	for _, l := range links {
		if !stillOn[l.ID] {
			off = append(off, l)
		}
	}
	s.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "links of gone seats switched off",
		slog.Int64("company_id", companyID), slog.Int("switched_off", len(off)), slog.Int("still_on", len(left)))
	if len(left) > 0 {
		if swErr == nil {
			swErr = errors.New("the switch-off left them on")
		}
		return off, &SwitchOffError{CompanyID: companyID, Links: left, Err: swErr}
	}
	return off, nil
}
