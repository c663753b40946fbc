package xsisim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// controlRequest is the body of /_sim/ POSTs: JSON, whatever the
// Content-Type says (curl -d sends JSON as a form unless told otherwise),
// or form values.
type controlRequest struct {
	Seat    string `json:"seat"`
	From    string `json:"from"`
	Name    string `json:"name"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Status  int    `json:"status"`
	DelayMS int    `json:"delayMs"`
	Count   int    `json:"count"`
	Reason  string `json:"reason"`
	To      string `json:"to"`
}

// serveControl implements the /_sim/ JSON control API (see package doc).
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request, segs []string, body []byte) {
	var req controlRequest
	if r.Method == http.MethodPost {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			if err := json.Unmarshal(body, &req); err != nil && len(body) > 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
				return
			}
		} else if err := r.ParseForm(); err == nil {
			req.Seat, req.From, req.Name, req.Reason, req.To = r.Form.Get("seat"), r.Form.Get("from"), r.Form.Get("name"), r.Form.Get("reason"), r.Form.Get("to")
		}
	}
	switch {
	case match(segs, "calls") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Calls())
	case match(segs, "requests") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Requests())
	case match(segs, "subscriptions") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Subscriptions())
	case match(segs, "subscriptions", "*", "forget") && r.Method == http.MethodPost:
		if !s.ForgetSubscription(segs[1]) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such subscription"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"subscriptionId": segs[1]})
	case match(segs, "channels") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Channels())
	case match(segs, "channels", "*", "terminate") && r.Method == http.MethodPost:
		if !s.TerminateChannel(segs[1], cmpOr(req.Reason, "ExplicitDelete")) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such channel"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"channelId": segs[1]})
	case match(segs, "channels", "*", "drop") && r.Method == http.MethodPost:
		if !s.DropChannel(segs[1]) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such channel"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"channelId": segs[1]})
	case match(segs, "restart") && r.Method == http.MethodPost:
		s.Restart()
		s.log.Info("xsisim: restarted: subscriptions, channels and calls forgotten")
		writeJSON(w, http.StatusOK, map[string]string{"status": "restarted"})
	case match(segs, "calls", "incoming") && r.Method == http.MethodPost:
		id, err := s.InjectIncomingCall(req.Seat, req.From, req.Name)
		if err != nil {
			writeControlError(w, err)
			return
		}
		s.log.Info("xsisim: incoming call injected", "seat", req.Seat, "call_id", id)
		writeJSON(w, http.StatusCreated, map[string]string{"callId": id})
	case match(segs, "calls", "*", "pickup") && r.Method == http.MethodPost:
		id, err := s.PickUp(segs[1], req.Seat)
		if err != nil {
			writeControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"callId": id})
	case match(segs, "seats", "*", "forward") && r.Method == http.MethodPost:
		if err := s.SetForwardAlways(segs[1], req.To); err != nil {
			writeControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"seat": segs[1], "forward": req.To})
	case len(segs) == 3 && strings.EqualFold(segs[0], "calls") && r.Method == http.MethodPost:
		var err error
		switch strings.ToLower(segs[2]) {
		case "answer-at-seat":
			err = s.AnswerAtSeat(segs[1])
		case "answer-far-end":
			err = s.AnswerFromFarEnd(segs[1])
		case "release-far-end":
			err = s.ReleaseFromFarEnd(segs[1])
		default:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown action"})
			return
		}
		if err != nil {
			writeControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"callId": segs[1]})
	case match(segs, "faults") && r.Method == http.MethodPost:
		s.FailNext(Fault{Method: req.Method, Path: req.Path, Status: req.Status, Delay: time.Duration(req.DelayMS) * time.Millisecond, Count: req.Count})
		writeJSON(w, http.StatusCreated, map[string]string{"status": "queued"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control endpoint"})
	}
}

// writeControlError maps simulator errors to 404/409.
func writeControlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNoSuchSeat), errors.Is(err, ErrNoSuchCall):
		status = http.StatusNotFound
	case errors.Is(err, ErrInvalidState):
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
