package bridge_test

import (
	"context"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestSweeperClosesForgottenCall: the release of a ringing call never
// reaches the gateway; the sweeper finds the Centrex no longer has it and
// sends its terminal notification, so Zoho's pop-up closes.
func TestSweeperClosesForgottenCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{DeliveryAttempts: 1})
	first := e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	callID, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612345678", "")
	must(t, err)
	waitFor(t, hangGuard, "received ringing", func() bool { return len(e.org.Notifies()) == 1 })
	first.stop() // the gateway is gone: the release event is lost
	must(t, e.xsi.ReleaseFromFarEnd(callID))

	ob := outbox.New(outbox.Options{Store: e.store, Clients: func(int64, int64) outbox.PhoneBridge { return e.pb }, Poll: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ob.Run(ctx)
	b := calls.New(calls.Options{Store: e.store, PBX: e.pbx, Kick: ob.Kick, Settings: callflow.DefaultSettings(),
		StaleAfter: time.Nanosecond})
	closed, err := b.Sweep(ctx)
	if err != nil || closed != 1 {
		t.Fatalf("sweep closed %d, %v", closed, err)
	}
	waitFor(t, hangGuard, "received ended", func() bool { return len(e.org.Notifies()) == 2 })
	if n := e.org.Notifies(); n[1].State != "ended" || n[1].ID != n[0].ID {
		t.Fatalf("notifies %+v", n)
	}
	if closed, _ := b.Sweep(ctx); closed != 0 {
		t.Fatalf("second sweep closed %d", closed)
	}
}

// TestSweeperClosesCallOfUnlinkedSeat: the seat is unlinked while its call
// is up and the release is lost; the sweeper still closes the call with a
// complete terminal notification (numbers and Zoho user), which Zoho accepts,
// so the pop-up does not stay open.
func TestSweeperClosesCallOfUnlinkedSeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{DeliveryAttempts: 1})
	first := e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	callID, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612345678", "")
	must(t, err)
	waitFor(t, hangGuard, "received ringing", func() bool { return len(e.org.Notifies()) == 1 })
	first.stop()
	must(t, e.xsi.ReleaseFromFarEnd(callID))
	if _, err := e.store.DeleteLink(context.Background(), e.company, e.link.ID); err != nil {
		t.Fatal(err)
	}

	ob := outbox.New(outbox.Options{Store: e.store, Clients: func(int64, int64) outbox.PhoneBridge { return e.pb }, Poll: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ob.Run(ctx)
	b := calls.New(calls.Options{Store: e.store, PBX: e.pbx, Kick: ob.Kick, Settings: callflow.DefaultSettings(),
		StaleAfter: time.Nanosecond})
	if closed, err := b.Sweep(ctx); err != nil || closed != 1 {
		t.Fatalf("sweep closed %d, %v", closed, err)
	}
	waitFor(t, hangGuard, "received ended accepted by Zoho", func() bool { return len(e.org.Notifies()) == 2 })
	if n := e.org.Notifies()[1]; n.State != "ended" || n.To == "" || n.ZohoUser == "" {
		t.Fatalf("terminal notification %+v", n)
	}
}
