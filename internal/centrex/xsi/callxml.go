package xsi

import (
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// callXML is the Xsi Call type: the <Call> response and <call> in events.
// Element names match in any namespace; the envelope's namespace is checked
// by the caller.
type callXML struct {
	CallID         string `xml:"callId"`
	ExtTrackingID  string `xml:"extTrackingId"`
	NetworkCallID  string `xml:"networkCallId"`
	Personality    string `xml:"personality"`
	State          string `xml:"state"`
	ReleaseCause   string `xml:"releaseCause>internalReleaseCause"`
	ReleasingParty string `xml:"releasingParty"`
	Remote         struct {
		Name     string `xml:"name"`
		Address  string `xml:"address"`
		UserID   string `xml:"userId"`
		UserDN   string `xml:"userDN"`
		CallType string `xml:"callType"`
	} `xml:"remoteParty"`
	StartTime   string `xml:"startTime"`
	AnswerTime  string `xml:"answerTime"`
	HeldTime    string `xml:"heldTime"`
	ReleaseTime string `xml:"releaseTime"`
}

// toCall converts to the centrex vocabulary, normalising the personality
// spelling ("Click-To-Dial" occurs in one spec sentence).
func (x callXML) toCall() centrex.Call {
	t := strings.TrimSpace
	return centrex.Call{
		ID:            t(x.CallID),
		ExtTrackingID: t(x.ExtTrackingID),
		NetworkCallID: t(x.NetworkCallID),
		Personality:   personality(t(x.Personality)),
		State:         centrex.CallState(t(x.State)),
		Remote: centrex.RemoteParty{
			Name:     t(x.Remote.Name),
			Address:  t(x.Remote.Address),
			UserID:   t(x.Remote.UserID),
			UserDN:   t(x.Remote.UserDN),
			CallType: t(x.Remote.CallType),
		},
		StartTime:      msTime(x.StartTime),
		AnswerTime:     msTime(x.AnswerTime),
		HeldTime:       msTime(x.HeldTime),
		ReleaseTime:    msTime(x.ReleaseTime),
		ReleaseCause:   t(x.ReleaseCause),
		ReleasingParty: t(x.ReleasingParty),
	}
}

func personality(p string) centrex.Personality {
	switch {
	case strings.EqualFold(p, string(centrex.PersonalityClickToDial)):
		return centrex.PersonalityClickToDial
	case strings.EqualFold(p, string(centrex.PersonalityOriginator)):
		return centrex.PersonalityOriginator
	case strings.EqualFold(p, string(centrex.PersonalityTerminator)):
		return centrex.PersonalityTerminator
	}
	return centrex.Personality(p)
}

// msTime parses milliseconds since the epoch; empty or invalid is zero.
func msTime(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(n)
}
