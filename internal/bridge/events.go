package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/conecta-zoho/gateway/internal/bridge/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// handleEvents is POST /bridge/centrex/events/{token}: the Xsi-Events HTTP
// contact. Unknown token → 404, oversized or unparseable body → 400 (nothing
// stored either way); otherwise the event is applied and 200 answered once
// its state and notifications are committed. A 500 makes the XSP redeliver,
// and the event id dedupes it.
func (b *Bridge) handleEvents(w http.ResponseWriter, r *http.Request) {
	companyID, err := b.o.Store.CompanyByEventToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		text(w, http.StatusNotFound, "not found")
		return
	}
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, xsi.MaxEventSize+1))
	if err != nil || len(body) > xsi.MaxEventSize {
		text(w, http.StatusBadRequest, "bad event")
		return
	}
	ev, err := xsi.ParseEvent(body)
	if err != nil {
		text(w, http.StatusBadRequest, "bad event")
		return
	}
	if err := b.ApplyEvent(r.Context(), companyID, ev); err != nil {
		b.serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// ApplyEvent applies one parsed Centrex event of a company: a terminated
// subscription is forgotten (and re-created by the manager); a call event of
// a seat with an enabled link runs the call's state machine and writes the
// new state and the notifications to the outbox in one transaction, at most
// once per event id. Events of unlinked or disabled seats record nothing.
func (b *Bridge) ApplyEvent(ctx context.Context, companyID int64, ev centrex.Event) error {
	if ev.Kind == centrex.EventSubscriptionTerminated {
		if err := b.o.Store.ForgetSubscription(ctx, companyID, ev.SubscriptionID); err != nil {
			return err
		}
		b.wakeSubscriptions()
		return nil
	}
	calls := callflow.Split(ev)
	if len(calls) == 0 {
		return nil
	}
	link, err := b.o.Store.LinkForDial(ctx, companyID, ev.TargetID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!link.Enabled || link.SeatGone) {
		return nil
	}
	if err != nil {
		return err
	}
	queued := false
	err = b.o.Store.InCallTx(ctx, companyID, func(ctx context.Context, tx store.CallTx) error {
		if ev.ID != "" {
			fresh, err := tx.MarkEventProcessed(ctx, ev.ID)
			if err != nil || !fresh {
				return err
			}
		}
		for _, e := range calls {
			call, err := tx.LockCall(ctx, link.SeatID, e.Call.ID, link.ZohoUserID)
			if err != nil {
				return err
			}
			n, err := b.advance(ctx, tx, call, link, func(st callflow.State, l callflow.Link) (callflow.State, []callflow.Notification, error) {
				return callflow.Apply(st, e, l, b.o.Settings)
			})
			if err != nil {
				return err
			}
			queued = queued || n > 0
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bridge: event %s of company %d: %w", ev.ID, companyID, err)
	}
	if queued {
		b.o.Kick()
	}
	return nil
}

// step is one transition of a call's state machine.
type step func(callflow.State, callflow.Link) (callflow.State, []callflow.Notification, error)

// advance runs one step on a locked call, saves its new state and queues
// its notifications; it returns how many were queued.
func (b *Bridge) advance(ctx context.Context, tx store.CallTx, call store.Call, link store.Link, fn step) (int, error) {
	var st callflow.State
	if err := json.Unmarshal(call.State, &st); err != nil {
		return 0, fmt.Errorf("call %d: stored state: %w", call.ID, err)
	}
	next, notes, err := fn(st, callflow.Link{ZohoUser: link.ZohoUserID, SeatNumber: link.SeatNumber})
	if err != nil {
		return 0, fmt.Errorf("call %d: %w", call.ID, err)
	}
	callflow.FillStartTime(notes, time.Now())
	items := make([]store.OutboxItem, 0, len(notes))
	for _, n := range notes {
		msg := ""
		if n.Endpoint == callflow.EndpointClickToDialError {
			msg = b.dialErrorMessage(ctx, call.CompanyID, n.State)
		}
		it, err := outbox.Item(n, msg)
		if err != nil {
			return 0, err
		}
		items = append(items, it)
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return 0, fmt.Errorf("call %d: encode state: %w", call.ID, err)
	}
	call.State, call.Open, call.ZohoCallID, call.ExtTrackingID = raw, next.Open(), next.ID, next.ExtTrackingID
	if err := tx.SaveCall(ctx, call); err != nil {
		return 0, err
	}
	if len(items) > 0 {
		if err := tx.Enqueue(ctx, call.ID, next.ID, items); err != nil {
			return 0, err
		}
	}
	return len(items), nil
}
