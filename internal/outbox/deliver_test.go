package outbox

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// slowZoho is a PhoneBridge that takes delay to answer. Like the real one it
// has acted on a request as soon as it arrives: a client that stops waiting
// and sends again makes Zoho log the notification twice.
type slowZoho struct {
	delay    time.Duration
	received atomic.Int64
}

func (z *slowZoho) CallNotify(ctx context.Context, _ zoho.CallNotify) error {
	z.received.Add(1)
	select {
	case <-time.After(z.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (z *slowZoho) ClickToDialError(ctx context.Context, _ zoho.ClickToDialError) error {
	return z.CallNotify(ctx, zoho.CallNotify{})
}

// TestDeliverWaitsForASlowZoho: with the default options, a Zoho that takes
// half a minute to answer gets the notification once: the attempt waits for
// the answer instead of giving up and sending it again.
func TestDeliverWaitsForASlowZoho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		z := &slowZoho{delay: 30 * time.Second}
		w := New(Options{Clients: func(int64, int64) PhoneBridge { return z }})
		it, err := Item(callflow.Notification{Endpoint: callflow.EndpointCallNotify, Type: zoho.CallReceived,
			State: zoho.StateRinging, ID: "abc", From: "+34600111222", To: "910726329"}, "")
		if err != nil {
			t.Fatal(err)
		}
		row := store.OutboxRow{ID: 1, CompanyID: 1, Kind: it.Kind, Payload: it.Payload, Attempts: 1}
		res := w.deliver(context.Background(), row)
		if !res.Delivered {
			t.Fatalf("a 30 s answer was not waited for: %+v (it would be sent again)", res)
		}
		if n := z.received.Load(); n != 1 {
			t.Fatalf("Zoho received it %d times", n)
		}
	})
}
