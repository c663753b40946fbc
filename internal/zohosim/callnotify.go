package zohosim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// startTimeLayout is Zoho's start_time format (yyyy-MM-dd HH:mm:ss, GMT).
const startTimeLayout = "2006-01-02 15:04:05"

// stateRule lists, per type and state, the extra required parameters.
var stateRules = map[string]map[string][]string{
	"received": {
		"ringing": nil, "answered": nil,
		"missed": {"start_time"}, "ended": {"start_time", "duration"},
	},
	"dialed": {
		"ringing": nil, "answered": nil, "ended": {"start_time", "duration"},
		"busy": {"start_time"}, "invalid": {"start_time"}, "blocked": {"start_time"},
		"notavailable": {"start_time"}, "noanswer": {"start_time"}, "rejected": {"start_time"},
	},
}

// liveRejected are the states the live API reportedly refuses (StrictLive).
var liveRejected = map[string]bool{
	"missed": true, "busy": true, "invalid": true, "blocked": true, "notavailable": true, "noanswer": true, "rejected": true,
}

// dialErrorCodes are the clicktodialerror code values.
var dialErrorCodes = map[string]bool{
	"busy": true, "invalid": true, "blocked": true, "notavailable": true, "noanswer": true, "rejected": true,
}

func missing(w http.ResponseWriter, param string) {
	writeEnvelope(w, http.StatusBadRequest, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", param)
}

func invalid(w http.ResponseWriter, param, msg string) {
	writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", msg, param)
}

// validNumber accepts digits with an optional leading '+' and the dial
// characters * and #. A '+' sent unencoded arrives as a space and fails.
func validNumber(n string) bool {
	if n == "" {
		return false
	}
	for i, c := range n {
		if !(c >= '0' && c <= '9' || c == '*' || c == '#' || c == '+' && i == 0) {
			return false
		}
	}
	return true
}

func (s *Sim) pbCallNotify(w http.ResponseWriter, r *http.Request, c pbCtx) {
	f := r.Form
	for _, p := range []string{"type", "state", "id", "from", "to"} {
		if strings.TrimSpace(f.Get(p)) == "" {
			missing(w, p)
			return
		}
	}
	states, ok := stateRules[f.Get("type")]
	if !ok {
		invalid(w, "type", "type must be received or dialed")
		return
	}
	extra, ok := states[f.Get("state")]
	if !ok {
		invalid(w, "state", "state "+f.Get("state")+" is not valid for type "+f.Get("type"))
		return
	}
	if s.opts.StrictLive && liveRejected[f.Get("state")] {
		invalid(w, "state", "state "+f.Get("state")+" is not supported")
		return
	}
	for _, p := range extra {
		if f.Get(p) == "" {
			missing(w, p)
			return
		}
	}
	for _, p := range []string{"from", "to"} {
		if !validNumber(f.Get(p)) {
			invalid(w, p, p+" is not a valid phone number (send '+' as %2B)")
			return
		}
	}
	n := Notify{Type: f.Get("type"), State: f.Get("state"), ID: f.Get("id"), From: f.Get("from"), To: f.Get("to"),
		ZohoUser: f.Get("zohouser"), VoiceURI: f.Get("voiceuri"), TransferredCallID: f.Get("transferredcallid"), Duration: -1}
	if v := f.Get("start_time"); v != "" {
		t, err := time.Parse(startTimeLayout, v)
		if err != nil {
			invalid(w, "start_time", "start_time must be yyyy-MM-dd HH:mm:ss (GMT)")
			return
		}
		n.StartTime = t
	}
	if v := f.Get("duration"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 0 {
			invalid(w, "duration", "duration must be a whole number of seconds")
			return
		}
		n.Duration = d
	}
	if n.VoiceURI != "" && !validURI(n.VoiceURI) {
		invalid(w, "voiceuri", "voiceuri is not a valid URL")
		return
	}
	if n.ZohoUser != "" {
		if _, ok := s.targetUser(w, r, c); !ok {
			return
		}
	}
	s.mu.Lock()
	n.Received = s.nowLocked()
	c.org.notifies = append(c.org.notifies, n)
	s.mu.Unlock()
	writeSuccess(w, "")
}

func (s *Sim) pbClickToDialError(w http.ResponseWriter, r *http.Request, c pbCtx) {
	f := r.Form
	for _, p := range []string{"code", "from", "to"} {
		if strings.TrimSpace(f.Get(p)) == "" {
			missing(w, p)
			return
		}
	}
	if !dialErrorCodes[f.Get("code")] {
		invalid(w, "code", "code must be one of busy, invalid, blocked, notavailable, noanswer, rejected")
		return
	}
	for _, p := range []string{"from", "to"} {
		if !validNumber(f.Get(p)) {
			invalid(w, p, p+" is not a valid phone number (send '+' as %2B)")
			return
		}
	}
	if f.Get("zohouser") != "" {
		if _, ok := s.targetUser(w, r, c); !ok {
			return
		}
	}
	s.mu.Lock()
	c.org.dialErrors = append(c.org.dialErrors, DialError{Code: f.Get("code"), From: f.Get("from"), To: f.Get("to"),
		ZohoUser: f.Get("zohouser"), Message: f.Get("message")})
	s.mu.Unlock()
	writeSuccess(w, "")
}
