package zoho

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Call types (callnotify "type").
const (
	CallReceived = "received" // inbound: from = customer, to = agent
	CallDialed   = "dialed"   // outbound: from = agent, to = customer
)

// Call states (callnotify "state"). Busy…Rejected are the "unattended"
// outbound states; live Zoho reportedly rejects them and StateMissed.
const (
	StateRinging      = "ringing"
	StateAnswered     = "answered"
	StateMissed       = "missed"
	StateEnded        = "ended"
	StateBusy         = "busy"
	StateInvalid      = "invalid"
	StateBlocked      = "blocked"
	StateNotAvailable = "notavailable"
	StateNoAnswer     = "noanswer"
	StateRejected     = "rejected"
)

// StartTimeLayout is Zoho's start_time format; times are sent in GMT.
const StartTimeLayout = "2006-01-02 15:04:05"

// CallNotify is one call event for POST /phonebridge/v3/callnotify.
type CallNotify struct {
	// Type is CallReceived or CallDialed.
	Type string
	// State is one of the State… constants.
	State string
	// ID is the provider's call id, the same for every event of a call.
	ID string
	// From and To are the numbers (E.164 with '+' is fine: it is encoded).
	From, To string
	// ZohoUser is the agent's Zoho user id; optional.
	ZohoUser string
	// StartTime is sent in GMT as StartTimeLayout when not zero.
	StartTime time.Time
	// Duration is sent in whole seconds for StateEnded or when not zero.
	Duration time.Duration
	// VoiceURI is a publicly fetchable recording/voicemail URL; optional.
	VoiceURI string
	// TransferredCallID is the original call id on a transfer's ringing.
	TransferredCallID string
}

// CallNotify posts a call event. It never retries: the caller's outbox owns
// that policy and should consult Retryable(err).
func (p *PhoneBridge) CallNotify(ctx context.Context, n CallNotify) error {
	v := url.Values{"type": {n.Type}, "state": {n.State}, "id": {n.ID}, "from": {n.From}, "to": {n.To}}
	if n.ZohoUser != "" {
		v.Set("zohouser", n.ZohoUser)
	}
	if !n.StartTime.IsZero() {
		v.Set("start_time", n.StartTime.UTC().Format(StartTimeLayout))
	}
	if n.State == StateEnded || n.Duration != 0 {
		v.Set("duration", strconv.FormatInt(int64(n.Duration.Round(time.Second)/time.Second), 10))
	}
	if n.VoiceURI != "" {
		v.Set("voiceuri", n.VoiceURI)
	}
	if n.TransferredCallID != "" {
		v.Set("transferredcallid", n.TransferredCallID)
	}
	return p.do(ctx, call{op: "callnotify", method: http.MethodPost, path: "callnotify", params: v}, nil)
}

// Click-to-dial error codes (clicktodialerror "code").
const (
	DialBusy         = "busy"
	DialInvalid      = "invalid"
	DialBlocked      = "blocked"
	DialNotAvailable = "notavailable"
	DialNoAnswer     = "noanswer"
	DialRejected     = "rejected"
)

// ClickToDialError tells Zoho a click-to-dial failed.
type ClickToDialError struct {
	// Code is one of the Dial… constants.
	Code string
	// From is the agent number, To the customer number.
	From, To string
	// ZohoUser is the agent's Zoho user id; optional.
	ZohoUser string
	// Message is shown to the user; optional.
	Message string
}

// ClickToDialError posts POST /phonebridge/v3/clicktodialerror. Not retried.
func (p *PhoneBridge) ClickToDialError(ctx context.Context, e ClickToDialError) error {
	if e.Code == "" {
		return fmt.Errorf("zoho: clicktodialerror: code is required")
	}
	v := url.Values{"code": {e.Code}, "from": {e.From}, "to": {e.To}}
	if e.ZohoUser != "" {
		v.Set("zohouser", e.ZohoUser)
	}
	if e.Message != "" {
		v.Set("message", e.Message)
	}
	return p.do(ctx, call{op: "clicktodialerror", method: http.MethodPost, path: "clicktodialerror", params: v}, nil)
}
