package xsisim

import (
	"fmt"
	"strings"
)

// InjectIncomingCall makes an external caller ring the seat: a Terminator
// call half in Alerting state and a CallReceivedEvent. It returns the call
// ID of the seat that rings: when the seat forwards its calls
// (SetForwardAlways) to another seat, its own half gets the
// CallReceivedEvent (Advanced Call reports it before services apply), then a
// CallRedirectedEvent and a CallReleasedEvent, and the other seat's half
// rings.
func (s *Sim) InjectIncomingCall(seatUserID, fromNumber, fromName string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.seats[strings.ToLower(seatUserID)]
	if u == nil {
		return "", fmt.Errorf("%w: %s", ErrNoSuchSeat, seatUserID)
	}
	caller := party{name: fromName, address: telURI(fromNumber), callType: "Network"}
	h := s.newHalf(u, personalityTerminator, caller, s.newTracking())
	h.external = true
	s.emit(h, "CallReceivedEvent")
	if u.forward == "" {
		return h.id, nil
	}
	to := s.lookupAddress(u.group, u.forward)
	if to == nil || to == u {
		return h.id, nil
	}
	h.state = stateDetached
	s.emitData(u, "CallRedirectedEvent", el("calls", h.node("call")))
	h.state, h.release, h.releasingParty = stateReleased, s.now(), "localRelease"
	delete(s.calls, h.id)
	s.emit(h, "CallReleasedEvent")
	fwd := s.newHalf(to, personalityTerminator, caller, h.ext)
	fwd.external = true
	s.emit(fwd, "CallReceivedEvent")
	return fwd.id, nil
}

// SetForwardAlways sets the seat's Call Forwarding Always to address (a
// seat of the simulator: user ID, number or extension); "" switches it off.
func (s *Sim) SetForwardAlways(seatUserID, address string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.seats[strings.ToLower(seatUserID)]
	if u == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchSeat, seatUserID)
	}
	u.forward = strings.TrimSpace(address)
	return nil
}

// PickUp is a directed call pickup: seat bySeat picks up the external
// incoming call ringing at another seat (callID) by dialling the pickup
// code (*97 and the ringing seat's extension). bySeat's half starts as an
// Originator collecting those digits (CallCollectingEvent); then the
// ringing seat's half is released, and bySeat's half becomes the call, with
// a new extTrackingId and the caller as remote party (CallPickedUpEvent,
// Alerting), and is answered (CallAnsweredEvent). It returns bySeat's call
// ID.
func (s *Sim) PickUp(callID, bySeat string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.calls[callID]
	if h == nil {
		return "", fmt.Errorf("%w: %s", ErrNoSuchCall, callID)
	}
	u := s.seats[strings.ToLower(bySeat)]
	if u == nil {
		return "", fmt.Errorf("%w: %s", ErrNoSuchSeat, bySeat)
	}
	if h.pers != personalityTerminator || h.state != stateAlerting || !h.external || h.seat == u {
		return "", fmt.Errorf("%w: only an external call ringing at another seat can be picked up", ErrInvalidState)
	}
	p := s.newHalf(u, personalityOriginator, party{address: "tel:*97" + h.seat.Extension, callType: "Unknown"}, s.newTracking())
	p.state = stateActive
	s.emit(p, "CallCollectingEvent")
	h.state, h.release, h.releasingParty = stateReleased, s.now(), "remoteRelease"
	delete(s.calls, h.id)
	s.emit(h, "CallReleasedEvent")
	p.state, p.remote, p.ext, p.external = stateAlerting, h.remote, s.newTracking(), true
	s.emit(p, "CallPickedUpEvent")
	s.activate(p)
	return p.id, nil
}

// AnswerFromFarEnd makes the external far end of an outgoing call answer
// (after the seat picked up its click-to-dial leg).
func (s *Sim) AnswerFromFarEnd(callID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.calls[callID]
	if h == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchCall, callID)
	}
	if !h.external || h.pers != personalityOriginator || h.state != stateAlerting {
		return fmt.Errorf("%w: far end cannot answer a %s %s call", ErrInvalidState, h.state, h.pers)
	}
	s.activate(h)
	return nil
}

// ReleaseFromFarEnd makes the other side hang up (remoteRelease). For a call
// between two seats it is the other seat hanging up.
func (s *Sim) ReleaseFromFarEnd(callID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.calls[callID]
	if h == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchCall, callID)
	}
	s.releaseCall(h, false, false)
	return nil
}

// AnswerAtSeat is the seat's user acting on the device: it picks up a
// click-to-dial leg or answers an incoming call, like Xsi Talk.
func (s *Sim) AnswerAtSeat(callID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.calls[callID]
	if h == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchCall, callID)
	}
	if h.state != stateAlerting {
		return fmt.Errorf("%w: cannot answer a %s call", ErrInvalidState, h.state)
	}
	return s.talk(h)
}
