package zohoapi

import "testing"

func TestURIsFor(t *testing.T) {
	t.Parallel()
	for _, public := range []string{"https://gw.example.com", "https://gw.example.com/"} {
		u := URIsFor(public)
		want := URIs{
			ClickToDial: "https://gw.example.com/bridge/zoho/clicktodial",
			Answer:      "https://gw.example.com/bridge/zoho/call/answer",
			Hangup:      "https://gw.example.com/bridge/zoho/call/hangup",
			Hold:        "https://gw.example.com/bridge/zoho/call/hold",
			Unhold:      "https://gw.example.com/bridge/zoho/call/unhold",
			Keypress:    "https://gw.example.com/bridge/zoho/call/keypress",
		}
		if u != want {
			t.Errorf("URIsFor(%q) = %+v, want %+v", public, u, want)
		}
	}
}

func TestEveryActionHasAURI(t *testing.T) {
	t.Parallel()
	u := URIsFor("https://gw.example.com")
	got := map[string]bool{u.Answer: true, u.Hangup: true, u.Hold: true, u.Unhold: true, u.Keypress: true}
	for _, a := range CallActions() {
		if !got["https://gw.example.com"+CallControlPath(a)] {
			t.Errorf("action %s has no URI in URIs", a)
		}
	}
}
