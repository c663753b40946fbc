package calls_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// states renders the queued notifications as "id state" lines per call id.
func (f *fixture) states(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range f.queued(t) {
		out[p.ID] = append(out[p.ID], p.State)
	}
	return out
}

// TestRecoverAfterAGap: while events were lost, call 1 (ringing in Zoho)
// ended and calls 2 (ringing) and 3 (answered) began. Recover closes call 1
// and pops 2 and 3 up; running it again sends nothing more.
func TestRecoverAfterAGap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1:0", f.now)); err != nil {
		t.Fatal(err)
	}
	f.pbx.list = []centrex.Call{
		{ID: "callhalf-2:0", ExtTrackingID: "2:1", Personality: centrex.PersonalityTerminator, State: centrex.StateAlerting,
			Remote: centrex.RemoteParty{Address: "tel:+34612000002"}, StartTime: f.now.Add(time.Second)},
		{ID: "callhalf-3:0", ExtTrackingID: "3:1", Personality: centrex.PersonalityTerminator, State: centrex.StateActive,
			Remote: centrex.RemoteParty{Address: "tel:+34612000003"}, StartTime: f.now.Add(2 * time.Second),
			AnswerTime: f.now.Add(3 * time.Second)},
	}
	for range 2 {
		if err := f.svc.Recover(ctx, f.company); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for _, p := range f.queued(t) {
		got[p.From] += p.State + " "
	}
	want := map[string]string{
		"+34612345678": "ringing ended ",
		"+34612000002": "ringing ",
		"+34612000003": "ringing answered ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
}

// TestRecoverWaitsForLateEvents: a call the Centrex no longer lists, but
// that had an event a moment ago, is left open by the recovery: the
// Centrex may still be retrying the events that end it (with the real
// outcome and duration).
func TestRecoverWaitsForLateEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1:0", f.now)); err != nil {
		t.Fatal(err)
	}
	patient := calls.New(calls.Options{Store: f.st, PBX: func(context.Context, int64) (centrex.PBX, error) { return f.pbx, nil },
		Settings: callflow.DefaultSettings(), Now: func() time.Time { return f.now }, RecoverGrace: time.Hour})
	if err := patient.Recover(ctx, f.company); err != nil {
		t.Fatal(err)
	}
	if q := f.queued(t); len(q) != 1 {
		t.Fatalf("queued %+v; want the ringing only: the call's end may still come", q)
	}
}

// TestRecoverWaitsForHeldEvents: a call whose events were held during a
// long gap (an event channel down for an hour) had no event for longer
// than the grace when the gap ends; the recovery still leaves it open on
// its first pass, because the Centrex is about to send what it held, and
// closes it once the grace has passed since the gap ended.
func TestRecoverWaitsForHeldEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	clock := f.now
	f.st.SetClock(func() time.Time { return clock })
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1:0", f.now)); err != nil {
		t.Fatal(err)
	}
	patient := calls.New(calls.Options{Store: f.st, PBX: func(context.Context, int64) (centrex.PBX, error) { return f.pbx, nil },
		Settings: callflow.DefaultSettings(), Now: func() time.Time { return clock }, RecoverGrace: time.Minute})
	clock = clock.Add(time.Hour)
	patient.Gap(f.company)
	if err := patient.Recover(ctx, f.company); err != nil {
		t.Fatal(err)
	}
	if q := f.queued(t); len(q) != 1 {
		t.Fatalf("queued %+v just after the gap; want the ringing only: the events held in the gap may still come", q)
	}
	clock = clock.Add(2 * time.Minute)
	if err := patient.Recover(ctx, f.company); err != nil {
		t.Fatal(err)
	}
	if q := f.queued(t); len(q) != 2 || q[1].State != "ended" {
		t.Fatalf("queued %+v a grace after the gap; want ringing, ended", q)
	}
}

// TestGapRecoversInTheBackground: Gap makes RunRecovery recover the
// company.
func TestGapRecoversInTheBackground(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pbx.list = []centrex.Call{{ID: "callhalf-9:0", Personality: centrex.PersonalityTerminator, State: centrex.StateAlerting,
		Remote: centrex.RemoteParty{Address: "tel:+34612000009"}, StartTime: f.now}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.svc.RunRecovery(ctx) }()
	f.svc.Gap(f.company)
	deadline := time.Now().Add(5 * time.Second)
	for len(f.queued(t)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the gap was not recovered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestNewCallWithAnOldID: after a PBX restart a new call gets the id of a
// call the gateway already closed; it is a new call, with a Zoho id of its
// own, not an event of the old one.
func TestNewCallWithAnOldID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	first := received("ev-1", "callhalf-1:0", f.now)
	if err := f.svc.ApplyEvent(ctx, f.company, first); err != nil {
		t.Fatal(err)
	}
	end := received("ev-2", "callhalf-1:0", f.now)
	end.Kind, end.Call.State, end.Call.ReleaseTime = centrex.EventCallReleased, centrex.StateReleased, f.now.Add(5*time.Second)
	if err := f.svc.ApplyEvent(ctx, f.company, end); err != nil {
		t.Fatal(err)
	}
	again := received("ev-3", "callhalf-1:0", f.now.Add(time.Hour))
	if err := f.svc.ApplyEvent(ctx, f.company, again); err != nil {
		t.Fatal(err)
	}
	// A late copy of the old call's release (another event id) changes
	// nothing, neither for the old call nor the new.
	late := end
	late.ID = "ev-4"
	if err := f.svc.ApplyEvent(ctx, f.company, late); err != nil {
		t.Fatal(err)
	}
	states := f.states(t)
	if len(states) != 2 {
		t.Fatalf("calls %v, want two", states)
	}
	var shapes []string
	for _, s := range states {
		shapes = append(shapes, fmt.Sprint(s))
	}
	if !(shapes[0] == "[ringing ended]" && shapes[1] == "[ringing]" || shapes[1] == "[ringing ended]" && shapes[0] == "[ringing]") {
		t.Fatalf("calls %v, want the old one ended and the new one ringing", states)
	}
	for _, p := range f.queued(t) {
		if p.Type != zoho.CallReceived {
			t.Fatalf("queued %+v", p)
		}
	}
}
