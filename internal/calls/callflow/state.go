package callflow

import (
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
)

// Phase is how far a call has got. Phases only move forward, in the order
// of the constants.
type Phase string

// The phases of a call.
const (
	// PhaseNew: nothing is known yet (the zero State).
	PhaseNew Phase = ""
	// PhaseCollecting: the seat is dialling; nobody is called yet.
	PhaseCollecting Phase = "collecting"
	// PhaseOriginating: a click-to-dial is ringing the agent's own device.
	PhaseOriginating Phase = "originating"
	// PhaseRinging: the far end (dialed) or the seat (received) is alerted.
	PhaseRinging Phase = "ringing"
	// PhaseAnswered: the call is connected (possibly held).
	PhaseAnswered Phase = "answered"
	// PhaseReleased: the call has ended; nothing changes any more.
	PhaseReleased Phase = "released"
)

// rank orders the phases.
func (p Phase) rank() int {
	switch p {
	case PhaseCollecting, PhaseOriginating:
		return 1
	case PhaseRinging:
		return 2
	case PhaseAnswered:
		return 3
	case PhaseReleased:
		return 4
	}
	return 0
}

// State is the persisted state of one seat's call half. The zero value is a
// call nothing is known about. It round-trips through encoding/json.
type State struct {
	// ID is the stable callnotify id (StableID), set by the first call event.
	ID string `json:"id,omitempty"`
	// Incarnation tells apart calls of one seat that the PBX gave the same
	// call id (its ids start again after a restart): the caller sets it
	// before the first event, 0 or 1 for the first call with that id.
	Incarnation int `json:"incarnation,omitempty"`
	// CallID is the Xsi call-half id (what call control takes).
	CallID string `json:"call_id,omitempty"`
	// ExtTrackingID is the PBX's tracking id shared by internal halves.
	ExtTrackingID string `json:"ext_tracking_id,omitempty"`
	// Type is zoho.CallReceived or zoho.CallDialed once known.
	Type string `json:"type,omitempty"`
	// Phase is how far the call has got.
	Phase Phase `json:"phase,omitempty"`
	// Held is true while the seat holds the call; RemoteHeld while the
	// other side does.
	Held       bool `json:"held,omitempty"`
	RemoteHeld bool `json:"remote_held,omitempty"`
	// Remote is the other party's normalised number, RemoteName its name.
	Remote     string `json:"remote,omitempty"`
	RemoteName string `json:"remote_name,omitempty"`
	// The PBX's times; zero when not reported. LastSeen is the latest time
	// any event of the call reported.
	StartTime   time.Time `json:"start_time,omitzero"`
	AnswerTime  time.Time `json:"answer_time,omitzero"`
	ReleaseTime time.Time `json:"release_time,omitzero"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
	// ReleaseCause and ReleasingParty as last reported.
	ReleaseCause   string `json:"release_cause,omitempty"`
	ReleasingParty string `json:"releasing_party,omitempty"`
	// Outcome is the real terminal state before MapRejectedStatesToEnded
	// (for example "missed"), or the clicktodialerror code; empty while the
	// call is open.
	Outcome string `json:"outcome,omitempty"`
	// Sent lists the callnotify states (or "clicktodialerror") emitted so
	// far, in order.
	Sent []string `json:"sent,omitempty"`
}

// Open reports whether the call has started and not ended, i.e. whether a
// sweeper should eventually Close it.
func (s State) Open() bool { return s.Phase != PhaseNew && s.Phase != PhaseReleased }

// Link is the Zoho side of the seat the call belongs to.
type Link struct {
	// ZohoUser is the linked Zoho user id (callnotify zohouser).
	ZohoUser string
	// SeatNumber is the seat's number as the PBX lists it; it is normalised
	// for the notifications and also keys StableID.
	SeatNumber string
}

// Settings are the company's choices that change what is sent.
type Settings struct {
	// MapRejectedStatesToEnded sends received missed and the unattended
	// dialed states as ended with duration 0 (see the package comment). The
	// zero value is false; use DefaultSettings for the recommended default.
	MapRejectedStatesToEnded bool
}

// DefaultSettings returns the recommended settings: the states the live API
// reportedly rejects are mapped to ended.
func DefaultSettings() Settings { return Settings{MapRejectedStatesToEnded: true} }

// Endpoint names the PhoneBridge request a Notification becomes.
type Endpoint string

// The endpoints notifications are sent to.
const (
	// EndpointCallNotify is POST /phonebridge/v3/callnotify.
	EndpointCallNotify Endpoint = "callnotify"
	// EndpointClickToDialError is POST /phonebridge/v3/clicktodialerror.
	EndpointClickToDialError Endpoint = "clicktodialerror"
)

// Notification is one request to send to Zoho, in the order returned. It
// mirrors zoho.CallNotify; for EndpointClickToDialError, State holds the
// error code and From/To the agent and customer numbers.
type Notification struct {
	Endpoint Endpoint `json:"endpoint"`
	// Type is zoho.CallReceived or zoho.CallDialed.
	Type string `json:"type"`
	// State is a zoho.State… constant (or a zoho.Dial… code).
	State string `json:"state"`
	// ID is the call's StableID.
	ID string `json:"id"`
	// From and To follow Zoho's direction rule: received from the customer
	// to the agent, dialed from the agent to the customer.
	From string `json:"from"`
	To   string `json:"to"`
	// ZohoUser is the linked Zoho user.
	ZohoUser string `json:"zohouser,omitempty"`
	// StartTime is when the call began; zero when the PBX did not say.
	StartTime time.Time `json:"start_time,omitzero"`
	// Duration is whole seconds, set on terminal states only.
	Duration time.Duration `json:"duration,omitempty"`
}

// Terminal reports whether n ends the call in Zoho.
func (n Notification) Terminal() bool {
	return n.Endpoint == EndpointClickToDialError || (n.State != zoho.StateRinging && n.State != zoho.StateAnswered)
}

// CallNotify converts n (EndpointCallNotify) for the PhoneBridge client.
func (n Notification) CallNotify() zoho.CallNotify {
	return zoho.CallNotify{Type: n.Type, State: n.State, ID: n.ID, From: n.From, To: n.To,
		ZohoUser: n.ZohoUser, StartTime: n.StartTime, Duration: n.Duration}
}

// ClickToDialError converts n (EndpointClickToDialError) for the PhoneBridge
// client; the caller may add a message in the company's language.
func (n Notification) ClickToDialError() zoho.ClickToDialError {
	return zoho.ClickToDialError{Code: n.State, From: n.From, To: n.To, ZohoUser: n.ZohoUser}
}

// FillStartTime sets the StartTime of notifications that have none to at.
// Apply leaves StartTime zero only when the PBX reported no time at all for
// the call; Zoho requires start_time on terminal states, so the caller
// passes when it received the event.
func FillStartTime(ns []Notification, at time.Time) {
	for i := range ns {
		if ns[i].StartTime.IsZero() {
			ns[i].StartTime = at
		}
	}
}
