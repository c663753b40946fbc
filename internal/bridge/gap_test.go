package bridge_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/pgcluster"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// byCaller lists the org's callnotify states per caller number (incoming
// calls), checking that each call kept one Zoho id and no two calls shared
// one.
func (e *env) byCaller(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	ids := map[string]string{}
	owner := map[string]string{}
	for _, n := range e.org.Notifies() {
		if id, ok := ids[n.From]; ok && id != n.ID {
			t.Fatalf("the call from %s was notified under ids %s and %s", n.From, id, n.ID)
		}
		if from, ok := owner[n.ID]; ok && from != n.From {
			t.Fatalf("id %s used for the calls from %s and %s", n.ID, from, n.From)
		}
		ids[n.From], owner[n.ID] = n.ID, n.From
		out[n.From] = append(out[n.From], n.Type+" "+n.State)
	}
	return out
}

// waitCalls waits until every caller in want got exactly its states.
func (e *env) waitCalls(t *testing.T, within time.Duration, want map[string][]string) {
	t.Helper()
	waitFor(t, within, fmt.Sprint(want), func() bool {
		got := e.byCaller(t)
		for from, w := range want {
			if fmt.Sprint(got[from]) != fmt.Sprint(w) {
				return false
			}
		}
		return true
	})
	// Everything queued so far is sent before the check: a duplicate would
	// be among it.
	waitFor(t, within, "the outbox to settle", e.outboxSettled)
	got := e.byCaller(t)
	for from, w := range want {
		if fmt.Sprint(got[from]) != fmt.Sprint(w) {
			t.Errorf("call from %s: %v, want %v", from, got[from], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("notifications for %d calls, want %d: %v", len(got), len(want), got)
	}
}

var (
	answeredCall = []string{"received ringing", "received answered", "received ended"}
	ringingCall  = []string{"received ringing"}
)

// The calls of the gap tests: one in progress when the gap opens, one that
// begins in the gap.
const (
	beforeGap = "+34612000001"
	inGap     = "+34612000002"
)

// callBeforeGap places an incoming call, answers it, waits until Zoho
// shows it answered and returns its id.
func (e *env) callBeforeGap(t *testing.T) string {
	t.Helper()
	id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, beforeGap, "")
	must(t, err)
	must(t, e.xsi.AnswerAtSeat(id))
	e.waitCalls(t, 15*time.Second, map[string][]string{beforeGap: {"received ringing", "received answered"}})
	return id
}

// inTheGap ends the call before the gap and begins another; it returns the
// new call's id.
func (e *env) inTheGap(t *testing.T, before string) string {
	t.Helper()
	must(t, e.xsi.ReleaseFromFarEnd(before))
	id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, inGap, "")
	must(t, err)
	return id
}

// afterGap checks Zoho once the gap is closed: the call before it ended,
// the call of the gap ringing; then that one is answered and released, and
// logged.
func (e *env) afterGap(t *testing.T, inGapID string, within time.Duration) {
	t.Helper()
	e.waitCalls(t, within, map[string][]string{beforeGap: answeredCall, inGap: ringingCall})
	must(t, e.xsi.AnswerAtSeat(inGapID))
	must(t, e.xsi.ReleaseFromFarEnd(inGapID))
	e.waitCalls(t, 15*time.Second, map[string][]string{beforeGap: answeredCall, inGap: answeredCall})
}

// TestGatewayDownMidCall: the gateway dies during a call; while it is down
// the call ends and another begins (the XSP's events of both are lost); the
// gateway restarts on its address. The call that ended is closed in Zoho,
// the call that began in the gap pops up, and is logged once it ends.
func TestGatewayDownMidCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{DeliveryAttempts: 1})
	first := e.start(outbox.Options{})
	addr := first.srv.Listener.Addr().String()
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	a := e.callBeforeGap(t)

	first.kill() // the gateway is gone; its lease stays until it runs out
	b := e.inTheGap(t, a)

	e.startOn(addr, outbox.Options{}, subscriptions.Options{})
	e.afterGap(t, b, 15*time.Second)
}

// TestPostgresDownMidCall: the gateway's PostgreSQL is stopped during a
// call, and the XSP's events meanwhile are refused (500) until the XSP gives
// them up; a call begins and the first one ends in that time. Once
// PostgreSQL is back, the gateway recovers both: the ended call is closed,
// the new one pops up and is logged when it ends. The outage is noticed
// either by the subscription manager's round failing on the store, or, when
// no round ran during it, by the refused events alone (whose company could
// not even be looked up).
func TestPostgresDownMidCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		check time.Duration
	}{
		{"noticed by a round", 0},
		{"noticed by the events only", time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			postgresDownMidCall(t, subscriptions.Options{Check: tc.check})
		})
	}
}

func postgresDownMidCall(t *testing.T, so subscriptions.Options) {
	dir, err := os.MkdirTemp("", "gateway-pgdown-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Throwaway: true})
	must(t, err)
	t.Cleanup(func() { _ = cluster.Stop() })
	dbURL := cluster.URL("postgres")
	st := testdb.Connect(t, dbURL, testdb.Box(t))
	_, err = st.Migrate(ctx, nil)
	must(t, err)

	e := newEnvOn(t, st, xsisim.Options{DeliveryAttempts: 2})
	e.startOn("", outbox.Options{}, so)
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	a := e.callBeforeGap(t)

	must(t, cluster.Stop())
	b := e.inTheGap(t, a)
	waitFor(t, 10*time.Second, "the XSP to give the gap's events up", func() bool { return e.xsi.EventsInFlight() == 0 })

	u, err := url.Parse(dbURL)
	must(t, err)
	port, err := strconv.Atoi(u.Port())
	must(t, err)
	cluster, err = pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Port: port, Throwaway: true})
	must(t, err)
	e.afterGap(t, b, 30*time.Second)
}

// TestXSPRestartReusesCallIDs: the XSP restarts: it forgets the
// subscription, and numbers its calls from callhalf-1:0 again. The gateway
// notices the lost subscription, subscribes again, and reports the new
// calls, whose ids are those of calls it already closed, as new calls with
// Zoho ids of their own.
func TestXSPRestartReusesCallIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	placeCall := func(from string) string {
		id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, from, "")
		must(t, err)
		must(t, e.xsi.AnswerAtSeat(id))
		must(t, e.xsi.ReleaseFromFarEnd(id))
		return id
	}
	before := placeCall("+34612000001")
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": answeredCall})
	old := e.xsi.Subscriptions()[0].ID

	e.xsi.Restart()
	waitFor(t, hangGuard, "a new subscription", func() bool {
		s := e.xsi.Subscriptions()
		return len(s) == 1 && s[0].ID != old
	})
	after := placeCall("+34612000002")
	if after != before {
		t.Fatalf("the restarted XSP gave the new call id %s, not the old one's %s: no reuse to test", after, before)
	}
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": answeredCall, "+34612000002": answeredCall})
}

// TestRefusedRenewalCallsFlowAgain: the XSP lost the subscription while
// the gateway was not looking (it expired during an outage); when the
// renewal falls due the XSP refuses it with 403, the gateway subscribes
// again, and calls reach Zoho again.
func TestRefusedRenewalCallsFlowAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	var skew atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	// Rounds far apart, so that the forgotten subscription is met by the
	// renewal rather than by a round's check.
	in := e.startOn("", outbox.Options{}, subscriptions.Options{Now: clock, Check: time.Hour})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	old := e.xsi.Subscriptions()[0].ID
	e.xsi.ForgetSubscription(old)
	_, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612000001", "") // lost: nothing to deliver it
	must(t, err)

	skew.Store(int64(13 * time.Hour)) // past half-life of the day granted
	in.wake.Signal()
	waitFor(t, hangGuard, "a new subscription", func() bool {
		s := e.xsi.Subscriptions()
		return len(s) == 1 && s[0].ID != old
	})
	id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612000002", "")
	must(t, err)
	must(t, e.xsi.AnswerAtSeat(id))
	must(t, e.xsi.ReleaseFromFarEnd(id))
	// The call that rang while there was no subscription is still in
	// progress: the recovery after the new subscription finds it.
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": ringingCall, "+34612000002": answeredCall})
	refreshes := 0
	for _, r := range e.xsi.Requests() {
		if r.Method == "PUT" && r.Status == 403 {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Fatalf("%d refused refreshes, want the one", refreshes)
	}
}
