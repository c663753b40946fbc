package callflow

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

var (
	t0   = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	link = Link{ZohoUser: "20000000001", SeatNumber: "910726329"}
	// mapped and documented are the two values of the setting.
	mapped     = Settings{MapRejectedStatesToEnded: true}
	documented = Settings{}
)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// opt changes the call of a test event.
type opt func(*centrex.Call)

func ans(sec int) opt      { return func(c *centrex.Call) { c.AnswerTime = at(sec) } }
func rel(sec int) opt      { return func(c *centrex.Call) { c.ReleaseTime = at(sec) } }
func cause(s string) opt   { return func(c *centrex.Call) { c.ReleaseCause = s } }
func party(s string) opt   { return func(c *centrex.Call) { c.ReleasingParty = s } }
func remote(a string) opt  { return func(c *centrex.Call) { c.Remote.Address = a } }
func userDN(a string) opt  { return func(c *centrex.Call) { c.Remote.UserDN = a } }
func callID(id string) opt { return func(c *centrex.Call) { c.ID = id } }
func noStart() opt         { return func(c *centrex.Call) { c.StartTime = time.Time{} } }

// mk builds an event of the default call (callhalf-1:0, tracking 7:1,
// started at t0, remote +34910000111).
func mk(kind centrex.EventKind, p centrex.Personality, s centrex.CallState, opts ...opt) centrex.Event {
	c := centrex.Call{ID: "callhalf-1:0", ExtTrackingID: "7:1", Personality: p, State: s, StartTime: t0,
		Remote: centrex.RemoteParty{Address: "tel:+34910000111", CallType: "Network"}}
	for _, o := range opts {
		o(&c)
	}
	return centrex.Event{ID: "ev-" + string(kind), TargetID: "910726329@conecta.orange.es", Kind: kind,
		Type: string(kind) + "Event", Call: &c}
}

// Shorthands for the common events.
var (
	term = centrex.PersonalityTerminator
	orig = centrex.PersonalityOriginator
	c2d  = centrex.PersonalityClickToDial
)

// run applies events to a zero state and returns the final state and every
// notification, failing the test on an error.
func run(tb testing.TB, set Settings, evs ...centrex.Event) (State, []Notification) {
	tb.Helper()
	var st State
	var all []Notification
	for i, ev := range evs {
		var out []Notification
		var err error
		st, out, err = Apply(st, ev, link, set)
		if err != nil {
			tb.Fatalf("event %d (%s): %v", i, ev.Kind, err)
		}
		all = append(all, out...)
	}
	return st, all
}

// brief renders notifications as "type state from>to 12s" lines.
func brief(ns []Notification) string {
	var lines []string
	for _, n := range ns {
		s := fmt.Sprintf("%s %s %s>%s", n.Type, n.State, n.From, n.To)
		if n.Endpoint == EndpointClickToDialError {
			s = fmt.Sprintf("clicktodialerror %s %s>%s", n.State, n.From, n.To)
		}
		if n.Terminal() {
			s += fmt.Sprintf(" %ds", int(n.Duration/time.Second))
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}
