package xsi

import (
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// TestParseAdvancedCallEvents: the Advanced Call events the gateway used to
// ignore parse with their call (CallRedirected with its list of calls).
func TestParseAdvancedCallEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		kind  centrex.EventKind
		ext   string
		state centrex.CallState
	}{
		{"CallCollectingEvent", centrex.EventCallCollecting, "58:1", centrex.StateActive},
		{"CallPickedUpEvent", centrex.EventCallPickedUp, "59:1", centrex.StateAlerting},
		{"CallParkRetrievedEvent", centrex.EventCallParkRetrieved, "60:1", centrex.StateAlerting},
		{"CallForwardedEvent", centrex.EventCallForwarded, "58:1", centrex.StateAlerting},
		{"CallTransferredEvent", centrex.EventCallTransferred, "61:1", centrex.StateActive},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev, err := ParseEvent(readSeed(t, "wire-"+tt.file+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tt.kind || ev.Call == nil || ev.Call.ExtTrackingID != tt.ext || ev.Call.State != tt.state {
				t.Fatalf("ev = %+v call %+v", ev, ev.Call)
			}
		})
	}
	t.Run("CallRedirectedEvent", func(t *testing.T) {
		ev, err := ParseEvent(readSeed(t, "wire-CallRedirectedEvent.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != centrex.EventCallRedirected || ev.Call != nil || len(ev.Calls) != 1 ||
			ev.Calls[0].ID != "callhalf-722:0" || ev.Calls[0].State != centrex.StateDetached {
			t.Fatalf("ev = %+v", ev)
		}
	})
}

// TestParseEventCharsets: documents in a declared charset, or in the
// charset of their Content-Type, are read through a real decoder:
// windows-1252 is not Latin-1 (0x80 is € there, a control character in
// ISO-8859-1).
func TestParseEventCharsets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, contentType, name string
	}{
		{"charset-windows-1252.xml", "", "Café € Ejemplo"},
		{"charset-iso-8859-1.xml", "", "Café \u0080 Ejemplo"},
		{"charset-undeclared-latin1.xml", "application/xml; charset=ISO-8859-1", "Café Ejemplo"},
		{"charset-windows-1252.xml", "application/xml; charset=UTF-8", "Café € Ejemplo"}, // the declaration wins
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.contentType, func(t *testing.T) {
			ev, err := ParseEventBody(tt.contentType, readSeed(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Call.Remote.Name; got != tt.name {
				t.Fatalf("remote name %q, want %q", got, tt.name)
			}
		})
	}
	if _, err := ParseEventBody("application/xml; charset=x-no-such", readSeed(t, "charset-undeclared-latin1.xml")); err == nil {
		t.Fatal("an unknown charset was accepted")
	}
}
