package bridge_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// placeCalls makes n incoming calls on the linked seat, every other one
// answered, all released, and returns the states Zoho must end up with per
// call, in order.
func placeCalls(t *testing.T, e *env, n int) map[int][]string {
	t.Helper()
	want := map[int][]string{}
	for i := range n {
		id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, fmt.Sprintf("+3461200%04d", i), "")
		must(t, err)
		want[i] = []string{"received ringing", "received ended"}
		if i%2 == 0 {
			must(t, e.xsi.AnswerAtSeat(id))
			want[i] = []string{"received ringing", "received answered", "received ended"}
		}
		must(t, e.xsi.ReleaseFromFarEnd(id))
	}
	return want
}

// checkDelivered waits until every expected notification arrived and
// checks each call got exactly its states, in order, none twice.
func checkDelivered(t *testing.T, e *env, want map[int][]string, within time.Duration) {
	t.Helper()
	total := 0
	for _, w := range want {
		total += len(w)
	}
	deadline := time.Now().Add(within) // a hang guard
	for len(e.org.Notifies()) < total {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notifications reached Zoho within %s; per call %v; outbox %s",
				len(e.org.Notifies()), total, within, e.states(), e.outboxSummary())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Once every row is delivered and none is leased, nothing more can be
	// sent: a duplicate would be at Zoho by now.
	waitFor(t, within, "the outbox to settle", func() bool { return e.outboxSettled() })
	got := e.states()
	if len(e.org.Notifies()) != total || len(got) != len(want) {
		t.Fatalf("%d notifications for %d calls, want %d for %d", len(e.org.Notifies()), len(got), total, len(want))
	}
	byShape := map[string]int{}
	for _, states := range got {
		byShape[fmt.Sprint(states)]++
	}
	wantShape := map[string]int{}
	for _, w := range want {
		wantShape[fmt.Sprint(w)]++
	}
	if fmt.Sprint(byShape) != fmt.Sprint(wantShape) {
		t.Fatalf("per-call sequences %v, want %v", byShape, wantShape)
	}
}

// TestZohoOutageMidStream: Zoho answers 503 or hangs past the attempt
// timeout for a while; once it recovers every notification arrives, in
// order per call, none twice. (The attempt timeout is generous for a
// healthy Zoho even on a loaded machine: one that gives up on a request
// Zoho does process sends it again, which "none twice" would count.)
func TestZohoOutageMidStream(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{AttemptTimeout: 2 * time.Second, BaseBackoff: 20 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond, MaxAttempts: 1000})
	var failing atomic.Bool
	var faults atomic.Int64
	failing.Store(true)
	e.zoho.SetFault(func(r *http.Request) (int, time.Duration) {
		if !failing.Load() {
			return 0, 0
		}
		if faults.Add(1)%2 == 0 {
			return 0, 5 * time.Second // a timeout: the client gives up first
		}
		return http.StatusServiceUnavailable, 0
	})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	want := placeCalls(t, e, 20)
	waitFor(t, 10*time.Second, "the outage to bite", func() bool { return faults.Load() >= 10 })
	failing.Store(false)
	checkDelivered(t, e, want, 60*time.Second) // a hang guard
	if faults.Load() < 10 {
		t.Fatalf("only %d faulty requests: the outage did not bite", faults.Load())
	}
}

// TestThreeInstancesDeliverOnce: three gateway instances on one database
// keep one subscription between them and deliver every notification
// exactly once, in order per call.
func TestThreeInstancesDeliverOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	for range 3 {
		e.start(outbox.Options{Listen: true, InFlight: 4, Batch: 2})
	}
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	want := placeCalls(t, e, 30)
	checkDelivered(t, e, want, 60*time.Second) // a hang guard
	if n := len(e.xsi.Subscriptions()); n != 1 {
		t.Fatalf("%d subscriptions, want 1", n)
	}
}

// TestParkedNotificationDoesNotHoldBackTheCallsEnd: Zoho refuses a call's
// ringing outright, so it is parked; the call's answered and ended still
// reach Zoho, and its pop-up closes.
func TestParkedNotificationDoesNotHoldBackTheCallsEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	var refused atomic.Int64
	e.zoho.SetFault(func(r *http.Request) (int, time.Duration) {
		if err := r.ParseForm(); err == nil && r.Form.Get("state") == "ringing" {
			refused.Add(1)
			return http.StatusBadRequest, 0
		}
		return 0, 0
	})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612345678", "")
	must(t, err)
	waitFor(t, hangGuard, "the refused ringing", func() bool { return refused.Load() == 1 })
	must(t, e.xsi.AnswerAtSeat(id))
	must(t, e.xsi.ReleaseFromFarEnd(id))
	waitFor(t, 60*time.Second, "the call's end", func() bool {
		for _, s := range e.states() {
			if fmt.Sprint(s) == "[received answered received ended]" {
				return true
			}
		}
		return false
	})
	// Zoho's answer to the end is recorded a moment after Zoho got it.
	waitFor(t, hangGuard, "the ringing parked and nothing waiting", func() bool {
		sum, err := e.store.OutboxSummary(context.Background(), e.company)
		must(t, err)
		return sum.Parked == 1 && sum.Pending == 0
	})
}

// TestSlowZohoIsWaitedFor: Zoho acts on every notification at once but
// answers only after more than a lease length; two instances share the outbox.
// The instance waiting for the answer keeps its rows (it renews their
// leases), so no notification is sent a second time, and every call's
// notifications arrive in order.
func TestSlowZohoIsWaitedFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	// The lease is renewed every third of it: a renewal must be held up
	// for two thirds of a second to lose it, which even a loaded machine
	// running the race detector does not do.
	const lease = time.Second
	for range 2 {
		e.start(outbox.Options{LeaseTTL: lease, Poll: 50 * time.Millisecond})
	}
	// Each answer comes half a lease after the lease would have ended.
	e.zoho.SetLateAnswer(func(*http.Request) time.Duration { return lease + lease/2 })
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	want := placeCalls(t, e, 4)
	// A hang guard: a call's notifications go one after the other, each
	// answered late, and a loaded machine is slower still.
	checkDelivered(t, e, want, 90*time.Second)
}
