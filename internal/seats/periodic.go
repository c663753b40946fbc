package seats

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

// syncLock names the per-company advisory lock held while a periodic sync
// of that company runs.
const syncLock = "seats.sync"

// companyTimeout bounds one company's periodic sync (directory paging over
// a slow XSP included).
const companyTimeout = 2 * time.Minute

// RunPeriodic synchronises the seats of every company that has a Centrex
// connection, once at start and then every interval, until ctx ends; it
// returns nothing and logs every failure (one company failing does not stop
// the others).
//
// It is safe to run in every instance of the gateway at once. Each company
// is synced under a PostgreSQL advisory lock taken with
// pg_try_advisory_xact_lock: while one instance syncs a company, the others
// skip it instead of waiting. A company synced less than half an interval
// ago (by any instance, or by hand) is skipped too, so N instances do not
// make N syncs per interval. Companies whose seats were last imported from
// a file are left alone: their Centrex has no usable directory.
//
// Wire it as a goroutine next to the HTTP server with the server's context,
// for example every 15 minutes.
func (s *Service) RunPeriodic(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		s.SyncAll(ctx, interval/2)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// SyncAll is one round of RunPeriodic: it syncs every company with a
// Centrex connection that nobody synced within fresh and that no other
// instance is syncing, and reports how many it synced.
func (s *Service) SyncAll(ctx context.Context, fresh time.Duration) (synced int) {
	ids, err := s.opts.Store.CompaniesWithCentrex(ctx)
	if err != nil && ctx.Err() != nil {
		return 0 // shutting down: not a failure
	}
	if err != nil {
		s.opts.Logger.LogAttrs(ctx, slog.LevelError, "periodic seat sync: list companies", slog.String("error", err.Error()))
		return 0
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return synced
		}
		ran := false
		_, err := s.opts.Store.TryCompanyLock(ctx, syncLock, id, func(ctx context.Context) error {
			last, err := s.opts.Store.LastSeatSync(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			case last.Source == store.SourceImport, time.Since(last.SyncedAt) < fresh:
				return nil
			}
			ctx, cancel := context.WithTimeout(ctx, companyTimeout)
			defer cancel()
			ran = true
			_, err = s.Sync(ctx, id)
			return err
		})
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.LogAttrs(ctx, slog.LevelError, "periodic seat sync failed",
				slog.Int64("company_id", id), slog.String("error", err.Error()))
		}
		if ran && err == nil {
			synced++
		}
	}
	return synced
}
