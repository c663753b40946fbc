package centrex

import "time"

// Personality is the role of a seat's call half.
type Personality string

// Personalities reported by the PBX.
const (
	// PersonalityOriginator is an outgoing call half (the seat dialled).
	PersonalityOriginator Personality = "Originator"
	// PersonalityTerminator is an incoming call half (the seat is called).
	PersonalityTerminator Personality = "Terminator"
	// PersonalityClickToDial is the seat's own leg of a click-to-dial call
	// before the seat picked it up.
	PersonalityClickToDial Personality = "Click-to-Dial"
)

// CallState is the state of a seat's call half.
type CallState string

// Call states reported by the PBX.
const (
	StateAlerting   CallState = "Alerting"
	StateActive     CallState = "Active"
	StateHeld       CallState = "Held"
	StateRemoteHeld CallState = "Remote Held"
	StateDetached   CallState = "Detached"
	StateReleased   CallState = "Released"
	StateIdle       CallState = "Idle"
)

// RemoteParty is the other end of a call as the seat sees it. Address is a URI
// such as "tel:+34910726330" or "tel:1011" (an extension); UserID is set only
// when the remote party is a user of the same PBX. CallType is the PBX's
// classification (Group, Enterprise, Network, Unknown, ...).
type RemoteParty struct {
	Name     string
	Address  string
	UserID   string
	UserDN   string
	CallType string
}

// Call is one call half of a seat. ID identifies the half (and is what the
// call-control operations take); ExtTrackingID is shared by both halves of a
// call between two seats of the PBX. Zero times mean "not reported": a call
// released without AnswerTime was never answered (missed when incoming).
type Call struct {
	ID            string
	ExtTrackingID string
	NetworkCallID string
	Personality   Personality
	State         CallState
	Remote        RemoteParty

	StartTime   time.Time
	AnswerTime  time.Time
	HeldTime    time.Time
	ReleaseTime time.Time

	// ReleaseCause is the internal release cause (Busy, User Not Found,
	// Temporarily Unavailable, ...), empty when not reported.
	ReleaseCause string
	// ReleasingParty is "localRelease" or "remoteRelease" when reported.
	ReleasingParty string
}

// Incoming reports whether the call half was received by the seat.
func (c Call) Incoming() bool { return c.Personality == PersonalityTerminator }

// Answered reports whether the call was answered at some point.
func (c Call) Answered() bool { return !c.AnswerTime.IsZero() }
