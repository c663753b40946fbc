package seats

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

// LeaseName names the per-company lease held while this service syncs or
// reconciles a company's seats in the background.
const LeaseName = "seats"

// companyTimeout bounds one company's periodic sync (directory paging over
// a slow XSP included) and reconciliation.
const companyTimeout = 2 * time.Minute

// leaseTTL outlives companyTimeout, so that a lease never runs out under a
// company's work; a dead instance's lease frees the company after it.
const leaseTTL = companyTimeout + 30*time.Second

// RunPeriodic runs a round (SyncAll, then ReconcileAll) at start and then
// every quarter of Options.Interval, until ctx ends; then it returns nil.
// Failures are logged, one company's not stopping the others.
//
// Each company's seats are read from its Centrex about once per Interval
// whatever the number of gateway instances: a round syncs only the
// companies last synced (by any instance, or by hand) at least Interval ago,
// each under the company's lease, which makes the other instances skip it
// meanwhile. So a company is synced Interval to 1¼ Interval after its last
// sync, and a sync that failed is tried again a quarter of an Interval
// later. Companies whose seats were last imported from a file are not
// synced: their Centrex has no usable directory. Every round also
// reconciles the gone seats of every company, so a switch-off that failed
// converges within a quarter of an Interval of Zoho answering again.
func (s *Service) RunPeriodic(ctx context.Context) error {
	ticker := time.NewTicker(s.opts.Interval / 4)
	defer ticker.Stop()
	for {
		s.SyncAll(ctx, s.opts.Interval)
		s.ReconcileAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// SyncAll syncs every company with a Centrex connection whose seats were
// last synced at least olderThan ago (or never) and whose lease no other
// instance holds, and reports how many it synced.
func (s *Service) SyncAll(ctx context.Context, olderThan time.Duration) (synced int) {
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
		_, err := s.opts.Store.WithLease(ctx, LeaseName, id, s.opts.Instance, leaseTTL, func(ctx context.Context) error {
			last, err := s.opts.Store.LastSeatSync(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			case last.Source == store.SourceImport, s.opts.Now().Sub(last.SyncedAt) < olderThan:
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

// ReconcileAll reconciles the gone seats of every company that has links
// to switch off, each under the company's lease, and reports how many links
// it switched off.
func (s *Service) ReconcileAll(ctx context.Context) (switchedOff int) {
	ids, err := s.opts.Store.CompaniesWithGoneEnabledLinks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.opts.Logger.LogAttrs(ctx, slog.LevelError, "reconcile gone seats: list companies", slog.String("error", err.Error()))
		}
		return 0
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return switchedOff
		}
		_, err := s.opts.Store.WithLease(ctx, LeaseName, id, s.opts.Instance, leaseTTL, func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, companyTimeout)
			defer cancel()
			off, err := s.Reconcile(ctx, id)
			switchedOff += len(off)
			return err
		})
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "reconcile gone seats failed; tried again next round",
				slog.Int64("company_id", id), slog.String("error", err.Error()))
		}
	}
	return switchedOff
}
