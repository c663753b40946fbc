package callflow

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"time"

	c "github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

func snapshot(kind c.EventKind, calls ...c.Call) c.Event {
	return c.Event{ID: "snap", Kind: kind, Calls: calls}
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	active := *mk(c.EventCallAnswered, term, c.StateActive, ans(30)).Call
	other := *mk(c.EventCallReceived, term, c.StateAlerting, callID("callhalf-9:0")).Call

	// A call the gateway learns about from a snapshot: split, then applied.
	split := Split(snapshot(c.EventCallSubscription, other, active))
	if len(split) != 2 || split[1].Call.ID != active.ID || split[1].Calls != nil {
		t.Fatalf("Split = %+v", split)
	}
	st, ns, err := Apply(State{}, split[1], link, documented)
	if err != nil || brief(ns) != "received ringing +34910000111>+34910726329\nreceived answered +34910000111>+34910726329" {
		t.Fatalf("new call from snapshot: %v\n%s", err, brief(ns))
	}
	// The same snapshot again, whole: the call is listed, nothing new.
	st, ns, err = Apply(st, snapshot(c.EventCallSubscriptionResync, other, active), link, documented)
	if err != nil || len(ns) != 0 {
		t.Fatalf("listed again: %v %s", err, brief(ns))
	}
	// A resync without the call: it ended while events were lost, at an
	// unknown time; the last time seen (the answer) bounds it, so 0s.
	st, ns, err = Apply(st, snapshot(c.EventCallSubscriptionResync, other), link, documented)
	if err != nil || brief(ns) != "received ended +34910000111>+34910726329 0s" || st.Phase != PhaseReleased {
		t.Fatalf("vanished: %v %q\n%s", err, st.Phase, brief(ns))
	}
	// Nothing happens afterwards, and a zero state ignores whole snapshots.
	if _, ns, _ := Apply(st, snapshot(c.EventCallSubscription), link, documented); len(ns) != 0 {
		t.Errorf("after release: %s", brief(ns))
	}
	if got, ns, _ := Apply(State{}, snapshot(c.EventCallSubscription, active), link, documented); len(ns) != 0 || got.CallID != "" {
		t.Errorf("zero state: %+v %s", got, brief(ns))
	}
	if Split(c.Event{Kind: c.EventOther}) != nil || len(Split(mk(c.EventCallReceived, term, c.StateAlerting))) != 1 {
		t.Error("Split of single events")
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	ringing, _ := run(t, mapped, mk(c.EventCallReceived, term, c.StateAlerting))
	answered, _ := run(t, documented, mk(c.EventCallOriginated, orig, c.StateAlerting), mk(c.EventCallAnswered, orig, c.StateActive, ans(10)))
	originating, _ := run(t, documented, mk(c.EventCallOriginating, c2d, c.StateAlerting))
	released, _ := run(t, documented, mk(c.EventCallReleased, term, c.StateReleased, rel(3)))
	tests := []struct {
		name string
		st   State
		at   time.Time
		set  Settings
		want string
	}{
		{"ringing mapped", ringing, at(40), mapped, "received ended +34910000111>+34910726329 0s"},
		{"ringing documented", ringing, at(40), documented, "received missed +34910000111>+34910726329 0s"},
		{"answered", answered, at(70), documented, "dialed ended +34910726329>+34910000111 60s"},
		{"time before last seen", answered, at(-5), documented, "dialed ended +34910726329>+34910000111 0s"},
		{"originating", originating, at(30), documented, "clicktodialerror noanswer +34910726329>+34910000111 0s"},
		{"released", released, at(30), documented, ""},
		{"new", State{}, at(30), documented, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ns, err := Close(tt.st, tt.at, link, tt.set)
			if err != nil || brief(ns) != tt.want {
				t.Fatalf("Close: %v\n%s\nwant\n%s", err, brief(ns), tt.want)
			}
			if tt.st.Open() && (st.Open() || st.ReleaseTime.IsZero()) {
				t.Errorf("still open: %+v", st)
			}
		})
	}
}

func TestStableID(t *testing.T) {
	t.Parallel()
	alnum := regexp.MustCompile(`^[a-z0-9]{24}$`)
	a := StableID("910726329", "7:1", "callhalf-1:0", 0)
	for _, id := range []string{a, StableID("", "", "", 0)} {
		if !alnum.MatchString(id) {
			t.Errorf("StableID = %q, not 24 alphanumerics", id)
		}
	}
	if a != StableID("910726329", "7:1", "callhalf-1:0", 0) || a != StableID("910726329", "7:1", "callhalf-1:0", 1) {
		t.Error("not deterministic, or the first incarnation changed the id of calls stored before incarnations")
	}
	for _, other := range []string{
		StableID("910726329", "7:1", "callhalf-1:0", 2), // the same ids after a PBX restart
		StableID("910726330", "7:1", "callhalf-2:0", 0), // the other half of an internal call
		StableID("910726329", "7:1", "callhalf-2:0", 0),
		StableID("910726329", "71", "callhalf-1:0", 0),
		StableID("910726329", "7:1c", "allhalf-1:0", 0),
	} {
		if other == a {
			t.Errorf("collision with %q", a)
		}
	}
}

func TestUnattended(t *testing.T) {
	t.Parallel()
	tests := []struct{ cause, party, want string }{
		{"Busy", "", zoho.StateBusy},
		{" busy ", "remoteRelease", zoho.StateBusy},
		{"User Not Found", "", zoho.StateInvalid},
		{"Translation Failure", "", zoho.StateInvalid},
		{"Forbidden", "", zoho.StateBlocked},
		{"Insufficient Credits", "", zoho.StateBlocked},
		{"Temporarily Unavailable", "", zoho.StateNotAvailable},
		{"Routing Failure", "", zoho.StateNotAvailable},
		{"Global Failure", "", zoho.StateNotAvailable},
		{"Server Failure", "", zoho.StateNotAvailable},
		{"Request Failure", "", zoho.StateNotAvailable},
		{"Request Timeout", "remoteRelease", zoho.StateNoAnswer},
		{"Dial Tone Timeout", "", zoho.StateNoAnswer},
		{"", "remoteRelease", zoho.StateRejected},
		{"", "localRelease", zoho.StateNoAnswer},
		{"", "", zoho.StateNoAnswer},
		{"Something New", "", zoho.StateNoAnswer},
	}
	for _, tt := range tests {
		if got := unattended(tt.cause, tt.party); got != tt.want {
			t.Errorf("unattended(%q, %q) = %q, want %q", tt.cause, tt.party, got, tt.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    c.RemoteParty
		want string
	}{
		{c.RemoteParty{Address: "tel:+34910000111"}, "+34910000111"},
		{c.RemoteParty{Address: "tel:910000111"}, "+34910000111"},
		{c.RemoteParty{Address: "tel:1011", UserDN: "tel:+34910726330;ext=1011"}, "+34910726330"},
		{c.RemoteParty{Address: "tel:1011"}, "1011"},
		{c.RemoteParty{Address: "tel:*21#"}, "*21#"},
		{c.RemoteParty{Address: "sip:anonymous@anonymous.invalid"}, ""},
		{c.RemoteParty{}, ""},
	} {
		if got := remoteNumber(tt.r); got != tt.want {
			t.Errorf("remoteNumber(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
	for raw, want := range map[string]string{"910726329": "+34910726329", "+34 910 726 329": "+34910726329", "": "0", "x": "0", "#1": "#1"} {
		if got := number(raw); got != want {
			t.Errorf("number(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	st, ns := run(t, documented,
		mk(c.EventCallOriginated, orig, c.StateAlerting),
		mk(c.EventCallHeld, orig, c.StateHeld, ans(3), cause("x"), party("localRelease")))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, st) {
		t.Errorf("state round trip:\n%+v\n%+v", back, st)
	}
	nb, _ := json.Marshal(ns)
	var nsBack []Notification
	if err := json.Unmarshal(nb, &nsBack); err != nil || !reflect.DeepEqual(nsBack, ns) {
		t.Errorf("notifications round trip: %v\n%+v\n%+v", err, nsBack, ns)
	}
	var zero State
	if b, _ := json.Marshal(zero); string(b) != "{}" {
		t.Errorf("zero state marshals to %s", b)
	}
}

func TestConversions(t *testing.T) {
	t.Parallel()
	n := Notification{Endpoint: EndpointCallNotify, Type: zoho.CallDialed, State: zoho.StateEnded, ID: "abc",
		From: "+34910726329", To: "+34910000111", ZohoUser: "1", StartTime: t0, Duration: 7 * time.Second}
	want := zoho.CallNotify{Type: zoho.CallDialed, State: zoho.StateEnded, ID: "abc", From: "+34910726329",
		To: "+34910000111", ZohoUser: "1", StartTime: t0, Duration: 7 * time.Second}
	if got := n.CallNotify(); got != want {
		t.Errorf("CallNotify = %+v", got)
	}
	e := Notification{Endpoint: EndpointClickToDialError, State: zoho.DialNoAnswer, From: "+34910726329", To: "+34910000111", ZohoUser: "1"}
	if got := e.ClickToDialError(); got != (zoho.ClickToDialError{Code: "noanswer", From: "+34910726329", To: "+34910000111", ZohoUser: "1"}) {
		t.Errorf("ClickToDialError = %+v", got)
	}
	if !e.Terminal() || (Notification{State: zoho.StateAnswered}).Terminal() || !(Notification{State: zoho.StateBusy}).Terminal() {
		t.Error("Terminal")
	}
	ns := []Notification{{State: "ringing"}, {State: "ended", StartTime: t0}}
	FillStartTime(ns, at(9))
	if !ns[0].StartTime.Equal(at(9)) || !ns[1].StartTime.Equal(t0) {
		t.Errorf("FillStartTime: %v %v", ns[0].StartTime, ns[1].StartTime)
	}
	if !DefaultSettings().MapRejectedStatesToEnded {
		t.Error("DefaultSettings must map the rejected states")
	}
}
