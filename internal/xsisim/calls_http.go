package xsisim

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// dtmfDigits is what TransmitDTMF accepts: 0-9 * # A-D and "," for a pause.
var dtmfDigits = regexp.MustCompile(`^[0-9*#A-Da-d,]+$`)

// The serve* call handlers run with s.mu held (see serveActions).

// serveCallList writes <Calls> with the seat's call ids and uris.
func (s *Sim) serveCallList(w http.ResponseWriter, u *seat) {
	var calls []*node
	for _, h := range s.sortedCalls(u) {
		calls = append(calls, el("call",
			tx("callId", h.id),
			tx("uri", "/v2.0/user/"+url.PathEscape(u.UserID)+"/calls/"+url.PathEscape(h.id)),
		))
	}
	writeXML(w, http.StatusOK, document(el("Calls", calls...), styleDefault))
}

// serveCall writes one <Call>.
func (s *Sim) serveCall(w http.ResponseWriter, u *seat, callID string) {
	h, ok := s.seatCall(w, u, callID)
	if !ok {
		return
	}
	writeXML(w, http.StatusOK, document(h.node("Call"), styleDefault))
}

// serveDial handles calls/new: 201, Location and <CallStartInfo>.
func (s *Sim) serveDial(w http.ResponseWriter, r *http.Request, u *seat) {
	address := r.URL.Query().Get("address")
	if strings.TrimSpace(address) == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Missing mandatory parameter: address")
		return
	}
	h := s.dial(u, address)
	w.Header().Set("Location", "/com.broadsoft.xsi-actions/v2.0/user/"+url.PathEscape(u.UserID)+"/calls/"+url.PathEscape(h.id))
	writeXML(w, http.StatusCreated, document(el("CallStartInfo",
		tx("callId", h.id),
		tx("externalTrackingId", h.ext),
	), styleDefault))
}

// serveTalk answers, picks up or retrieves.
func (s *Sim) serveTalk(w http.ResponseWriter, u *seat, callID string) {
	h, ok := s.seatCall(w, u, callID)
	if !ok {
		return
	}
	s.writeResult(w, s.talk(h))
}

// serveHold holds an active call.
func (s *Sim) serveHold(w http.ResponseWriter, u *seat, callID string) {
	h, ok := s.seatCall(w, u, callID)
	if !ok {
		return
	}
	s.writeResult(w, s.hold(h))
}

// serveRelease releases (or with decline=true rejects) a call.
func (s *Sim) serveRelease(w http.ResponseWriter, r *http.Request, u *seat, callID string) {
	h, ok := s.seatCall(w, u, callID)
	if !ok {
		return
	}
	decline := strings.EqualFold(r.URL.Query().Get("decline"), "true")
	if decline && (h.pers != personalityTerminator || h.state != stateAlerting) {
		writeError(w, http.StatusBadRequest, codeInvalidState, "Only an alerting incoming call can be declined")
		return
	}
	s.releaseCall(h, true, decline)
	w.WriteHeader(http.StatusOK)
}

// serveDTMF validates digits on an active call; no audio exists to play into.
func (s *Sim) serveDTMF(w http.ResponseWriter, r *http.Request, u *seat, callID string) {
	h, ok := s.seatCall(w, u, callID)
	if !ok {
		return
	}
	digits := r.URL.Query().Get("playdtmf")
	if !dtmfDigits.MatchString(digits) {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid playdtmf")
		return
	}
	if h.state != stateActive {
		writeError(w, http.StatusBadRequest, codeInvalidState, "DTMF requires an active call")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// seatCall finds a live call half of the seat or writes 404.
func (s *Sim) seatCall(w http.ResponseWriter, u *seat, callID string) (*callHalf, bool) {
	h := s.calls[callID]
	if h == nil || h.seat != u {
		writeError(w, http.StatusNotFound, codeCallNotFound, "Call not found: "+callID)
		return nil, false
	}
	return h, true
}

// writeResult writes 200 with no body, or 400 ErrorInfo for an invalid state.
func (s *Sim) writeResult(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, ErrInvalidState):
		writeError(w, http.StatusBadRequest, codeInvalidState, strings.TrimPrefix(err.Error(), "xsisim: "))
	default:
		writeError(w, http.StatusInternalServerError, codeUnavailable, "Internal error")
	}
}
