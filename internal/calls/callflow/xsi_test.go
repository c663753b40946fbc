package callflow

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// pbxRig is the XSP simulator with the demo group, an Xsi client and an
// HTTP contact that parses events and feeds them to per-call states, as the
// bridge will.
type pbxRig struct {
	sim    *xsisim.Sim
	client *xsi.Client
	events chan centrex.Event
	states map[string]State // by seat + call id
	links  map[string]Link  // by seat user id
}

func newPBXRig(t *testing.T) *pbxRig {
	t.Helper()
	// A stopped clock: every time the simulator reports is t0, so durations
	// do not depend on how fast the machine runs the test.
	sim := xsisim.New(xsisim.Options{Now: func() time.Time { return t0 }})
	xsisim.SeedDemo(sim)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	r := &pbxRig{sim: sim, events: make(chan centrex.Event, 64), states: map[string]State{},
		links: map[string]Link{xsisim.DemoSeat1: link, xsisim.DemoSeat2: {ZohoUser: "20000000002", SeatNumber: "910726330"}}}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ev, err := xsi.ParseEvent(body)
		if err != nil {
			t.Errorf("ParseEvent: %v", err)
			return
		}
		r.events <- ev
	}))
	t.Cleanup(sink.Close)
	r.client = xsi.New(centrex.Connection{BaseURL: srv.URL, UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword,
		GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true, DirectoryUserID: xsisim.DemoSeat1},
		&http.Client{Timeout: 5 * time.Second})
	if _, err := r.client.Subscribe(context.Background(), centrex.SubscribeRequest{HTTPContactURL: sink.URL, Expires: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return r
}

// drain applies the next n events and returns their notifications.
func (r *pbxRig) drain(t *testing.T, n int) []Notification {
	t.Helper()
	var all []Notification
	for range n {
		select {
		case ev := <-r.events:
			if ev.Call == nil {
				continue
			}
			key := ev.TargetID + "|" + ev.Call.ID
			st, out, err := Apply(r.states[key], ev, r.links[ev.TargetID], DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			r.states[key] = st
			all = append(all, out...)
		case <-time.After(3 * time.Second):
			t.Fatalf("timed out after %d events", len(all))
		}
	}
	return all
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWithXsiSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	seat := xsisim.DemoSeat1
	t.Run("click-to-dial answered, held, hung up", func(t *testing.T) {
		r := newPBXRig(t)
		id, err := r.client.Dial(ctx, seat, "600 111 222")
		must(t, err)
		must(t, r.sim.AnswerAtSeat(id))
		must(t, r.sim.AnswerFromFarEnd(id))
		must(t, r.client.Hold(ctx, seat, id))
		must(t, r.client.Resume(ctx, seat, id))
		must(t, r.client.Hangup(ctx, seat, id, false))
		want := "dialed ringing +34910726329>+34600111222\ndialed answered +34910726329>+34600111222\n" +
			"dialed ended +34910726329>+34600111222 0s"
		if got := brief(r.drain(t, 6)); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("incoming missed", func(t *testing.T) {
		r := newPBXRig(t)
		id, err := r.sim.InjectIncomingCall(seat, "+34910000111", "Pepe Sanchez")
		must(t, err)
		must(t, r.sim.ReleaseFromFarEnd(id))
		want := "received ringing +34910000111>+34910726329\nreceived ended +34910000111>+34910726329 0s"
		if got := brief(r.drain(t, 2)); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("click-to-dial never picked up", func(t *testing.T) {
		r := newPBXRig(t)
		id, err := r.client.Dial(ctx, seat, "+34600111222")
		must(t, err)
		must(t, r.client.Hangup(ctx, seat, id, false))
		if got := brief(r.drain(t, 2)); got != "clicktodialerror noanswer +34910726329>+34600111222 0s" {
			t.Errorf("got %s", got)
		}
	})
	t.Run("internal call between two linked seats", func(t *testing.T) {
		r := newPBXRig(t)
		id, err := r.client.Dial(ctx, seat, "6330")
		must(t, err)
		must(t, r.sim.AnswerAtSeat(id))
		ns := r.drain(t, 3) // Originating, Originated, Received
		if len(ns) != 2 || ns[0].ID == ns[1].ID || ns[0].ZohoUser == ns[1].ZohoUser {
			t.Fatalf("two halves: %+v", ns)
		}
		if got := brief(ns); got != "dialed ringing +34910726329>+34910726330\nreceived ringing +34910726329>+34910726330" {
			t.Errorf("got\n%s", got)
		}
	})
}
