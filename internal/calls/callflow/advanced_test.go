package callflow

import (
	"testing"

	c "github.com/conecta-zoho/gateway/internal/centrex"
)

func ext(id string) opt { return func(c *c.Call) { c.ExtTrackingID = id } }

// TestAdvancedCallScenarios: the Advanced Call events beyond the basic ones
// still make the seat that has the call see it pop up and get it logged.
func TestAdvancedCallScenarios(t *testing.T) {
	t.Parallel()
	type evs = []c.Event
	tests := []struct {
		name string
		evs  evs
		want string
	}{
		{"picked up from another seat", evs{
			// The seat dials the pickup code, then gets the call that was
			// ringing at a colleague's seat, with a new extTrackingId.
			mk(c.EventCallCollecting, orig, c.StateActive, remote("tel:*986330"), ext("8:1")),
			mk(c.EventCallPickedUp, orig, c.StateAlerting, ext("9:1")),
			mk(c.EventCallAnswered, orig, c.StateActive, ans(2), ext("9:1")),
			mk(c.EventCallReleased, orig, c.StateReleased, ans(2), rel(32), ext("9:1")),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 30s"},
		{"picked up, first event seen", evs{
			mk(c.EventCallPickedUp, term, c.StateAlerting),
			mk(c.EventCallAnswered, term, c.StateActive, ans(1)),
			mk(c.EventCallReleased, term, c.StateReleased, ans(1), rel(11)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 10s"},
		{"retrieved from park", evs{
			mk(c.EventCallParkRetrieved, orig, c.StateAlerting, ext("12:1")),
			mk(c.EventCallAnswered, orig, c.StateActive, ans(3)),
			mk(c.EventCallReleased, orig, c.StateReleased, ans(3), rel(13)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 10s"},
		{"outgoing call forwarded by the far end", evs{
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallForwarded, orig, c.StateAlerting, remote("tel:+34600999888")),
			mk(c.EventCallAnswered, orig, c.StateActive, ans(5), remote("tel:+34600999888")),
			mk(c.EventCallReleased, orig, c.StateReleased, ans(5), rel(25), remote("tel:+34600999888")),
		}, "dialed ringing +34910726329>+34910000111\ndialed answered +34910726329>+34910000111\n" +
			"dialed ended +34910726329>+34910000111 20s"},
		{"forwarded, first event seen", evs{
			mk(c.EventCallForwarded, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(9), cause("Busy")),
		}, "dialed ringing +34910726329>+34910000111\ndialed busy +34910726329>+34910000111 0s"},
		{"transferred by the other party", evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			mk(c.EventCallAnswered, term, c.StateActive, ans(2)),
			mk(c.EventCallTransferred, term, c.StateActive, ans(2), ext("13:1"), remote("tel:+34600555444")),
			mk(c.EventCallReleased, term, c.StateReleased, ans(2), rel(62), ext("13:1")),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329\n" +
			"received ended +34910000111>+34910726329 60s"},
		{"transferred, first event seen", evs{
			mk(c.EventCallTransferred, term, c.StateActive, ans(2)),
		}, "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329"},
		{"redirected away by the seat's forwarding", evs{
			mk(c.EventCallReceived, term, c.StateAlerting),
			{Kind: c.EventCallRedirected, Calls: []c.Call{*mk(c.EventCallRedirected, term, c.StateDetached).Call}},
			mk(c.EventCallReleased, term, c.StateReleased, rel(1)),
		}, "received ringing +34910000111>+34910726329\nreceived missed +34910000111>+34910726329 0s"},
		{"hung up while dialling", evs{
			mk(c.EventCallCollecting, orig, c.StateActive, remote("tel:91")),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(4)),
		}, ""},
		{"collecting, then dialled", evs{
			mk(c.EventCallCollecting, orig, c.StateActive, remote("tel:9")),
			mk(c.EventCallOriginated, orig, c.StateAlerting),
			mk(c.EventCallReleased, orig, c.StateReleased, rel(8), party("remoteRelease")),
		}, "dialed ringing +34910726329>+34910000111\ndialed rejected +34910726329>+34910000111 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st State
			var ns []Notification
			for i, ev := range tt.evs {
				for _, e := range Split(ev) {
					var out []Notification
					var err error
					if st, out, err = Apply(st, e, link, documented); err != nil {
						t.Fatalf("event %d (%s): %v", i, e.Kind, err)
					}
					ns = append(ns, out...)
				}
			}
			if got := brief(ns); got != tt.want {
				t.Fatalf("notifications:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, n := range ns {
				if n.ID != st.ID || n.ID == "" {
					t.Errorf("notification %+v under id %q", n, st.ID)
				}
			}
		})
	}
}

// TestPickedUpKeepsItsID: the new extTrackingId of a picked-up call does
// not change the call's Zoho id, and is recorded.
func TestPickedUpKeepsItsID(t *testing.T) {
	t.Parallel()
	st, _ := run(t, documented,
		mk(c.EventCallCollecting, orig, c.StateActive, ext("8:1")),
		mk(c.EventCallPickedUp, orig, c.StateAlerting, ext("9:1")))
	if st.ID != StableID(link.SeatNumber, "8:1", "callhalf-1:0", 0) || st.ExtTrackingID != "9:1" || st.Type != "received" {
		t.Fatalf("state %+v", st)
	}
}

// TestIsNewCall: which events under a known call id are another call (a
// restarted PBX reuses ids) and which are late events of an earlier one.
func TestIsNewCall(t *testing.T) {
	t.Parallel()
	open, _ := run(t, documented, mk(c.EventCallReceived, term, c.StateAlerting))
	ended, _ := run(t, documented, mk(c.EventCallReceived, term, c.StateAlerting),
		mk(c.EventCallReleased, term, c.StateReleased, rel(5)))
	c2d, _ := run(t, documented, mk(c.EventCallOriginating, c2d, c.StateAlerting))
	later := func(kind c.EventKind, p c.Personality, s c.CallState, opts ...opt) c.Call {
		return *mk(kind, p, s, append([]opt{func(x *c.Call) { x.StartTime = at(3600) }}, opts...)...).Call
	}
	tests := []struct {
		name string
		st   State
		kind c.EventKind
		call c.Call
		want bool
	}{
		{"same call, later event", open, c.EventCallAnswered, *mk(c.EventCallAnswered, term, c.StateActive, ans(2)).Call, false},
		{"ended, a call started later", ended, c.EventCallReceived, later(c.EventCallReceived, term, c.StateAlerting), true},
		{"ended, a later call's answer", ended, c.EventCallAnswered, later(c.EventCallAnswered, term, c.StateActive), true},
		{"ended, its own late release", ended, c.EventCallReleased, *mk(c.EventCallReleased, term, c.StateReleased, rel(5)).Call, false},
		{"open, a new call rings", open, c.EventCallReceived, later(c.EventCallReceived, term, c.StateAlerting), true},
		{"open, another call's answer", open, c.EventCallAnswered, later(c.EventCallAnswered, term, c.StateActive), false},
		{"click-to-dial picked up", c2d, c.EventCallOriginated, later(c.EventCallOriginated, orig, c.StateAlerting), false},
		{"open, a snapshot of another call", open, c.EventCallSubscriptionResync,
			later(c.EventCallSubscriptionResync, term, c.StateAlerting, ext("1:1")), true},
		{"new state", State{}, c.EventCallReceived, later(c.EventCallReceived, term, c.StateAlerting), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNewCall(tt.st, tt.kind, tt.call); got != tt.want {
				t.Fatalf("IsNewCall = %v, want %v", got, tt.want)
			}
		})
	}
	if !IsOlderCall(State{CallID: "callhalf-1:0", StartTime: at(3600)}, *mk(c.EventCallReleased, term, c.StateReleased).Call) {
		t.Error("an event of a call that began earlier is not older")
	}
	if IsOlderCall(open, *mk(c.EventCallReleased, term, c.StateReleased).Call) {
		t.Error("an event of the call itself is older")
	}
}
