package xsi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// eventSink is an HTTP contact that parses every POSTed event.
type eventSink struct {
	url    string
	events chan centrex.Event
}

// newSink starts an HTTP contact; parse failures fail the test.
func newSink(tb testing.TB) *eventSink {
	tb.Helper()
	s := &eventSink{events: make(chan centrex.Event, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := ParseEventBody(r.Header.Get("Content-Type"), body)
		if err != nil {
			tb.Errorf("sink: %v\n%s", err, body)
			return
		}
		s.events <- ev
	}))
	tb.Cleanup(srv.Close)
	s.url = srv.URL + "/xsi/events"
	return s
}

// next returns the next event or fails after a timeout.
func (s *eventSink) next(tb testing.TB) centrex.Event {
	tb.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(3 * time.Second):
		tb.Fatal("timed out waiting for an event")
		return centrex.Event{}
	}
}

// expect reads the next event and checks its kind, target and call state.
func (s *eventSink) expect(tb testing.TB, kind centrex.EventKind, target string, state centrex.CallState) centrex.Event {
	tb.Helper()
	ev := s.next(tb)
	if ev.Kind != kind || ev.TargetID != target {
		tb.Fatalf("event %s for %s, want %s for %s", ev.Kind, ev.TargetID, kind, target)
	}
	if state != "" && (ev.Call == nil || ev.Call.State != state) {
		tb.Fatalf("%s: call = %+v, want state %s", kind, ev.Call, state)
	}
	return ev
}

// subscribe subscribes the admin connection to sink and returns the client.
func subscribe(tb testing.TB, env *testEnv, sink *eventSink) (*Client, centrex.Subscription) {
	tb.Helper()
	c := env.client(env.adminConn())
	sub, err := c.Subscribe(context.Background(), centrex.SubscribeRequest{HTTPContactURL: sink.url, Expires: 2 * time.Minute, ApplicationID: "conecta-zoho-gateway"})
	if err != nil {
		tb.Fatalf("Subscribe: %v", err)
	}
	return c, sub
}
