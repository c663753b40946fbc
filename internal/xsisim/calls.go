package xsisim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of the simulator's Go call API.
var (
	// ErrNoSuchSeat: the user ID is not a seat.
	ErrNoSuchSeat = errors.New("xsisim: no such seat")
	// ErrNoSuchCall: the call ID is not a live call half.
	ErrNoSuchCall = errors.New("xsisim: no such call")
	// ErrInvalidState: the action does not apply to the call's state.
	ErrInvalidState = errors.New("xsisim: invalid call state")
)

// Call personalities and states as Xsi spells them.
const (
	personalityOriginator  = "Originator"
	personalityTerminator  = "Terminator"
	personalityClickToDial = "Click-to-Dial"

	stateAlerting   = "Alerting"
	stateActive     = "Active"
	stateHeld       = "Held"
	stateRemoteHeld = "Remote Held"
	stateDetached   = "Detached"
	stateReleased   = "Released"
)

// party is the remote party of a call half.
type party struct {
	name, address, userID, userDN, callType string
}

// callHalf is one seat's half of a call.
type callHalf struct {
	id       string
	ext      string
	seq      int
	seat     *seat
	pers     string
	state    string
	remote   party
	dialled  string
	peer     *callHalf // the other seat's half of an internal call
	external bool      // the far end is outside the simulator

	start, answer, held, release time.Time
	releaseCause, releasingParty string
}

// Call is a snapshot of a live call half, for tests and the control API.
type Call struct {
	ID            string    `json:"callId"`
	ExtTrackingID string    `json:"extTrackingId"`
	UserID        string    `json:"userId"`
	Personality   string    `json:"personality"`
	State         string    `json:"state"`
	RemoteAddress string    `json:"remoteAddress"`
	RemoteName    string    `json:"remoteName,omitempty"`
	External      bool      `json:"external"`
	StartTime     time.Time `json:"startTime"`
	AnswerTime    time.Time `json:"answerTime,omitzero"`
}

// Calls returns every live call half, oldest first.
func (s *Sim) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	halves := s.sortedCalls(nil)
	out := make([]Call, len(halves))
	for i, h := range halves {
		out[i] = Call{
			ID: h.id, ExtTrackingID: h.ext, UserID: h.seat.UserID, Personality: h.pers, State: h.state,
			RemoteAddress: h.remote.address, RemoteName: h.remote.name, External: h.external,
			StartTime: h.start, AnswerTime: h.answer,
		}
	}
	return out
}

// sortedCalls returns live halves (of one seat, or all when u is nil) by age.
func (s *Sim) sortedCalls(u *seat) []*callHalf {
	var out []*callHalf
	for _, h := range s.calls {
		if u == nil || h.seat == u {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *callHalf) int { return a.seq - b.seq })
	return out
}

// newHalf creates a live call half in Alerting state. Callers hold s.mu.
func (s *Sim) newHalf(u *seat, pers string, remote party, ext string) *callHalf {
	s.nextCall++
	h := &callHalf{
		id: fmt.Sprintf("callhalf-%d:0", s.nextCall), ext: ext, seq: s.nextCall, seat: u,
		pers: pers, state: stateAlerting, remote: remote, start: s.now(),
	}
	s.calls[h.id] = h
	return h
}

// newTracking returns a fresh extTrackingId. Callers hold s.mu.
func (s *Sim) newTracking() string {
	s.nextTrack++
	return fmt.Sprintf("%d:1", s.nextTrack)
}

// dial starts a click-to-dial call: the seat's device alerts first.
func (s *Sim) dial(u *seat, address string) *callHalf {
	h := s.newHalf(u, personalityClickToDial, party{address: telURI(address), callType: "Unknown"}, s.newTracking())
	h.dialled = address
	s.emit(h, "CallOriginatingEvent")
	if d := s.opts.PickupDelay; d > 0 {
		s.after(d, func() {
			if s.calls[h.id] == h && h.pers == personalityClickToDial {
				s.pickup(h)
			}
		})
	}
	return h
}

// pickup is the seat answering its click-to-dial leg: the far end is called.
func (s *Sim) pickup(h *callHalf) {
	h.pers = personalityOriginator
	if t := s.lookupAddress(h.seat.group, h.dialled); t != nil && t != h.seat {
		h.remote = seatParty(t)
		peer := s.newHalf(t, personalityTerminator, seatParty(h.seat), h.ext)
		h.peer, peer.peer = peer, h
		s.emit(h, "CallOriginatedEvent")
		s.emit(peer, "CallReceivedEvent")
		return
	}
	h.external = true
	s.emit(h, "CallOriginatedEvent")
	if d := s.opts.FarEndAnswerDelay; d > 0 {
		s.after(d, func() {
			if s.calls[h.id] == h && h.state == stateAlerting {
				s.activate(h)
			}
		})
	}
}

// activate answers a call: both halves become Active.
func (s *Sim) activate(h *callHalf) {
	now := s.now()
	for _, x := range []*callHalf{h, h.peer} {
		if x == nil {
			continue
		}
		x.state, x.answer = stateActive, now
		s.emit(x, "CallAnsweredEvent")
	}
}

// talk implements Xsi Talk: pick up a click-to-dial leg, answer an incoming
// call, or retrieve a held call.
func (s *Sim) talk(h *callHalf) error {
	switch {
	case h.pers == personalityClickToDial && h.state == stateAlerting:
		s.pickup(h)
	case h.pers == personalityTerminator && h.state == stateAlerting:
		s.activate(h)
	case h.state == stateHeld:
		h.state, h.held = stateActive, time.Time{}
		s.emit(h, "CallRetrievedEvent")
		if p := h.peer; p != nil && p.state == stateRemoteHeld {
			p.state, p.held = stateActive, time.Time{}
			s.emit(p, "CallRetrievedEvent")
		}
	default:
		return fmt.Errorf("%w: cannot talk on a %s %s call", ErrInvalidState, h.state, h.pers)
	}
	return nil
}

// hold implements Xsi Hold on an Active call.
func (s *Sim) hold(h *callHalf) error {
	if h.state != stateActive {
		return fmt.Errorf("%w: cannot hold a %s call", ErrInvalidState, h.state)
	}
	now := s.now()
	h.state, h.held = stateHeld, now
	s.emit(h, "CallHeldEvent")
	if p := h.peer; p != nil && p.state == stateActive {
		p.state, p.held = stateRemoteHeld, now
		s.emit(p, "CallHeldEvent")
	}
	return nil
}

// releaseCall ends both halves. local tells which side released h.
func (s *Sim) releaseCall(h *callHalf, local, decline bool) {
	now := s.now()
	end := func(x *callHalf, releasing string) {
		x.state, x.release, x.releasingParty = stateReleased, now, releasing
		delete(s.calls, x.id)
		s.emit(x, "CallReleasedEvent")
	}
	mine, theirs := "localRelease", "remoteRelease"
	if !local {
		mine, theirs = theirs, mine
	}
	if p := h.peer; p != nil && decline {
		p.releaseCause = "Busy"
	}
	end(h, mine)
	if p := h.peer; p != nil && s.calls[p.id] == p {
		end(p, theirs)
	}
}

// lookupAddress finds the seat an address reaches: user ID, number (with or
// without +34/tel:/sip:) or an extension of the caller's group.
func (s *Sim) lookupAddress(g *Group, address string) *seat {
	a := strings.TrimSpace(address)
	for _, p := range []string{"tel:", "sip:"} {
		if len(a) > len(p) && strings.EqualFold(a[:len(p)], p) {
			a = a[len(p):]
		}
	}
	if u := s.seats[strings.ToLower(a)]; u != nil {
		return u
	}
	if i := strings.IndexByte(a, '@'); i >= 0 {
		a = a[:i]
	}
	n := strings.TrimPrefix(strings.TrimPrefix(a, "+34"), "0034")
	for _, u := range g.seats {
		if u.Extension == a {
			return u
		}
	}
	for _, u := range s.seats {
		if u.Number != "" && strings.TrimPrefix(u.Number, "+34") == n {
			return u
		}
	}
	return nil
}
