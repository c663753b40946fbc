package xsi

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// recorder is a transport that notes the Operation of every request.
type recorder struct {
	mu  sync.Mutex
	ops []string
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec.mu.Lock()
	rec.ops = append(rec.ops, Operation(r))
	rec.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestOperationNamesWhatTheClientSends drives every request the client
// makes against the simulator and checks the names the metrics get: each
// one known, none "other", no id in any.
func TestOperationNamesWhatTheClientSends(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	rec := &recorder{}
	conn := env.adminConn()
	c := New(conn, &http.Client{Timeout: 5 * time.Second, Transport: rec})
	ctx := context.Background()

	sub, err := c.Subscribe(ctx, centrex.SubscribeRequest{HTTPContactURL: "http://127.0.0.1:1/events", Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Renew(ctx, sub.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Seats(ctx); err != nil {
		t.Fatal(err)
	}
	callID, err := c.Dial(ctx, seat1, "+34600111222")
	if err != nil {
		t.Fatal(err)
	}
	// Whether the Centrex accepts each action in this call state does not
	// matter here: the request is sent, and named, either way.
	_ = c.Answer(ctx, seat1, callID)
	_ = c.Hold(ctx, seat1, callID)
	_ = c.Resume(ctx, seat1, callID)
	_ = c.SendDTMF(ctx, seat1, callID, "12")
	if _, err := c.Calls(ctx, seat1); err != nil {
		t.Fatal(err)
	}
	_ = c.Hangup(ctx, seat1, callID, false)
	if err := c.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}

	want := []string{"subscribe", "renew", "subscription", "directory", "dial", "talk", "hold", "talk", "dtmf", "calls", "call", "hangup", "unsubscribe"}
	if !slices.Equal(rec.ops, want) {
		t.Errorf("operations = %q\nwant        %q", rec.ops, want)
	}
}

func TestOperationOfChannelRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/com.broadsoft.async/com.broadsoft.xsi-events/v2.0/channel", "channel open"},
		{"PUT", "/com.broadsoft.xsi-events/v2.0/channel/abc-123", "channel renew"},
		{"DELETE", "/com.broadsoft.xsi-events/v2.0/channel/abc-123", "channel close"},
		{"PUT", "/com.broadsoft.xsi-events/v2.0/channel/abc-123/heartbeat", "heartbeat"},
		{"POST", "/com.broadsoft.xsi-events/v2.0/channel/eventresponse", "event response"},
		{"POST", "/com.broadsoft.xsi-events/v2.0/user/910726329%40conecta.orange.es", "subscribe"},
		{"GET", "/com.broadsoft.xsi-actions/v2.0/versions", "other"},
		{"GET", "/somewhere/else", "other"},
	} {
		r, err := http.NewRequest(tc.method, "https://xsp.example.com"+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := Operation(r); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
