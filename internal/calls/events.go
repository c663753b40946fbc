package calls

import (
	"context"
	"errors"
	"fmt"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplyEvent applies one parsed Centrex event of a company, from the HTTP
// contact or an event channel: a terminated subscription is forgotten (and
// re-created by the subscription manager, which is woken); a call event of
// a seat with an enabled link runs the call's state machine and writes the
// new state and the notifications to the outbox in one transaction, at most
// once per event id. Events of unlinked or disabled seats record nothing.
// When the event cannot be applied (the database fails), the company's
// calls are recovered later (Gap): the Centrex may not send it again.
func (s *Service) ApplyEvent(ctx context.Context, companyID int64, ev centrex.Event) error {
	err := s.applyEvent(ctx, companyID, ev)
	if err != nil && ctx.Err() == nil {
		s.Gap(companyID)
	}
	return err
}

func (s *Service) applyEvent(ctx context.Context, companyID int64, ev centrex.Event) error {
	if ev.Kind == centrex.EventSubscriptionTerminated {
		if err := s.o.Store.ForgetSubscription(ctx, companyID, ev.SubscriptionID); err != nil {
			return err
		}
		s.o.Subscriptions.Signal()
		return nil
	}
	halves := callflow.Split(ev)
	if len(halves) == 0 {
		return nil
	}
	link, err := s.o.Store.LinkForDial(ctx, companyID, ev.TargetID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!link.Enabled || link.SeatGone) {
		return nil
	}
	if err != nil {
		return err
	}
	queued := false
	err = s.o.Store.InCallTx(ctx, companyID, func(ctx context.Context, tx store.CallTx) error {
		if ev.ID != "" {
			fresh, err := tx.MarkEventProcessed(ctx, ev.ID)
			if err != nil || !fresh {
				return err
			}
		}
		for _, e := range halves {
			n, err := s.applyToCall(ctx, tx, link, e)
			if err != nil {
				return err
			}
			queued = queued || n > 0
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("calls: event %s of company %d: %w", ev.ID, companyID, err)
	}
	if queued {
		s.o.Kick()
	}
	return nil
}

// applyToCall runs one event (with its Call set) on the seat's call of that
// id, inside tx. When the event shows another call than the one stored
// under the id (callflow.IsNewCall: the PBX restarted and reuses ids), the
// stored call is closed if it was open, and the event starts a new
// incarnation; a late event of an earlier call with that id
// (callflow.IsOlderCall) changes nothing. It returns how many notifications
// were queued.
func (s *Service) applyToCall(ctx context.Context, tx store.CallTx, link store.Link, e centrex.Event) (int, error) {
	call, err := tx.LockCall(ctx, link.SeatID, e.Call.ID, link.ZohoUserID)
	if err != nil {
		return 0, err
	}
	st, err := decodeState(call)
	if err != nil {
		return 0, err
	}
	if callflow.IsOlderCall(st, *e.Call) {
		return 0, nil
	}
	queued := 0
	if callflow.IsNewCall(st, e.Kind, *e.Call) {
		if call.Open {
			at := e.Call.StartTime
			if at.IsZero() {
				at = s.o.Now()
			}
			n, err := s.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
				return callflow.Close(st, at, l, s.o.Settings)
			})
			if err != nil {
				return 0, err
			}
			queued += n
		}
		if call, err = tx.NextIncarnation(ctx, call, link.ZohoUserID); err != nil {
			return 0, err
		}
	}
	n, err := s.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
		return callflow.Apply(st, e, l, s.o.Settings)
	})
	return queued + n, err
}
