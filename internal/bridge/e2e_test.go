package bridge_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestClickToDialAndCallControl: Zoho's click → Xsi calls/new from the
// seat → events → dialed ringing/answered in Zoho; hold and hang up from
// the call bar → Xsi Hold and DELETE → dialed ended.
func TestClickToDialAndCallControl(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{PickupDelay: 50 * time.Millisecond, FarEndAnswerDelay: 100 * time.Millisecond})
	e.start(outbox.Options{})
	ctx := context.Background()
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })

	must(t, e.zoho.ClickToDial(ctx, e.ZohoUser, "600 123 456"))
	var id string
	waitFor(t, hangGuard, "dialed answered", func() bool {
		for k, v := range e.states() {
			id = k
			return slices.Contains(v, "dialed answered")
		}
		return false
	})
	must(t, e.zoho.CallControl(ctx, e.ZohoUser, "keypress", id, "5"))
	must(t, e.zoho.CallControl(ctx, e.ZohoUser, "hold", id, ""))
	if err := e.zoho.CallControl(ctx, e.ZohoUser, "keypress", id, "5"); err == nil {
		t.Error("key press on a held call accepted (the Centrex refuses it: 409)")
	}
	must(t, e.zoho.CallControl(ctx, e.ZohoUser, "unhold", id, ""))
	must(t, e.zoho.CallControl(ctx, e.ZohoUser, "hungup", id, ""))
	waitFor(t, hangGuard, "dialed ended", func() bool { return slices.Contains(e.states()[id], "dialed ended") })
	want := []string{"dialed ringing", "dialed answered", "dialed ended"}
	if got := e.states()[id]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("states %q, want %q", got, want)
	}
	n := e.org.Notifies()
	if n[0].From != "+34910726329" || n[0].To != "+34600123456" || n[0].ZohoUser != e.ZohoUser {
		t.Errorf("first notify %+v", n[0])
	}
	var xsiPaths []string
	for _, r := range e.xsi.Requests() {
		xsiPaths = append(xsiPaths, r.Method+" "+r.Path)
	}
	t.Logf("xsi requests: %q", xsiPaths)
	// A second hold on the ended call is refused by the Centrex or unknown.
	if err := e.zoho.CallControl(ctx, e.ZohoUser, "hold", id, ""); err == nil {
		t.Error("hold after hang-up accepted")
	}
	if err := e.zoho.CallControl(ctx, e.ZohoUser, "hold", "someone-elses-call", ""); err == nil {
		t.Error("unknown callrefid accepted")
	}
}

// TestIncomingCallPopsUp: an incoming call injected in the Centrex becomes
// received ringing, then missed (sent as ended) when the caller gives up.
func TestIncomingCallPopsUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	waitFor(t, hangGuard, "subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })
	callID, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34612345678", "Cliente")
	must(t, err)
	waitFor(t, hangGuard, "received ringing", func() bool { return len(e.org.Notifies()) == 1 })
	must(t, e.xsi.ReleaseFromFarEnd(callID))
	waitFor(t, hangGuard, "received ended", func() bool { return len(e.org.Notifies()) == 2 })
	n := e.org.Notifies()
	if n[0].Type != "received" || n[0].State != "ringing" || n[0].From != "+34612345678" || n[1].State != "ended" || n[1].ID != n[0].ID {
		t.Fatalf("notifies %+v", n)
	}
	// Calls of the unlinked seat send nothing. The subscription delivers
	// events in order, and each is committed before it is acknowledged, so
	// once a later call of the linked seat pops up the unlinked seat's
	// event has been handled.
	_, err = e.xsi.InjectIncomingCall(xsisim.DemoSeat2, "+34612345678", "Cliente")
	must(t, err)
	_, err = e.xsi.InjectIncomingCall(xsisim.DemoSeat1, "+34699999999", "Later")
	must(t, err)
	waitFor(t, hangGuard, "the later call's ringing", func() bool { return len(e.org.Notifies()) >= 3 })
	if n := e.org.Notifies(); len(n) != 3 || n[2].From != "+34699999999" {
		t.Fatalf("unlinked seat notified: %+v", n)
	}
}

// TestClickToDialOfNoNumberReachesTheUser: a click on "abc" in the CRM is
// not dialled, and the user sees why: Zoho accepts the clicktodialerror
// (its numbers are digits), which quotes what was clicked.
func TestClickToDialOfNoNumberReachesTheUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, xsisim.Options{})
	e.start(outbox.Options{})
	must(t, e.zoho.ClickToDial(context.Background(), e.ZohoUser, "abc"))
	waitFor(t, hangGuard, "the clicktodialerror in Zoho", func() bool { return len(e.org.DialErrors()) == 1 })
	d := e.org.DialErrors()[0]
	if d.Code != "invalid" || d.To != "0" || d.From != "+34910726329" || d.ZohoUser != e.ZohoUser || !strings.Contains(d.Message, "«abc»") {
		t.Fatalf("clicktodialerror %+v", d)
	}
	for _, r := range e.xsi.Requests() {
		if strings.Contains(r.Path, "/calls/new") {
			t.Fatalf("abc was dialled: %s?%s", r.Path, r.Query)
		}
	}
	waitFor(t, hangGuard, "nothing left in the outbox", func() bool {
		sum, err := e.store.OutboxSummary(context.Background(), e.company)
		must(t, err)
		return sum.Pending == 0 && sum.Parked == 0
	})
}
