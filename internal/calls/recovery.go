package calls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/conecta-zoho/gateway/internal/backoff"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Gap notes that call events of the company may have been lost (the
// gateway or its database was down, a subscription or a channel was being
// made again): RunRecovery re-reads its calls (Recover) at once, and again
// after a failure until it succeeds. It never blocks.
func (s *Service) Gap(companyID int64) {
	s.mu.Lock()
	s.gapped[companyID] = s.o.Store.Now()
	s.mu.Unlock()
	s.recoverAt(companyID, time.Time{})
}

// allCompanies stands for every company among the gaps (company ids start
// at 1).
const allCompanies = 0

// GapAll notes that call events may have been lost without knowing whose:
// an event reached the gateway that could not even be matched to its
// company, because the database failed. RunRecovery recovers every company
// whose events the gateway subscribes to, once the database answers.
func (s *Service) GapAll() { s.recoverAt(allCompanies, time.Time{}) }

// gapEvery turns GapAll into a gap of each company whose events the
// gateway subscribes to (a Centrex connection and an enabled integration).
func (s *Service) gapEvery(ctx context.Context) error {
	want, _, err := s.o.Store.SubscribableCompanies(ctx)
	if err != nil {
		return err
	}
	for _, c := range want {
		s.Gap(c.CompanyID)
	}
	return nil
}

// recoverAt has RunRecovery recover the company at (or soon after) at; an
// earlier time already asked for wins.
func (s *Service) recoverAt(companyID int64, at time.Time) {
	s.mu.Lock()
	if due, ok := s.gaps[companyID]; !ok || at.Before(due) {
		s.gaps[companyID] = at
	}
	s.mu.Unlock()
	select {
	case s.gapWake <- struct{}{}:
	default:
	}
}

// RunRecovery recovers the companies Gap (or GapAll) named until ctx ends,
// and then returns nil. A recovery that fails (the Centrex or the database is still
// away) is tried again after a backoff of 1 s doubling to 30 s; one that
// left calls to close once their events had time to arrive runs again
// after RecoverGrace.
func (s *Service) RunRecovery(ctx context.Context) error {
	failures := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := s.o.Now()
		var ready []int64
		next := now.Add(time.Hour)
		s.mu.Lock()
		for id, at := range s.gaps {
			if !at.After(now) {
				ready = append(ready, id)
				delete(s.gaps, id)
			} else if at.Before(next) {
				next = at
			}
		}
		s.mu.Unlock()
		slices.Sort(ready)
		failed := false
		for _, id := range ready {
			var again bool
			var err error
			if id == allCompanies {
				err = s.gapEvery(ctx)
			} else {
				again, err = s.recover(ctx, id)
			}
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				s.log.Warn("calls: recovering calls after a gap failed; will retry", "company_id", id, "error", err)
				failed = true
				s.recoverAt(id, s.o.Now().Add(backoff.Delay(failures+1, time.Second, 30*time.Second)))
			case again:
				s.recoverAt(id, s.o.Now().Add(s.o.RecoverGrace))
			}
		}
		if failed {
			failures++
		} else if len(ready) > 0 {
			failures = 0
		}
		if len(ready) > 0 {
			continue // recoverAt may have asked for a time before next
		}
		timer.Reset(next.Sub(now))
		select {
		case <-ctx.Done():
			return nil
		case <-s.gapWake:
		case <-timer.C:
		}
	}
}

// Recover brings the company's calls up to date after a gap: it reads the
// calls in progress of every linked seat from the Centrex (GET …/calls and
// each call's details) and applies each as a snapshot, so a call that began
// in the gap pops up (ringing, or ringing then answered) and is tracked
// from then on; an open call the Centrex no longer has is closed with its
// terminal notification, once RecoverGrace has passed both since its last
// event and since the gap was noted (the Centrex may still be sending the
// events it held, a channel's backlog arrives just after it opens again;
// RunRecovery comes back for the others). A call quiet for longer than the
// grace because its events were held during the gap is not closed on the
// first pass, before they had time to arrive. The state machine only moves forward, so running it twice, or
// while events arrive, sends nothing twice and nothing out of order. A call
// that began and ended within the gap is not in the Centrex's list and
// stays unknown.
func (s *Service) Recover(ctx context.Context, companyID int64) error {
	_, err := s.recover(ctx, companyID)
	return err
}

// recover is Recover; again reports calls left open for a later pass.
func (s *Service) recover(ctx context.Context, companyID int64) (again bool, err error) {
	links, err := s.o.Store.Links(ctx, companyID)
	if err != nil {
		return false, err
	}
	pbx, err := s.o.PBX(ctx, companyID)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	gapped := s.gapped[companyID]
	s.mu.Unlock()
	var errs []error
	recovered, closed := 0, 0
	for _, l := range links {
		if !l.Enabled || l.SeatGone {
			continue
		}
		listedAt := s.o.Store.Now()
		list, err := seatCalls(ctx, pbx, l.SeatUserID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range list {
			if err := s.resync(ctx, l, c); err != nil {
				return false, err
			}
			recovered++
		}
		open, err := s.o.Store.OpenCallsOfSeat(ctx, companyID, l.SeatID, listedAt)
		if err != nil {
			return false, err
		}
		for _, sc := range open {
			quietSince := sc.UpdatedAt
			if gapped.After(quietSince) {
				quietSince = gapped
			}
			if !listed(list, sc.XsiCallID) && quietSince.After(listedAt.Add(-s.o.RecoverGrace)) {
				again = true // its events may still be on their way
				continue
			}
			n, err := s.reconcile(ctx, sc, list)
			if err != nil {
				return false, err
			}
			closed += n
		}
	}
	if recovered > 0 || closed > 0 {
		s.log.Info("calls: recovered calls after a gap", "company_id", companyID, "in_progress", recovered, "closed", closed)
	}
	if err := errors.Join(errs...); err != nil {
		return again, fmt.Errorf("calls: recover company %d: %w", companyID, err)
	}
	return again, nil
}

// listed reports whether the seat's call list has a call with that id.
func listed(list []centrex.Call, xsiCallID string) bool {
	return slices.ContainsFunc(list, func(c centrex.Call) bool { return c.ID == xsiCallID })
}

// seatCalls asks the Centrex for a seat's current calls.
func seatCalls(ctx context.Context, pbx centrex.PBX, seat string) ([]centrex.Call, error) {
	ctx, cancel := context.WithTimeout(ctx, centrexTimeout)
	defer cancel()
	return pbx.Calls(ctx, seat)
}

// resync applies the Centrex's current view of one call of a linked seat.
func (s *Service) resync(ctx context.Context, link store.Link, c centrex.Call) error {
	queued := 0
	err := s.o.Store.InCallTx(ctx, link.CompanyID, func(ctx context.Context, tx store.CallTx) error {
		var err error
		queued, err = s.applyToCall(ctx, tx, link, snapshot(link.SeatUserID, c))
		return err
	})
	if err != nil {
		return err
	}
	if queued > 0 {
		s.o.Kick()
	}
	return nil
}

// snapshot is the event of one call as the Centrex lists it now.
func snapshot(seat string, c centrex.Call) centrex.Event {
	return centrex.Event{Kind: centrex.EventCallSubscriptionResync, TargetID: seat, Call: &c}
}

// reconcile brings one stored open call in line with the seat's current
// call list: a call the list still has (the same call, not another one the
// Centrex gave its id after a restart) is brought up to date from it; one
// it no longer has is closed with callflow.Close, which queues its terminal
// notification, so no pop-up stays open in Zoho. It returns 1 if it closed
// the call.
func (s *Service) reconcile(ctx context.Context, sc store.StaleCall, list []centrex.Call) (int, error) {
	link, err := s.o.Store.LinkForDial(ctx, sc.CompanyID, sc.SeatUserID)
	if err != nil {
		// The seat was unlinked during the call: its last notification still
		// needs the seat's number (and the call's Zoho user, below).
		link = store.Link{CompanyID: sc.CompanyID, SeatID: sc.SeatID, SeatUserID: sc.SeatUserID, SeatNumber: sc.SeatNumber}
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
		st, err := decodeState(call)
		if err != nil {
			return err
		}
		var current *centrex.Call
		for i := range list {
			if list[i].ID == sc.XsiCallID && !callflow.IsNewCall(st, centrex.EventCallSubscriptionResync, list[i]) {
				current = &list[i]
			}
		}
		queued, err = s.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
			if current != nil {
				return callflow.Apply(st, snapshot(sc.SeatUserID, *current), l, s.o.Settings)
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
