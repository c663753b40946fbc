package xsi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// readSeed reads a seed document from testdata/events.
func readSeed(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestParseEventSeeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file        string
		kind        centrex.EventKind
		personality centrex.Personality
		state       centrex.CallState
	}{
		{"CallOriginatingEvent", centrex.EventCallOriginating, centrex.PersonalityClickToDial, centrex.StateAlerting},
		{"CallOriginatedEvent", centrex.EventCallOriginated, centrex.PersonalityOriginator, centrex.StateAlerting},
		{"CallReceivedEvent", centrex.EventCallReceived, centrex.PersonalityTerminator, centrex.StateAlerting},
		{"CallAnsweredEvent", centrex.EventCallAnswered, centrex.PersonalityTerminator, centrex.StateActive},
		{"CallHeldEvent", centrex.EventCallHeld, centrex.PersonalityTerminator, centrex.StateHeld},
		{"CallRetrievedEvent", centrex.EventCallRetrieved, centrex.PersonalityTerminator, centrex.StateActive},
		{"CallReleasedEvent", centrex.EventCallReleased, centrex.PersonalityTerminator, centrex.StateReleased},
		{"CallUpdatedEvent", centrex.EventCallUpdated, centrex.PersonalityOriginator, centrex.StateActive},
		{"CallReleasingEvent", centrex.EventCallReleasing, centrex.PersonalityOriginator, centrex.StateActive},
		{"CallSubscriptionEvent", centrex.EventCallSubscription, "", ""},
		{"SubscriptionTerminatedEvent", centrex.EventSubscriptionTerminated, "", ""},
	}
	for _, style := range []string{"wire", "conventional"} {
		for _, tt := range tests {
			t.Run(style+"/"+tt.file, func(t *testing.T) {
				ev, err := ParseEvent(readSeed(t, style+"-"+tt.file+".xml"))
				if err != nil {
					t.Fatalf("ParseEvent: %v", err)
				}
				if ev.Kind != tt.kind || ev.Type != tt.file {
					t.Errorf("kind = %q type = %q, want %q", ev.Kind, ev.Type, tt.kind)
				}
				if !strings.HasPrefix(ev.ID, "0b6a2c1e-") || ev.Sequence == 0 || ev.SubscriptionID == "" ||
					ev.TargetID != "910726329@conecta.orange.es" || ev.SubscriberID != "fermax.admin@conecta.orange.es" ||
					ev.ApplicationID != "conecta-zoho-gateway" {
					t.Errorf("envelope = %+v", ev)
				}
				if tt.personality == "" {
					if ev.Call != nil {
						t.Errorf("unexpected call %+v", ev.Call)
					}
					return
				}
				c := ev.Call
				if c == nil {
					t.Fatal("no call")
				}
				if c.ID != "callhalf-722:0" || c.ExtTrackingID != "58:1" || c.Personality != tt.personality || c.State != tt.state {
					t.Errorf("call = %+v", c)
				}
				if !c.StartTime.Equal(time.UnixMilli(1718000000000)) || c.Remote.Address == "" {
					t.Errorf("call times/remote = %+v", c)
				}
			})
		}
	}
}

func TestParseEventDetails(t *testing.T) {
	t.Parallel()
	t.Run("released", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "wire-CallReleasedEvent.xml"))
		if err != nil {
			t.Fatal(err)
		}
		c := ev.Call
		if c.ReleasingParty != "remoteRelease" || !c.Answered() || !c.Incoming() ||
			!c.ReleaseTime.Equal(time.UnixMilli(1718000060000)) || c.Remote.Name != "Cliente Ejemplo" || c.Remote.CallType != "Network" {
			t.Errorf("call = %+v", c)
		}
	})
	t.Run("releasing cause", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "conventional-CallReleasingEvent.xml"))
		if err != nil || ev.Call.ReleaseCause != "User Not Found" {
			t.Fatalf("ev = %+v, err = %v", ev.Call, err)
		}
	})
	t.Run("snapshot", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "wire-CallSubscriptionEvent.xml"))
		if err != nil || len(ev.Calls) != 1 || ev.HookStatus != "Off-Hook" || ev.Calls[0].Remote.UserID != "910726330@conecta.orange.es" {
			t.Fatalf("ev = %+v, err = %v", ev, err)
		}
	})
	t.Run("idle snapshot on a channel", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "channel-CallSubscriptionEvent-idle.xml"))
		if err != nil || ev.Kind != centrex.EventCallSubscription || ev.HookStatus != "On-Hook" || len(ev.Calls) != 0 {
			t.Fatalf("ev = %+v, err = %v", ev, err)
		}
	})
	t.Run("xsi-events namespace variant", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "xsievents-CallReceivedEvent.xml"))
		if err != nil || ev.Kind != centrex.EventCallReceived || ev.SubscriberID == "" || ev.ApplicationID == "" || ev.Sequence != 7 {
			t.Fatalf("ev = %+v, err = %v", ev, err)
		}
	})
	t.Run("other prefix", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "prefixed-CallReceivedEvent.xml"))
		if err != nil || ev.Kind != centrex.EventCallReceived {
			t.Fatalf("ev = %+v, err = %v", ev, err)
		}
	})
	t.Run("channel terminated", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "channel-ChannelTerminatedEvent.xml"))
		if err != nil || ev.Kind != centrex.EventChannelTerminated || ev.Reason != "Expired" {
			t.Fatalf("ev = %+v, err = %v", ev, err)
		}
	})
}

func TestParseEventRejects(t *testing.T) {
	t.Parallel()
	received := string(readSeed(t, "wire-CallReceivedEvent.xml"))
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", "", "no root element"},
		{"not xml", "hello", "text before the root element"},
		{"heartbeat", `<ChannelHeartBeat xmlns="http://schema.broadsoft.com/xsi"/>`, "not an Xsi Event"},
		{"wrong namespace", strings.ReplaceAll(received, "http://schema.broadsoft.com/xsi\"", "urn:other\""), "not an Xsi Event"},
		{"prefix inverted wrongly", strings.Replace(received, `xsi1:type="xsi:CallReceivedEvent"`, `xsi1:type="xsi1:CallReceivedEvent"`, 1), "not Xsi"},
		{"undeclared type prefix", strings.Replace(received, `xsi1:type="xsi:CallReceivedEvent"`, `xsi1:type="zz:CallReceivedEvent"`, 1), "undeclared prefix"},
		{"truncated", received[:len(received)/2], "unexpected EOF"},
		{"two roots", received + received[strings.Index(received, "<xsi:Event"):], "more than one root"},
		{"no event id", strings.Replace(received, "<xsi:eventID>", "<xsi:other>", 1), ""},
		{"call without id", strings.Replace(received, "<xsi:callId>callhalf-722:0</xsi:callId>", "", 1), "without call/callId"},
		{"bad sequence", strings.Replace(received, "<xsi:sequenceNumber>3</xsi:sequenceNumber>", "<xsi:sequenceNumber>x</xsi:sequenceNumber>", 1), "sequenceNumber"},
		{"too large", "<x>" + strings.Repeat(" ", MaxEventSize) + "</x>", "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEvent([]byte(tt.body))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "xsi: parse event: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// FuzzParseEvent checks that no input panics and that every accepted event
// satisfies ParseEvent's promises. The seeds are every document in
// testdata/events.
func FuzzParseEvent(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.xml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			return
		}
		if ev.Kind == "" {
			t.Fatalf("accepted event without kind: %+v", ev)
		}
		if ev.Kind != centrex.EventChannelTerminated && ev.ID == "" {
			t.Fatalf("accepted event without ID: %+v", ev)
		}
		if isCallKind(ev.Kind) && (ev.Call == nil || ev.Call.ID == "") {
			t.Fatalf("accepted call event without call: %+v", ev)
		}
	})
}
