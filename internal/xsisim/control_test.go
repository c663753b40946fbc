package xsisim

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEIncomingCallCurl sends the README's curl for an incoming call
// as curl sends it: the JSON body with curl's default form Content-Type.
func TestREADMEIncomingCallCurl(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`curl -XPOST \{Xsi simulator\}(/_sim/calls/incoming) -d '([^']+)'`).FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatal("the README has no curl for an incoming call")
	}
	e := newEnv(t, Options{})
	for _, contentType := range []string{"application/x-www-form-urlencoded", "application/json", ""} {
		req, err := http.NewRequest(http.MethodPost, e.url+m[1], strings.NewReader(m[2]))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("Content-Type %q: status %d, want 201", contentType, resp.StatusCode)
		}
	}
	if n := len(e.sim.Calls()); n != 3 {
		t.Errorf("%d call halves, want the three injected calls", n)
	}
	// Form values still work, and a broken JSON body is refused clearly.
	r := e.call(t, http.MethodPost, "/_sim/calls/incoming", "", "", "")
	if r.status != http.StatusNotFound {
		t.Errorf("no seat: %d %s", r.status, r.body)
	}
	r = e.call(t, http.MethodPost, "/_sim/calls/incoming", "", "", `{"seat":`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "invalid JSON") {
		t.Errorf("broken JSON: %d %s", r.status, r.body)
	}
}
