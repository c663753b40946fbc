package bridge_test

import (
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestPickedUpCallPopsUpAtTheSeatThatHasIt: a call rings at a colleague's
// seat (not linked to Zoho) and the linked seat picks it up: the linked
// seat's Zoho user sees it pop up and logged.
func TestPickedUpCallPopsUpAtTheSeatThatHasIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	ringing, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat2, "+34612000001", "")
	must(t, err)
	mine, err := e.xsi.PickUp(ringing, xsisim.DemoSeat1)
	must(t, err)
	must(t, e.xsi.ReleaseFromFarEnd(mine))
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": answeredCall})
}

// TestForwardedCallPopsUpAtTheSeatThatHasIt: the colleague's seat forwards
// its calls to the linked seat; a call to the colleague pops up and is
// logged for the linked seat.
func TestForwardedCallPopsUpAtTheSeatThatHasIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	must(t, e.xsi.SetForwardAlways(xsisim.DemoSeat2, xsisim.DemoSeat1))
	mine, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat2, "+34612000001", "")
	must(t, err)
	must(t, e.xsi.AnswerAtSeat(mine))
	must(t, e.xsi.ReleaseFromFarEnd(mine))
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": answeredCall})
}

// TestForwardedAwayIsMissed: the linked seat forwards its calls to a
// colleague; the call shows as missed (ended, no duration) for the linked
// seat, and its pop-up closes.
func TestForwardedAwayIsMissed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	must(t, e.xsi.SetForwardAlways(xsisim.DemoSeat1, xsisim.DemoSeat2))
	theirs, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612000001", "")
	must(t, err)
	must(t, e.xsi.AnswerAtSeat(theirs))
	must(t, e.xsi.ReleaseFromFarEnd(theirs))
	e.waitCalls(t, 15*time.Second, map[string][]string{"+34612000001": {"received ringing", "received ended"}})
}
