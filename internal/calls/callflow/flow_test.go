package callflow

import (
	"strings"
	"testing"

	c "github.com/conecta-zoho/gateway/internal/centrex"
)

// The seat is +34910726329, the customer +34910000111.
func TestScenarios(t *testing.T) {
	t.Parallel()
	type evs = []c.Event
	tests := []struct {
		name string
		set  Settings
		evs  evs
		want string
	}{
		{"inbound answered with hold", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallAnswered, term, c.StateActive, ans(5)),
			mk(c.EventCallHeld, term, c.StateHeld, ans(5)),
			mk(c.EventCallRetrieved, term, c.StateActive, ans(5)),
			mk(c.EventCallReleased, term, c.StateReleased, ans(5), rel(65), party("remoteRelease")),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 60s"},
		{"inbound missed", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallReleased, term, c.StateReleased, rel(20)),
		}, "received ringing +34910000111>+34910726329\nreceived missed +34910000111>+34910726329 0s"},
		{"inbound missed mapped", mapped, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallRedirected, term, c.StateAlerting),
			mk(c.EventCallReleased, term, c.StateReleased, rel(20)),
		}, "received ringing +34910000111>+34910726329\nreceived ended +34910000111>+34910726329 0s"},
		{"inbound answered mapped keeps duration", mapped, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallAnswered, term, c.StateActive, ans(3)),
			mk(c.EventCallReleased, term, c.StateReleased, ans(3), rel(10)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 7s"},
		{"click-to-dial answered", documented, evs{
			mk(c.EventCallOriginating, c2d, c.StateAlerting, remote("tel:910000111")),
			mk(c.EventCallOriginated, orig, c.StateAlerting, remote("tel:910000111")),
			mk(c.EventCallAnswered, orig, c.StateActive, ans(12)),
			mk(c.EventCallHeld, orig, c.StateHeld, ans(12)),
			mk(c.EventCallRetrieved, orig, c.StateActive, ans(12)),
			mk(c.EventCallReleased, orig, c.StateReleased, ans(12), rel(72), party("localRelease")),
		}, "dialed ringing +34910726329>+34910000111\ndialed answered +34910726329>+34910000111\n" +
			"dialed ended +34910726329>+34910000111 60s"},
		{"outbound busy", documented, evs{
			mk(c.EventCallOriginating, c2d, c.StateAlerting),
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(4), cause("Busy"), party("remoteRelease")),
		}, "dialed ringing +34910726329>+34910000111\ndialed busy +34910726329>+34910000111 0s"},
		{"outbound busy mapped", mapped, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(4), cause("Busy")),
		}, "dialed ringing +34910726329>+34910000111\ndialed ended +34910726329>+34910000111 0s"},
		{"outbound invalid via treatment", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleasing, orig, c.StateActive, cause("User Not Found")),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(6)),
		}, "dialed ringing +34910726329>+34910000111\ndialed invalid +34910726329>+34910000111 0s"},
		{"outbound rejected by far end", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(6), party("remoteRelease")),
		}, "dialed ringing +34910726329>+34910000111\ndialed rejected +34910726329>+34910000111 0s"},
		{"outbound abandoned by agent", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(30), party("localRelease")),
		}, "dialed ringing +34910726329>+34910000111\ndialed noanswer +34910726329>+34910000111 0s"},
		{"outbound not available", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(2), cause("Temporarily Unavailable")),
		}, "dialed ringing +34910726329>+34910000111\ndialed notavailable +34910726329>+34910000111 0s"},
		{"outbound blocked", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(1), cause("Forbidden")),
		}, "dialed ringing +34910726329>+34910000111\ndialed blocked +34910726329>+34910000111 0s"},
		{"click-to-dial never picked up", mapped, evs{
			mk(c.EventCallOriginating, c2d, c.StateAlerting),
			mk(c.EventCallReleased, c2d, c.StateReleased, rel(30)),
		}, "clicktodialerror noanswer +34910726329>+34910000111 0s"},
		{"click-to-dial declined busy", documented, evs{
			mk(c.EventCallOriginating, c2d, c.StateAlerting),
			mk(c.EventCallReleased, c2d, c.StateReleased, rel(3), cause("Busy")),
		}, "clicktodialerror busy +34910726329>+34910000111 0s"},
		{"repeated ringing", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallUpdated, term, c.StateAlerting),
		}, "received ringing +34910000111>+34910726329"},
		{"answered after released is ignored", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallReleased, term, c.StateReleased, rel(9)),
			mk(c.EventCallAnswered, term, c.StateActive, ans(5)),
			mk(c.EventCallReleased, term, c.StateReleased, rel(9)),
			mk(c.EventCallReceived, term, c.StateAlerting),
		}, "received ringing +34910000111>+34910726329\nreceived missed +34910000111>+34910726329 0s"},
		{"second answer after blind transfer", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallAnswered, term, c.StateActive, ans(2)),
			mk(c.EventCallTransferred, term, c.StateActive, ans(2), remote("tel:+34600111222")),
			mk(c.EventCallAnswered, term, c.StateActive, ans(2)),
			mk(c.EventCallReleased, term, c.StateReleased, ans(2), rel(42)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 40s"},
		{"lost ringing is sent before answered", documented, evs{
			mk(c.EventCallAnswered, term, c.StateActive, ans(4)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329"},
		{"late originating after originated", documented, evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallOriginating, c2d, c.StateAlerting),
		}, "dialed ringing +34910726329>+34910000111"},
		{"release is the first event", documented, evs{
			mk(c.EventCallReleased, term, c.StateReleased, rel(8)),
		}, "received missed +34910000111>+34910726329 0s"},
		{"redirected then released", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallRedirected, term, c.StateAlerting),
			mk(c.EventCallForwarded, term, c.StateAlerting),
			mk(c.EventCallDetached, term, c.StateDetached),
			mk(c.EventCallUpdated, term, c.StateReleased, rel(15)),
		}, "received ringing +34910000111>+34910726329\nreceived missed +34910000111>+34910726329 0s"},
		{"anonymous caller", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting, remote("")),
		}, "received ringing 0>+34910726329"},
		{"internal caller identified by userDN", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting, remote("tel:1011"), userDN("tel:+34910726330;ext=1011")),
		}, "received ringing +34910726330>+34910726329"},
		{"internal extension only", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting, remote("tel:1011")),
		}, "received ringing 1011>+34910726329"},
		{"unknown direction emits nothing", documented, evs{
			mk(c.EventCallAnswered, "", c.StateActive, ans(1)),
			mk(c.EventCallHeld, "", c.StateHeld, ans(1)),
		}, ""},
		{"release without releaseTime uses last time seen", documented, evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallHeld, term, c.StateHeld, ans(10), func(x *c.Call) { x.HeldTime = at(25) }),
			mk(c.EventCallReleased, term, c.StateReleased),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 15s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ns := run(t, tt.set, tt.evs...)
			if got := brief(ns); got != tt.want {
				t.Fatalf("notifications:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, n := range ns {
				if n.ID != st.ID || n.ID == "" || n.ZohoUser != link.ZohoUser || n.StartTime.IsZero() {
					t.Errorf("notification %+v: id %q, zohouser or start_time wrong", n, st.ID)
				}
			}
			if len(ns) > 0 && ns[len(ns)-1].Terminal() != (st.Phase == PhaseReleased) {
				t.Errorf("phase %q after %s", st.Phase, ns[len(ns)-1].State)
			}
		})
	}
}

func TestHoldIsKept(t *testing.T) {
	t.Parallel()
	st, _ := run(t, documented,
		mk(c.EventCallReceived, term, c.StateAlerting),
		mk(c.EventCallAnswered, term, c.StateActive, ans(1)))
	steps := []struct {
		ev               c.Event
		held, remoteHeld bool
	}{
		{mk(c.EventCallHeld, term, c.StateHeld, ans(1)), true, false},
		{mk(c.EventCallRetrieved, term, c.StateActive, ans(1)), false, false},
		{mk(c.EventCallHeld, term, c.StateRemoteHeld, ans(1)), false, true},
		{mk(c.EventCallRetrieved, term, c.StateActive, ans(1)), false, false},
		{mk(c.EventCallHeld, term, c.StateHeld, ans(1)), true, false},
		{mk(c.EventCallReleased, term, c.StateReleased, ans(1), rel(5)), false, false},
	}
	for i, s := range steps {
		var ns []Notification
		var err error
		st, ns, err = Apply(st, s.ev, link, documented)
		if err != nil {
			t.Fatal(err)
		}
		if st.Held != s.held || st.RemoteHeld != s.remoteHeld {
			t.Errorf("step %d %s: held %v remote %v, want %v %v", i, s.ev.Kind, st.Held, st.RemoteHeld, s.held, s.remoteHeld)
		}
		if s.ev.Kind != c.EventCallReleased && len(ns) != 0 {
			t.Errorf("step %d %s emitted %s", i, s.ev.Kind, brief(ns))
		}
	}
}

func TestOtherCallAndNonCallEvents(t *testing.T) {
	t.Parallel()
	st, _ := run(t, documented, mk(c.EventCallReceived, term, c.StateAlerting))
	got, ns, err := Apply(st, mk(c.EventCallAnswered, term, c.StateActive, callID("callhalf-2:0")), link, documented)
	if err == nil || !strings.Contains(err.Error(), "callhalf-2:0") || len(ns) != 0 || got.Phase != st.Phase {
		t.Errorf("other call: %v %v %q", err, ns, got.Phase)
	}
	for _, k := range []c.EventKind{c.EventSubscriptionTerminated, c.EventChannelTerminated, c.EventOther} {
		got, ns, err := Apply(st, c.Event{Kind: k}, link, documented)
		if err != nil || len(ns) != 0 || got.Phase != st.Phase {
			t.Errorf("%s: %v %v %q", k, err, ns, got.Phase)
		}
	}
}

func TestRemoteNumberUpgrade(t *testing.T) {
	t.Parallel()
	_, ns := run(t, documented,
		mk(c.EventCallOriginating, c2d, c.StateAlerting, remote("tel:6330")),
		mk(c.EventCallOriginated, orig, c.StateAlerting, remote("tel:6330"), userDN("tel:+34910726330;ext=6330")),
		mk(c.EventCallAnswered, orig, c.StateActive, ans(1), remote("tel:+34600000000")))
	if got := brief(ns); got != "dialed ringing +34910726329>+34910726330\ndialed answered +34910726329>+34910726330" {
		t.Errorf("got\n%s", got)
	}
}
