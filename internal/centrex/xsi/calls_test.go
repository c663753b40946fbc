package xsi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

const (
	seat1 = xsisim.DemoSeat1
	seat2 = xsisim.DemoSeat2
)

func TestClickToDialExternal(t *testing.T) {
	t.Parallel()
	for _, conventional := range []bool{false, true} {
		t.Run(fmt.Sprintf("conventionalPrefixes=%v", conventional), func(t *testing.T) {
			env := newEnv(t, xsisim.Options{ConventionalPrefixes: conventional})
			sink := newSink(t)
			c, sub := subscribe(t, env, sink)
			ctx := context.Background()

			callID, err := c.Dial(ctx, seat1, "+34600111222")
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			ev := sink.expect(t, centrex.EventCallOriginating, seat1, centrex.StateAlerting)
			if ev.Call.ID != callID || ev.Call.Personality != centrex.PersonalityClickToDial || ev.SubscriptionID != sub.ID || ev.Sequence != 1 {
				t.Fatalf("originating = %+v %+v", ev, ev.Call)
			}
			if err := env.sim.AnswerAtSeat(callID); err != nil {
				t.Fatal(err)
			}
			ev = sink.expect(t, centrex.EventCallOriginated, seat1, centrex.StateAlerting)
			if ev.Call.Personality != centrex.PersonalityOriginator || ev.Call.Remote.Address != "tel:+34600111222" {
				t.Fatalf("originated call = %+v", ev.Call)
			}
			if err := env.sim.AnswerFromFarEnd(callID); err != nil {
				t.Fatal(err)
			}
			ev = sink.expect(t, centrex.EventCallAnswered, seat1, centrex.StateActive)
			if !ev.Call.Answered() {
				t.Error("answered without answerTime")
			}

			if err := c.Hold(ctx, seat1, callID); err != nil {
				t.Fatalf("Hold: %v", err)
			}
			sink.expect(t, centrex.EventCallHeld, seat1, centrex.StateHeld)
			err = c.Hold(ctx, seat1, callID)
			var ce *centrex.Error
			if !errors.Is(err, centrex.ErrRejected) || !errors.As(err, &ce) || ce.Summary == "" || ce.Code == 0 {
				t.Fatalf("second Hold: %v", err)
			}
			if err := c.Resume(ctx, seat1, callID); err != nil {
				t.Fatalf("Resume: %v", err)
			}
			sink.expect(t, centrex.EventCallRetrieved, seat1, centrex.StateActive)
			if err := c.Answer(ctx, seat1, callID); !errors.Is(err, centrex.ErrRejected) {
				t.Fatalf("Talk on an active call: %v", err)
			}
			if err := c.SendDTMF(ctx, seat1, callID, "12#,*"); err != nil {
				t.Fatalf("SendDTMF: %v", err)
			}
			if err := c.SendDTMF(ctx, seat1, callID, "12x"); !errors.Is(err, centrex.ErrRejected) {
				t.Fatalf("SendDTMF with bad digits: %v", err)
			}

			calls, err := c.Calls(ctx, seat1)
			if err != nil || len(calls) != 1 || calls[0].ID != callID || calls[0].State != centrex.StateActive {
				t.Fatalf("Calls = %+v, %v", calls, err)
			}
			if err := c.Hangup(ctx, seat1, callID, false); err != nil {
				t.Fatalf("Hangup: %v", err)
			}
			ev = sink.expect(t, centrex.EventCallReleased, seat1, centrex.StateReleased)
			if ev.Call.ReleasingParty != "localRelease" || ev.Call.ReleaseTime.IsZero() || ev.Sequence != 6 {
				t.Fatalf("released = %d %+v", ev.Sequence, ev.Call)
			}
			if calls, err := c.Calls(ctx, seat1); err != nil || len(calls) != 0 {
				t.Fatalf("Calls after hangup = %+v, %v", calls, err)
			}
			if err := c.Hangup(ctx, seat1, callID, false); !errors.Is(err, centrex.ErrNotFound) {
				t.Fatalf("Hangup of a released call: %v", err)
			}
		})
	}
}

func TestInternalCall(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	sink := newSink(t)
	c, _ := subscribe(t, env, sink)
	ctx := context.Background()

	callID, err := c.Dial(ctx, seat1, "6330")
	if err != nil {
		t.Fatal(err)
	}
	sink.expect(t, centrex.EventCallOriginating, seat1, centrex.StateAlerting)
	if err := c.Answer(ctx, seat1, callID); err != nil { // Talk picks up the click-to-dial leg
		t.Fatalf("pick up: %v", err)
	}
	orig := sink.expect(t, centrex.EventCallOriginated, seat1, centrex.StateAlerting)
	recv := sink.expect(t, centrex.EventCallReceived, seat2, centrex.StateAlerting)
	if orig.Call.ExtTrackingID != recv.Call.ExtTrackingID || orig.Call.ID == recv.Call.ID {
		t.Fatalf("halves: %+v / %+v", orig.Call, recv.Call)
	}
	if recv.Call.Remote.UserID != seat1 || recv.Call.Remote.CallType != "Group" || recv.Call.Remote.Name != "Miguel Martín" {
		t.Fatalf("remote party of the callee = %+v", recv.Call.Remote)
	}
	if err := c.Answer(ctx, seat2, recv.Call.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	sink.expect(t, centrex.EventCallAnswered, seat2, centrex.StateActive)
	sink.expect(t, centrex.EventCallAnswered, seat1, centrex.StateActive)
	if err := c.Hold(ctx, seat2, recv.Call.ID); err != nil {
		t.Fatal(err)
	}
	sink.expect(t, centrex.EventCallHeld, seat2, centrex.StateHeld)
	sink.expect(t, centrex.EventCallHeld, seat1, centrex.StateRemoteHeld)
	if err := c.Hangup(ctx, seat2, recv.Call.ID, false); err != nil {
		t.Fatal(err)
	}
	if ev := sink.expect(t, centrex.EventCallReleased, seat2, centrex.StateReleased); ev.Call.ReleasingParty != "localRelease" {
		t.Errorf("callee releasingParty = %q", ev.Call.ReleasingParty)
	}
	if ev := sink.expect(t, centrex.EventCallReleased, seat1, centrex.StateReleased); ev.Call.ReleasingParty != "remoteRelease" {
		t.Errorf("caller releasingParty = %q", ev.Call.ReleasingParty)
	}
}

func TestIncomingMissedAndDeclined(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	sink := newSink(t)
	c, _ := subscribe(t, env, sink)
	ctx := context.Background()

	missed, err := env.sim.InjectIncomingCall(seat2, "+34600999888", "Proveedor")
	if err != nil {
		t.Fatal(err)
	}
	ev := sink.expect(t, centrex.EventCallReceived, seat2, centrex.StateAlerting)
	if ev.Call.ID != missed || !ev.Call.Incoming() || ev.Call.Remote.Address != "tel:+34600999888" || ev.Call.Remote.Name != "Proveedor" {
		t.Fatalf("received = %+v", ev.Call)
	}
	if err := env.sim.ReleaseFromFarEnd(missed); err != nil {
		t.Fatal(err)
	}
	if ev := sink.expect(t, centrex.EventCallReleased, seat2, centrex.StateReleased); ev.Call.Answered() || ev.Call.ReleasingParty != "remoteRelease" {
		t.Fatalf("missed call = %+v", ev.Call)
	}

	declined, _ := env.sim.InjectIncomingCall(seat2, "+34600999888", "")
	sink.expect(t, centrex.EventCallReceived, seat2, centrex.StateAlerting)
	if err := c.Hangup(ctx, seat2, declined, true); err != nil {
		t.Fatalf("decline: %v", err)
	}
	sink.expect(t, centrex.EventCallReleased, seat2, centrex.StateReleased)
	last := env.sim.Requests()[len(env.sim.Requests())-1]
	if last.Method != "DELETE" || last.Query != "decline=true" || last.User != xsisim.DemoAdminUserID {
		t.Errorf("decline request = %+v", last)
	}
}

func TestCallErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	ctx := context.Background()
	admin := env.client(env.adminConn())
	seatConn := env.adminConn()
	seatConn.UserID, seatConn.Password = seat1, xsisim.DemoSeatPassword
	seatClient := env.client(seatConn)
	tests := []struct {
		name string
		call func() error
		kind error
	}{
		{"unknown call", func() error { return admin.Hold(ctx, seat1, "callhalf-999:0") }, centrex.ErrNotFound},
		{"unknown seat", func() error { _, err := admin.Dial(ctx, "nobody@conecta.orange.es", "1"); return err }, centrex.ErrNotFound},
		{"seat acting on another seat", func() error { _, err := seatClient.Dial(ctx, seat2, "1"); return err }, centrex.ErrForbidden},
		{"connection without group", func() error {
			_, err := env.client(centrex.Connection{BaseURL: env.url}).Subscribe(ctx, centrex.SubscribeRequest{HTTPContactURL: "http://x/"})
			return err
		}, centrex.ErrRejected},
		{"empty address", func() error { _, err := admin.Dial(ctx, seat1, " "); return err }, centrex.ErrRejected},
		{"seat credential may not subscribe the group", func() error {
			_, err := seatClient.Subscribe(ctx, centrex.SubscribeRequest{HTTPContactURL: "http://127.0.0.1:1/x"})
			return err
		}, centrex.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
		})
	}
	t.Run("seat dials for itself", func(t *testing.T) {
		id, err := seatClient.Dial(ctx, seat1, "910726330")
		if err != nil || id == "" {
			t.Fatalf("Dial = %q, %v", id, err)
		}
	})
}

func TestSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	sink := newSink(t)
	c, sub := subscribe(t, env, sink)
	ctx := context.Background()
	if sub.ID == "" || sub.Expires.Seconds() != 3600 {
		t.Fatalf("subscription = %+v, want expires raised to 3600s", sub)
	}
	subs := env.sim.Subscriptions()
	if len(subs) != 1 || subs[0].TargetID != xsisim.DemoGroup || subs[0].Event != "Advanced Call" || subs[0].HTTPContact != sink.url || subs[0].ApplicationID != "conecta-zoho-gateway" {
		t.Fatalf("sim subscriptions = %+v", subs)
	}
	renewed, err := c.Renew(ctx, sub.ID, 7200e9)
	if err != nil || renewed.ID != sub.ID || renewed.Expires.Seconds() != 7200 {
		t.Fatalf("Renew = %+v, %v", renewed, err)
	}
	if err := c.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	ev := sink.expect(t, centrex.EventSubscriptionTerminated, xsisim.DemoGroup, "")
	if ev.SubscriptionID != sub.ID {
		t.Errorf("terminated = %+v", ev)
	}
	if _, err := c.Renew(ctx, sub.ID, 7200e9); !errors.Is(err, centrex.ErrNotFound) {
		t.Fatalf("Renew after delete: %v", err)
	}
	if len(env.sim.Subscriptions()) != 0 {
		t.Error("subscription survived")
	}
}

// TestSubscriptionRefusalsAreGone: an XSP answers 403 to every unsuccessful
// command on a subscription; the client reports a refused refresh, read or
// delete as ErrNotFound (the XSP no longer has it), and reads a live one
// back with GET.
func TestSubscriptionRefusalsAreGone(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	sink := newSink(t)
	c, sub := subscribe(t, env, sink)
	ctx := context.Background()
	got, err := c.Subscription(ctx, sub.ID)
	if err != nil || got.ID != sub.ID || got.Expires <= 0 {
		t.Fatalf("Subscription = %+v, %v", got, err)
	}
	if !env.sim.ForgetSubscription(sub.ID) {
		t.Fatal("the simulator did not have the subscription")
	}
	for name, call := range map[string]func() error{
		"get":    func() error { _, err := c.Subscription(ctx, sub.ID); return err },
		"renew":  func() error { _, err := c.Renew(ctx, sub.ID, time.Hour); return err },
		"delete": func() error { return c.Unsubscribe(ctx, sub.ID) },
	} {
		err := call()
		var ce *centrex.Error
		if !errors.Is(err, centrex.ErrNotFound) || !errors.As(err, &ce) || ce.Status != 403 {
			t.Errorf("%s of a forgotten subscription: %v, want ErrNotFound from a 403", name, err)
		}
	}
}

// TestRenewWithoutExpires: a refresh answer without expires is a success
// with no lifetime (the caller keeps the one it knows).
func TestRenewWithoutExpires(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{RefreshWithoutExpires: true})
	c, sub := subscribe(t, env, newSink(t))
	got, err := c.Renew(context.Background(), sub.ID, 2*time.Hour)
	if err != nil || got.ID != sub.ID || got.Expires != 0 {
		t.Fatalf("Renew = %+v, %v", got, err)
	}
}

// TestSessionCookieReused: one Client sends the XSP's JSESSIONID back on
// every later request, and its Basic credentials on every request too.
func TestSessionCookieReused(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	c := env.client(env.adminConn())
	ctx := context.Background()
	for range 3 {
		if _, err := c.Calls(ctx, xsisim.DemoSeat1); err != nil {
			t.Fatal(err)
		}
	}
	reqs := env.sim.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	if reqs[0].Session != "" {
		t.Errorf("first request carried a session %q", reqs[0].Session)
	}
	for _, r := range reqs[1:] {
		if r.Session == "" || r.Session != reqs[1].Session {
			t.Errorf("request %s %s carried session %q, want the XSP's", r.Method, r.Path, r.Session)
		}
	}
	for _, r := range reqs {
		if r.User != xsisim.DemoAdminUserID {
			t.Errorf("request %s without the credential", r.Path)
		}
	}
}
