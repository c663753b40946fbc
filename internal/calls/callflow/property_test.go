package callflow

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"regexp"
	"testing"

	c "github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

var (
	randKinds = []c.EventKind{
		c.EventCallOriginating, c.EventCallOriginated, c.EventCallReceived, c.EventCallAnswered,
		c.EventCallHeld, c.EventCallRetrieved, c.EventCallReleasing, c.EventCallReleased,
		c.EventCallUpdated, c.EventCallRedirected, c.EventCallForwarded, c.EventCallTransferred,
		c.EventCallDetached, c.EventCallSubscription, c.EventCallSubscriptionResync,
		c.EventSubscriptionTerminated, c.EventOther,
	}
	randPers   = []c.Personality{term, orig, c2d, ""}
	randStates = []c.CallState{c.StateAlerting, c.StateActive, c.StateHeld, c.StateRemoteHeld, c.StateDetached, c.StateReleased, ""}
	randCauses = []string{"", "", "Busy", "User Not Found", "Forbidden", "Temporarily Unavailable", "Request Timeout"}
	randParty  = []string{"", "localRelease", "remoteRelease"}
)

// randomEvent is any event about the default call, sometimes a whole
// snapshot that lists it or not.
func randomEvent(r *rand.Rand) c.Event {
	kind := randKinds[r.IntN(len(randKinds))]
	opts := []opt{cause(randCauses[r.IntN(len(randCauses))]), party(randParty[r.IntN(len(randParty))])}
	if r.IntN(2) == 0 {
		opts = append(opts, ans(r.IntN(60)))
	}
	if r.IntN(2) == 0 {
		opts = append(opts, rel(r.IntN(120)))
	}
	if r.IntN(8) == 0 {
		opts = append(opts, noStart())
	}
	ev := mk(kind, randPers[r.IntN(len(randPers))], randStates[r.IntN(len(randStates))], opts...)
	switch {
	case kind == c.EventSubscriptionTerminated || kind == c.EventOther:
		ev.Call = nil
	case (kind == c.EventCallSubscription || kind == c.EventCallSubscriptionResync) && r.IntN(2) == 0:
		ev.Calls = []c.Call{*mk(c.EventCallReceived, term, c.StateAlerting, callID("callhalf-99:0")).Call}
		if r.IntN(2) == 0 {
			ev.Calls = append(ev.Calls, *ev.Call)
		}
		ev.Call = nil
	}
	return ev
}

var validStates = map[string]map[string]bool{
	zoho.CallReceived: {"ringing": true, "answered": true, "missed": true, "ended": true},
	zoho.CallDialed: {"ringing": true, "answered": true, "ended": true, "busy": true, "invalid": true,
		"blocked": true, "notavailable": true, "noanswer": true, "rejected": true},
}

// TestRandomSequences checks, for random event sequences of one call, that
// the notifications are a subsequence of ringing, answered, one terminal
// state, consistent in id, type and direction, and that persisting the state
// as JSON between events changes nothing.
func TestRandomSequences(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 2026))
	alnum := regexp.MustCompile(`^[a-z0-9]+$`)
	for i := range 5000 {
		set := Settings{MapRejectedStatesToEnded: r.IntN(2) == 0}
		var st, persisted State
		var all []Notification
		var trace []c.EventKind
		for range 1 + r.IntN(10) {
			ev := randomEvent(r)
			trace = append(trace, ev.Kind)
			next, out, err := Apply(st, ev, link, set)
			if err != nil {
				t.Fatalf("seq %d %v: %v", i, trace, err)
			}
			b, _ := json.Marshal(persisted)
			var loaded State
			if err := json.Unmarshal(b, &loaded); err != nil {
				t.Fatal(err)
			}
			p, pout, _ := Apply(loaded, ev, link, set)
			if !reflect.DeepEqual(pout, out) || p.Phase != next.Phase || !reflect.DeepEqual(p.Sent, next.Sent) {
				t.Fatalf("seq %d %v: persisted state diverges:\n%s\nvs\n%s", i, trace, brief(pout), brief(out))
			}
			st, persisted, all = next, p, append(all, out...)
		}
		open := st.Open() && st.Type != ""
		st, out, _ := Close(st, at(500), link, set)
		all = append(all, out...)
		if open && (len(out) != 1 || !out[0].Terminal()) {
			t.Fatalf("seq %d %v: Close of an open call emitted %s", i, trace, brief(out))
		}
		checkSequence(t, i, trace, st, all, set, alnum)
	}
}

func checkSequence(t *testing.T, i int, trace []c.EventKind, st State, all []Notification, set Settings, alnum *regexp.Regexp) {
	t.Helper()
	fail := func(msg string) { t.Fatalf("seq %d %v: %s:\n%s", i, trace, msg, brief(all)) }
	last, terminals := 0, 0
	for j, n := range all {
		rank := map[string]int{zoho.StateRinging: 1, zoho.StateAnswered: 2}[n.State]
		if n.Terminal() {
			rank, terminals = 3, terminals+1
		}
		if rank <= last {
			fail("out of order or repeated")
		}
		last = rank
		if n.ID != st.ID || !alnum.MatchString(n.ID) || n.Type != st.Type || n.ZohoUser != link.ZohoUser {
			fail("id, type or zohouser changed")
		}
		if n.Endpoint == EndpointClickToDialError && (len(all) != 1 || n.Type != zoho.CallDialed) {
			fail("clicktodialerror after a callnotify")
		}
		if n.Endpoint == EndpointCallNotify && !validStates[n.Type][n.State] {
			fail("state not valid for type")
		}
		if set.MapRejectedStatesToEnded && n.Endpoint == EndpointCallNotify && n.Terminal() && n.State != zoho.StateEnded {
			fail("rejected state sent although mapped")
		}
		if n.Duration < 0 || n.Duration%1e9 != 0 || !n.Terminal() && n.Duration != 0 {
			fail("bad duration")
		}
		seat := "+34910726329"
		if n.Type == zoho.CallReceived && n.To != seat || n.Type == zoho.CallDialed && n.From != seat {
			fail("direction")
		}
		if n.StartTime.IsZero() && j == len(all)-1 && n.Terminal() && !st.StartTime.IsZero() {
			fail("terminal without start_time")
		}
	}
	if terminals > 1 {
		fail("more than one terminal notification")
	}
	if terminals == 1 && st.Phase != PhaseReleased || st.Phase == PhaseReleased && st.Type != "" && terminals != 1 {
		fail("terminal notification and released phase disagree")
	}
}
