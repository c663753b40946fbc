package calls

import (
	"context"
	"errors"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// maxStale bounds how many times an event is looked up again because its
// company changed while it waited for its group.
const maxStale = 5

// CompanyByEventToken returns the company whose events token is token
// (ErrUnknownToken when none), from the cache when it can: the event
// applied with it (ApplyContactEvent) confirms it.
func (s *Service) CompanyByEventToken(ctx context.Context, token string) (int64, error) {
	e, err := s.cache.byEventToken(ctx, token)
	if err != nil {
		return 0, err
	}
	return e.companyID, nil
}

// ApplyContactEvent is ApplyEvent for an event posted to the HTTP contact
// with token: the company is the token's, confirmed in the event's group,
// so that a token replaced on any instance is refused (ErrUnknownToken) at
// once.
func (s *Service) ApplyContactEvent(ctx context.Context, token string, ev centrex.Event) error {
	var companyID int64
	err := s.applyEvent(ctx, token, 0, ev, &companyID)
	if err != nil && !errors.Is(err, ErrUnknownToken) && ctx.Err() == nil {
		if companyID != 0 {
			s.Gap(companyID)
		} else {
			s.GapAll()
		}
	}
	return err
}

// ApplyEvent applies one parsed Centrex event of a company, from the HTTP
// contact or an event channel: a terminated subscription is forgotten (and
// re-created by the subscription manager, which is woken); a call event of
// a seat with an enabled link runs the call's state machine and writes the
// new state and the notifications to the outbox, at most once per event
// id. Events of unlinked or disabled seats record nothing.
//
// Concurrent events share one transaction (group commit, see group.go);
// ApplyEvent returns nil only once the event's group committed. The
// company's links are cached, and confirmed current by the group's
// transaction. When the event cannot be applied (the database fails), the
// company's calls are recovered later (Gap): the Centrex may not send it
// again.
func (s *Service) ApplyEvent(ctx context.Context, companyID int64, ev centrex.Event) error {
	err := s.applyEvent(ctx, "", companyID, ev, nil)
	if err != nil && ctx.Err() == nil {
		s.Gap(companyID)
	}
	return err
}

// applyEvent applies ev of the company companyID, or of the company of
// token when token is not "" (its id then stored in *found).
func (s *Service) applyEvent(ctx context.Context, token string, companyID int64, ev centrex.Event, found *int64) error {
	for range maxStale {
		var e *entry
		var err error
		if token != "" {
			e, err = s.cache.byEventToken(ctx, token)
		} else {
			e, err = s.cache.get(ctx, companyID)
		}
		if err != nil {
			return err
		}
		if found != nil {
			*found = e.companyID
		}
		err = s.applyWith(ctx, e, token, ev)
		if !errors.Is(err, errStale) {
			return err
		}
		s.cache.drop(e)
	}
	return errors.New("calls: the company kept changing while its event waited")
}

// applyWith applies ev with a company's cached entry (errStale: it was
// stale).
func (s *Service) applyWith(ctx context.Context, e *entry, token string, ev centrex.Event) error {
	if ev.Kind == centrex.EventSubscriptionTerminated {
		if token != "" {
			// Confirm the token before acting on what it says.
			cur, err := s.cache.current(ctx, e.companyID)
			if err != nil {
				return err
			}
			if !cur.hasToken(token) {
				return ErrUnknownToken
			}
		}
		if err := s.o.Store.ForgetSubscription(ctx, e.companyID, ev.SubscriptionID); err != nil {
			return err
		}
		s.o.Subscriptions.Signal()
		return nil
	}
	halves := callflow.Split(ev)
	if len(halves) == 0 {
		return nil
	}
	link, err := e.linkForEvent(ctx, s.o.Store, ev.TargetID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	j := &eventJob{entry: e, token: token, ev: ev, halves: halves,
		link: link, linked: err == nil && link.Enabled && !link.SeatGone}
	if token != "" && !e.hasToken(token) {
		return ErrUnknownToken
	}
	return s.submit(ctx, j)
}

// applyToCall runs one event (with its Call set) on the seat's call of that
// id, inside tx (the recovery's one-call transactions; events go through
// applyInGroup, the same steps inside a group). When the event shows
// another call than the one stored under the id (callflow.IsNewCall: the
// PBX restarted and reuses ids), the stored call is closed if it was open,
// and the event starts a new incarnation; a late event of an earlier call
// with that id (callflow.IsOlderCall) changes nothing. It returns how many
// notifications were queued.
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
