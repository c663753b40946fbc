package callflow

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/phonenumber"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// OutcomeAbandoned is the outcome of a call the seat hung up while still
// dialling: nothing is sent for it.
const OutcomeAbandoned = "abandoned"

// AnonymousNumber stands for a number the PBX withheld or that cannot be
// expressed with digits: Zoho requires from and to and accepts only digits
// and "+".
const AnonymousNumber = "0"

// release ends the call and emits its terminal notification. p is the
// personality the release reported ("" when unknown, as from Close).
func release(st State, p centrex.Personality, link Link, set Settings) (State, []Notification, error) {
	prev := st.Phase
	st.Phase, st.Held, st.RemoteHeld = PhaseReleased, false, false
	if st.ReleaseTime.IsZero() {
		st.ReleaseTime = st.LastSeen
	}
	if prev == PhaseCollecting && len(st.Sent) == 0 {
		// The seat hung up while dialling: there was no call to report.
		st.Outcome = OutcomeAbandoned
		return st, nil, nil
	}
	answered := prev == PhaseAnswered || !st.AnswerTime.IsZero()
	if st.Type == zoho.CallDialed && !answered && len(st.Sent) == 0 &&
		(p == centrex.PersonalityClickToDial || p == "" && prev == PhaseOriginating) {
		code := unattended(st.ReleaseCause, "")
		n := st.notify(code, link)
		n.Endpoint = EndpointClickToDialError
		st.Outcome = code
		st.Sent = append(slices.Clone(st.Sent), string(EndpointClickToDialError))
		return st, []Notification{n}, nil
	}
	state := zoho.StateEnded
	switch {
	case answered:
	case st.Type == zoho.CallReceived:
		state = zoho.StateMissed
	default:
		state = unattended(st.ReleaseCause, st.ReleasingParty)
	}
	st.Outcome = state
	if state != zoho.StateEnded && set.MapRejectedStatesToEnded {
		state = zoho.StateEnded
		answered = false
	}
	n := st.notify(state, link)
	if answered {
		from := firstSet(st.AnswerTime, st.StartTime, st.ReleaseTime)
		n.Duration = max(st.ReleaseTime.Sub(from), 0).Round(time.Second)
	}
	st.Sent = append(slices.Clone(st.Sent), state)
	return st, []Notification{n}, nil
}

// unattended maps a release cause (or, without one, the releasing party) to
// an unattended dialed state; see the package comment.
func unattended(cause, party string) string {
	switch strings.ToLower(strings.TrimSpace(cause)) {
	case "busy":
		return zoho.StateBusy
	case "user not found", "translation failure":
		return zoho.StateInvalid
	case "forbidden", "insufficient credits":
		return zoho.StateBlocked
	case "temporarily unavailable", "routing failure", "global failure", "server failure", "request failure":
		return zoho.StateNotAvailable
	case "request timeout", "dial tone timeout":
		return zoho.StateNoAnswer
	}
	if party == "remoteRelease" {
		return zoho.StateRejected
	}
	return zoho.StateNoAnswer
}

// notify builds a callnotify for state with Zoho's direction rule.
func (st State) notify(state string, link Link) Notification {
	seat := number(link.SeatNumber)
	remote := cmp.Or(st.Remote, AnonymousNumber)
	n := Notification{Endpoint: EndpointCallNotify, Type: st.Type, State: state, ID: st.ID,
		From: seat, To: remote, ZohoUser: link.ZohoUser, StartTime: st.StartTime}
	if st.Type == zoho.CallReceived {
		n.From, n.To = remote, seat
	}
	if n.StartTime.IsZero() {
		n.StartTime = firstSet(st.AnswerTime, st.ReleaseTime, st.LastSeen)
	}
	return n
}

// sent reports whether state was already emitted.
func (st State) sent(state string) bool { return slices.Contains(st.Sent, state) }

func sentStates(ns []Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.State
	}
	return out
}

// StableID is the callnotify id of a call half: 24 lowercase hex digits
// (alphanumeric, as Zoho asks) derived from the seat, the extTrackingId, the
// call id and, from the second call the PBX gave the same ids, the call's
// incarnation. Both halves of an internal call share the extTrackingId but
// get different ids, so two linked seats never collide in one Zoho org; a
// call after a PBX restart that reuses an old call's ids gets an id of its
// own.
func StableID(seat, extTrackingID, callID string, incarnation int) string {
	key := seat + "\x00" + extTrackingID + "\x00" + callID
	if incarnation > 1 {
		key += "\x00" + strconv.Itoa(incarnation)
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// remoteNumber picks the best number of the remote party: an E.164 address
// or userDN first, then any normalisable one, then their dialable
// characters; "" when there is none.
func remoteNumber(r centrex.RemoteParty) string {
	cands := []string{r.Address, r.UserDN}
	var fallback string
	for _, c := range cands {
		n, err := phonenumber.Parse(c)
		if err == nil && n.Kind == phonenumber.E164 {
			return n.Value
		}
		if err == nil && fallback == "" {
			fallback = n.Value
		}
	}
	for _, c := range cands {
		if fallback == "" {
			fallback = dialable(c)
		}
	}
	return fallback
}

func isE164(n string) bool { return strings.HasPrefix(n, "+") }

// ZohoNumber is raw as Zoho takes a number: normalised (E.164 with "+",
// or a short extension), else its dialable characters, else
// AnonymousNumber; never empty, never anything but digits, '*', '#' and a
// leading '+'.
func ZohoNumber(raw string) string { return number(raw) }

// number normalises a seat number, falling back to its dialable characters
// and then AnonymousNumber.
func number(raw string) string {
	if n, err := phonenumber.Normalize(raw); err == nil {
		return n
	}
	return cmp.Or(dialable(raw), AnonymousNumber)
}

// dialable keeps the digits, '*', '#' and a leading '+' of a URI's user part.
func dialable(raw string) string {
	s := raw
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	s, _, _ = strings.Cut(s, "@")
	s, _, _ = strings.Cut(s, ";")
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' || c == '*' || c == '#' || c == '+' && b.Len() == 0 {
			b.WriteRune(c)
		}
	}
	if b.String() == "+" {
		return ""
	}
	return b.String()
}

func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
