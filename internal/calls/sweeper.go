package calls

import (
	"context"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
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
		n, err := s.sweepCall(ctx, sc, list)
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
	ctx, cancel := context.WithTimeout(ctx, centrexTimeout)
	defer cancel()
	return pbx.Calls(ctx, seat)
}

// sweepCall resyncs or closes one stale call; it returns 1 if it closed it.
func (s *Service) sweepCall(ctx context.Context, sc store.StaleCall, list []centrex.Call) (int, error) {
	link, err := s.o.Store.LinkForDial(ctx, sc.CompanyID, sc.SeatUserID)
	if err != nil {
		// The seat was unlinked during the call: its last notification still
		// needs the seat's number (and the call's Zoho user, below).
		link = store.Link{CompanyID: sc.CompanyID, SeatID: sc.SeatID, SeatUserID: sc.SeatUserID, SeatNumber: sc.SeatNumber}
	}
	var current *centrex.Call
	for i := range list {
		if list[i].ID == sc.XsiCallID {
			current = &list[i]
		}
	}
	closed := 0
	now := s.o.Now()
	queued := 0
	err = s.o.Store.InCallTx(ctx, sc.CompanyID, func(ctx context.Context, tx store.CallTx) error {
		call, err := tx.LockCallByID(ctx, sc.CallID)
		if err != nil || !call.Open {
			return err
		}
		if link.ZohoUserID == "" {
			link.ZohoUserID = call.ZohoUserID
		}
		queued, err = s.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
			if current != nil {
				snap := centrex.Event{Kind: centrex.EventCallSubscriptionResync, TargetID: sc.SeatUserID, Call: current}
				return callflow.Apply(st, snap, l, s.o.Settings)
			}
			closed = 1
			return callflow.Close(st, now, l, s.o.Settings)
		})
		return err
	})
	if err != nil {
		return 0, err
	}
	if queued > 0 {
		s.o.Kick()
	}
	return closed, nil
}
