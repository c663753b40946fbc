package calls

import (
	"context"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// RunSweeper runs Sweep every SweepEvery until ctx ends, and then returns
// nil: a sweep that fails is logged and tried again at the next period.
func (s *Service) RunSweeper(ctx context.Context) error {
	t := time.NewTicker(s.o.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("calls: sweep", "error", err)
		} else if n > 0 {
			s.log.Info("calls: sweeper closed calls", "calls", n)
		}
	}
}

// seatKey names one seat of one company.
type seatKey struct {
	company int64
	seat    string
}

// Sweep resynchronises open calls without events for StaleAfter with the
// Centrex: a call the seat's call list still has is brought up to date from
// it (its snapshot is applied); a call it no longer has is closed with
// callflow.Close, which queues its terminal notification, so no pop-up stays
// open in Zoho. Calls of a Centrex that cannot be reached are left for the
// next sweep. It returns how many calls it closed. Running it on several
// instances at once is harmless: each call is changed under its row lock.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	stale, err := s.o.Store.StaleOpenCalls(ctx, s.o.Now().Add(-s.o.StaleAfter), 500)
	if err != nil {
		return 0, err
	}
	lists := map[seatKey][]centrex.Call{}
	failed := map[int64]bool{}
	closed := 0
	for _, sc := range stale {
		if failed[sc.CompanyID] {
			continue
		}
		k := seatKey{sc.CompanyID, sc.SeatUserID}
		list, ok := lists[k]
		if !ok {
			list, err = s.seatCalls(ctx, sc.CompanyID, sc.SeatUserID)
			if err != nil {
				s.log.Warn("calls: sweep: seat calls", "company_id", sc.CompanyID, "error", err)
				failed[sc.CompanyID] = true
				continue
			}
			lists[k] = list
		}
		n, err := s.reconcile(ctx, sc, list)
		if err != nil {
			return closed, err
		}
		closed += n
	}
	return closed, nil
}

// seatCalls asks the Centrex for a seat's current calls.
func (s *Service) seatCalls(ctx context.Context, companyID int64, seat string) ([]centrex.Call, error) {
	pbx, err := s.o.PBX(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return seatCalls(ctx, pbx, seat)
}
