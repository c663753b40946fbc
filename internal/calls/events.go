package calls

import (
	"context"
	"errors"
	"fmt"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ApplyEvent applies one parsed Centrex event of a company: a terminated
// subscription is forgotten (and re-created by the subscription manager,
// which is woken); a call event of a seat with an enabled link runs the
// call's state machine and writes the new state and the notifications to
// the outbox in one transaction, at most once per event id. Events of
// unlinked or disabled seats record nothing.
func (s *Service) ApplyEvent(ctx context.Context, companyID int64, ev centrex.Event) error {
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
			call, err := tx.LockCall(ctx, link.SeatID, e.Call.ID, link.ZohoUserID)
			if err != nil {
				return err
			}
			n, err := s.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
				return callflow.Apply(st, e, l, s.o.Settings)
			})
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
