package xsisim

import (
	"fmt"
	"strings"
)

// InjectIncomingCall makes an external caller ring the seat: a Terminator
// call half in Alerting state and a CallReceivedEvent. It returns the seat's
// call ID.
func (s *Sim) InjectIncomingCall(seatUserID, fromNumber, fromName string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.seats[strings.ToLower(seatUserID)]
	if u == nil {
		return "", fmt.Errorf("%w: %s", ErrNoSuchSeat, seatUserID)
	}
	h := s.newHalf(u, personalityTerminator, party{name: fromName, address: telURI(fromNumber), callType: "Network"}, s.newTracking())
	h.external = true
	s.emit(h, "CallReceivedEvent")
	return h.id, nil
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
