package callflow

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// ErrOtherCall is returned by Apply when the event is about another call
// half than the state; the state is returned unchanged.
var ErrOtherCall = errors.New("callflow: event is about another call")

// Apply feeds one Centrex event of the call into st and returns the new
// state and the notifications to send, in order. Events without a call
// (subscription and channel events) change nothing.
//
// A snapshot (CallSubscription, CallSubscriptionResync) may come whole or
// split per call: with Event.Call set it is that call's snapshot; otherwise
// the call is looked up in Event.Calls by st.CallID, and a started call the
// snapshot no longer lists is released at its last reported time, which
// understates the duration of an answered call: a caller that knows when the
// snapshot arrived should rather Close such calls at that time. To start tracking the calls of a
// snapshot, apply it to a zero State once per call with Event.Call set
// (see Split).
func Apply(st State, ev centrex.Event, link Link, set Settings) (State, []Notification, error) {
	call := ev.Call
	snapshot := ev.Kind == centrex.EventCallSubscription || ev.Kind == centrex.EventCallSubscriptionResync
	if snapshot && call == nil {
		if st.CallID == "" {
			return st, nil, nil
		}
		i := slices.IndexFunc(ev.Calls, func(c centrex.Call) bool { return c.ID == st.CallID })
		if i < 0 {
			return Close(st, st.LastSeen, link, set)
		}
		call = &ev.Calls[i]
	}
	if call == nil {
		return st, nil, nil
	}
	if st.CallID != "" && call.ID != st.CallID {
		return st, nil, fmt.Errorf("%w: state %s, event %s", ErrOtherCall, st.CallID, call.ID)
	}
	if st.Phase == PhaseReleased {
		return st, nil, nil
	}
	st = absorb(st, ev.Kind, *call, link)
	if ev.Kind == centrex.EventCallCollecting && st.Phase == PhaseNew {
		st.Phase = PhaseCollecting
	}
	if st.Type == "" {
		return st, nil, nil
	}
	if call.State == centrex.StateReleased || ev.Kind == centrex.EventCallReleased {
		return release(st, call.Personality, link, set)
	}
	target := observe(ev.Kind, *call, snapshot)
	if target.rank() <= st.Phase.rank() {
		return st, nil, nil
	}
	st.Phase = target
	var out []Notification
	if target == PhaseAnswered && !st.sent(zoho.StateRinging) {
		out = append(out, st.notify(zoho.StateRinging, link))
	}
	if target == PhaseRinging || target == PhaseAnswered {
		out = append(out, st.notify(string(target), link))
	}
	st.Sent = append(slices.Clone(st.Sent), sentStates(out)...)
	return st, out, nil
}

// Close ends an open call whose release never arrived, as if released at
// time at (raised to the last reported time if earlier). A sweeper calls it
// once the Centrex no longer lists the call. New and released states are
// returned unchanged.
func Close(st State, at time.Time, link Link, set Settings) (State, []Notification, error) {
	if !st.Open() {
		return st, nil, nil
	}
	if at.Before(st.LastSeen) {
		at = st.LastSeen
	}
	if st.ReleaseTime.IsZero() {
		st.ReleaseTime = at
	}
	st.LastSeen = at
	if st.Type == "" {
		st.Phase = PhaseReleased
		return st, nil, nil
	}
	return release(st, "", link, set)
}

// progressKinds are the events whose call state moves the call forward;
// the others (Updated, Redirected, Detached, Releasing) only contribute
// details.
var progressKinds = map[centrex.EventKind]bool{
	centrex.EventCallOriginating: true, centrex.EventCallOriginated: true, centrex.EventCallReceived: true,
	centrex.EventCallAnswered: true, centrex.EventCallHeld: true, centrex.EventCallRetrieved: true,
	centrex.EventCallForwarded: true, centrex.EventCallTransferred: true,
	centrex.EventCallPickedUp: true, centrex.EventCallParkRetrieved: true,
	centrex.EventCallSubscription: true, centrex.EventCallSubscriptionResync: true,
}

// observe returns the phase the event shows the call in (PhaseNew when it
// shows no progress).
func observe(kind centrex.EventKind, c centrex.Call, snapshot bool) Phase {
	if kind == centrex.EventCallCollecting {
		return PhaseCollecting
	}
	if !progressKinds[kind] && !snapshot {
		return PhaseNew
	}
	if c.Personality == centrex.PersonalityClickToDial || kind == centrex.EventCallOriginating {
		return PhaseOriginating
	}
	switch {
	case kind == centrex.EventCallAnswered || kind == centrex.EventCallHeld || kind == centrex.EventCallRetrieved,
		!c.AnswerTime.IsZero(), c.State == centrex.StateActive,
		c.State == centrex.StateHeld, c.State == centrex.StateRemoteHeld:
		return PhaseAnswered
	case c.State == centrex.StateAlerting, kind == centrex.EventCallReceived, kind == centrex.EventCallOriginated:
		return PhaseRinging
	}
	return PhaseNew
}

// newTracking are the events that report a new extTrackingId for the same
// call half (the call's id stays).
var newTracking = map[centrex.EventKind]bool{
	centrex.EventCallPickedUp: true, centrex.EventCallParkRetrieved: true, centrex.EventCallTransferred: true,
}

// absorb records what the event tells about the call.
func absorb(st State, kind centrex.EventKind, c centrex.Call, link Link) State {
	if st.CallID == "" {
		st.CallID = c.ID
	}
	if st.ExtTrackingID == "" || newTracking[kind] && c.ExtTrackingID != "" {
		st.ExtTrackingID = c.ExtTrackingID
	}
	if st.ID == "" {
		st.ID = StableID(link.SeatNumber, st.ExtTrackingID, st.CallID, st.Incarnation)
	}
	if st.Type == "" {
		st.Type = typeOf(kind, c.Personality)
	}
	if kind == centrex.EventCallCollecting {
		// The remote party of a call being dialled is the digits so far.
		st = times(st, c)
		return st
	}
	// The first number known is kept, except that before anything was sent
	// an E.164 number replaces an extension (a click-to-dial to "6330"
	// learns the seat's full number once the far end is called). The
	// event's number is parsed only when it may be kept.
	if st.Remote == "" || len(st.Sent) == 0 && !isE164(st.Remote) {
		if r := remoteNumber(c.Remote); st.Remote == "" || isE164(r) {
			st.Remote = r
		}
	}
	if st.RemoteName == "" {
		st.RemoteName = c.Remote.Name
	}
	st = times(st, c)
	if c.ReleaseCause != "" {
		st.ReleaseCause = c.ReleaseCause
	}
	if c.ReleasingParty != "" {
		st.ReleasingParty = c.ReleasingParty
	}
	switch {
	case kind == centrex.EventCallRetrieved, c.State == centrex.StateActive:
		st.Held, st.RemoteHeld = false, false
	case c.State == centrex.StateHeld:
		st.Held = true
	case c.State == centrex.StateRemoteHeld:
		st.RemoteHeld = true
	}
	return st
}

// times records the PBX's times of the call.
func times(st State, c centrex.Call) State {
	if st.StartTime.IsZero() {
		st.StartTime = c.StartTime
	}
	if st.AnswerTime.IsZero() && c.Personality != centrex.PersonalityClickToDial {
		st.AnswerTime = c.AnswerTime
	}
	if st.ReleaseTime.IsZero() {
		st.ReleaseTime = c.ReleaseTime
	}
	for _, t := range []time.Time{c.StartTime, c.AnswerTime, c.HeldTime, c.ReleaseTime} {
		if t.After(st.LastSeen) {
			st.LastSeen = t
		}
	}
	return st
}

// typeOf tells the direction from the event kind when it says more than
// the personality (a call picked up or retrieved from park reached the seat
// from elsewhere: received, whoever dialled the pickup code), else from the
// personality, else from the kind. A call still collecting digits has no
// direction yet.
func typeOf(kind centrex.EventKind, p centrex.Personality) string {
	switch {
	case kind == centrex.EventCallCollecting:
		return ""
	case kind == centrex.EventCallPickedUp, kind == centrex.EventCallParkRetrieved:
		return zoho.CallReceived
	case p == centrex.PersonalityTerminator:
		return zoho.CallReceived
	case p == centrex.PersonalityOriginator, p == centrex.PersonalityClickToDial:
		return zoho.CallDialed
	case kind == centrex.EventCallReceived:
		return zoho.CallReceived
	case kind == centrex.EventCallOriginating, kind == centrex.EventCallOriginated:
		return zoho.CallDialed
	}
	return ""
}

// firstKinds are the events that only ever begin a call half.
var firstKinds = map[centrex.EventKind]bool{
	centrex.EventCallReceived: true, centrex.EventCallOriginating: true, centrex.EventCallCollecting: true,
}

// IsNewCall reports whether call c, reported under st's call id by an
// event of kind, is another call than st: a PBX that restarted numbers its
// calls from the start again, so an id alone does not name one call. The
// caller then closes an open st and tracks c as a new incarnation.
//
// c is another call when it started at another time than st (or, when
// either time is unknown, has another extTrackingId, not counting the
// events that change it), and either st has ended, or st is still open
// (the PBX lost it when it restarted) and the event can only begin a call
// (CallReceived, CallOriginating, CallCollecting), or it is a CallOriginated
// or a snapshot with another extTrackingId too (a click-to-dial's
// CallOriginated follows its CallOriginating under the same ids).
func IsNewCall(st State, kind centrex.EventKind, c centrex.Call) bool {
	if st.Phase == PhaseNew || st.CallID == "" || c.ID != st.CallID {
		return false
	}
	otherTracking := st.ExtTrackingID != "" && c.ExtTrackingID != "" && c.ExtTrackingID != st.ExtTrackingID && !newTracking[kind]
	differs := otherTracking
	if !st.StartTime.IsZero() && !c.StartTime.IsZero() {
		differs = !c.StartTime.Equal(st.StartTime)
	}
	switch {
	case !differs:
		return false
	case st.Phase == PhaseReleased, firstKinds[kind]:
		return true
	}
	snapshot := kind == centrex.EventCallSubscription || kind == centrex.EventCallSubscriptionResync
	return (kind == centrex.EventCallOriginated || snapshot) && otherTracking
}

// IsOlderCall reports whether call c, reported under st's call id, began
// before st did: it is a late event of an earlier call the PBX gave the
// same id, and must change nothing.
func IsOlderCall(st State, c centrex.Call) bool {
	return st.CallID == c.ID && !st.StartTime.IsZero() && !c.StartTime.IsZero() && c.StartTime.Before(st.StartTime)
}

// Split returns one event per call of a snapshot or of a CallRedirected
// (each with Event.Call set and Calls cleared), for starting to track calls
// the snapshot reveals. Any other event comes back alone when it carries a
// call, and as nil when not.
func Split(ev centrex.Event) []centrex.Event {
	if ev.Call != nil {
		return []centrex.Event{ev}
	}
	switch ev.Kind {
	case centrex.EventCallSubscription, centrex.EventCallSubscriptionResync, centrex.EventCallRedirected:
	default:
		return nil
	}
	out := make([]centrex.Event, 0, len(ev.Calls))
	for i := range ev.Calls {
		e := ev
		e.Calls, e.Call = nil, &ev.Calls[i]
		out = append(out, e)
	}
	return out
}
