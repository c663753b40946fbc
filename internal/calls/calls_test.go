package calls_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const (
	seatUser   = "910726329@conecta.orange.es"
	seatNumber = "910726329"
	zohoUser   = "768724185"
)

// fixture is a company with one seat linked (switched on) to a Zoho user,
// and a Service over a fake Centrex.
type fixture struct {
	st      *store.Store
	company int64
	link    store.Link
	pbx     *fakePBX
	svc     *calls.Service
	kicks   int
	wake    subscriptions.Wake
	now     time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: testdb.Open(t), pbx: &fakePBX{}, wake: subscriptions.NewWake(),
		now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	c, _, err := f.st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	f.company = c.ID
	if _, err := f.st.SyncSeats(ctx, c.ID, []centrex.Seat{{UserID: seatUser, Number: seatNumber}}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	seat, err := f.st.SeatByUserID(ctx, c.ID, seatUser)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := f.st.CreateLink(ctx, c.ID, seat.ID, store.ZohoUser{ID: zohoUser, Email: "miguel.martin@satec.es"})
	if err != nil {
		t.Fatal(err)
	}
	if f.link, err = f.st.SetLinkEnabled(ctx, c.ID, l.ID, true); err != nil {
		t.Fatal(err)
	}
	f.svc = calls.New(calls.Options{
		Store:         f.st,
		PBX:           func(context.Context, int64) (centrex.PBX, error) { return f.pbx, nil },
		Kick:          func() { f.kicks++ },
		Subscriptions: f.wake,
		Settings:      callflow.DefaultSettings(),
		Now:           func() time.Time { return f.now },
		StaleAfter:    time.Minute,
		RecoverGrace:  time.Nanosecond,
	})
	return f
}

// received is a CallReceived event for the seat.
func received(eventID, callID string, at time.Time) centrex.Event {
	return centrex.Event{ID: eventID, TargetID: seatUser, Kind: centrex.EventCallReceived, Type: "CallReceivedEvent",
		Call: &centrex.Call{ID: callID, Personality: centrex.PersonalityTerminator, State: centrex.StateAlerting,
			Remote: centrex.RemoteParty{Address: "tel:+34612345678"}, StartTime: at}}
}

// queued returns the company's outbox payloads, oldest first.
func (f *fixture) queued(t *testing.T) []outbox.Payload {
	t.Helper()
	rows, err := f.st.RecentOutbox(context.Background(), f.company, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []outbox.Payload
	for i := len(rows) - 1; i >= 0; i-- {
		var p outbox.Payload
		if err := json.Unmarshal(rows[i].Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestApplyEventQueuesOncePerEventID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	ev := received("ev-1", "callhalf-1", f.now)
	for range 3 { // the XSP redelivers
		if err := f.svc.ApplyEvent(ctx, f.company, ev); err != nil {
			t.Fatal(err)
		}
	}
	q := f.queued(t)
	if len(q) != 1 || q[0].Type != zoho.CallReceived || q[0].State != zoho.StateRinging || q[0].From != "+34612345678" ||
		q[0].To != "+34910726329" || q[0].ZohoUser != zohoUser {
		t.Fatalf("queued %+v, want one received ringing", q)
	}
	if f.kicks != 1 {
		t.Fatalf("%d kicks, want 1 (only the event that queued something)", f.kicks)
	}
}

func TestApplyEventOfUnlinkedSeatRecordsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.st.SetLinkEnabled(ctx, f.company, f.link.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1", f.now)); err != nil {
		t.Fatal(err)
	}
	if q := f.queued(t); len(q) != 0 {
		t.Fatalf("a switched-off link's call queued %+v", q)
	}
	// Nor does it burn the event id: switched on again, a redelivery counts.
	if _, err := f.st.SetLinkEnabled(ctx, f.company, f.link.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1", f.now)); err != nil {
		t.Fatal(err)
	}
	if q := f.queued(t); len(q) != 1 {
		t.Fatalf("queued %d after the link came back, want 1", len(q))
	}
}

func TestSubscriptionTerminatedWakesTheManager(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := centrex.Event{ID: "ev-9", Kind: centrex.EventSubscriptionTerminated, SubscriptionID: "sub-1"}
	if err := f.svc.ApplyEvent(context.Background(), f.company, ev); err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.wake:
	default:
		t.Fatal("the subscription manager was not woken")
	}
}

// corruptState overwrites a call's stored state with JSON that does not
// decode into callflow.State.
func (f *fixture) corruptState(t *testing.T, callID string) {
	t.Helper()
	_, err := f.st.Pool().Exec(context.Background(), `UPDATE calls SET state = '{"phase": 42}' WHERE company_id = $1 AND xsi_call_id = $2`,
		f.company, callID)
	if err != nil {
		t.Fatal(err)
	}
}

// TestUndecodableStateIsAnError: a stored state that does not decode stops
// the event (the XSP redelivers it) and the hang-up, instead of being taken
// for a new call.
func TestUndecodableStateIsAnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1", f.now)); err != nil {
		t.Fatal(err)
	}
	call, err := f.st.CallByZohoID(ctx, f.company, f.link.SeatID, f.queued(t)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	f.corruptState(t, "callhalf-1")

	answered := received("ev-2", "callhalf-1", f.now)
	answered.Kind, answered.Call.State, answered.Call.AnswerTime = centrex.EventCallAnswered, centrex.StateActive, f.now
	if err := f.svc.ApplyEvent(ctx, f.company, answered); err == nil || !strings.Contains(err.Error(), "stored state") {
		t.Fatalf("event on an undecodable state: %v, want an error", err)
	}
	if q := f.queued(t); len(q) != 1 {
		t.Fatalf("queued %d notifications, want only the first", len(q))
	}
	err = f.svc.Control(ctx, f.link, zohoapi.ActionHangup, call.ZohoCallID, "")
	if err == nil || !strings.Contains(err.Error(), "stored state") {
		t.Fatalf("hang-up on an undecodable state: %v, want an error", err)
	}
	if f.pbx.hangups != 0 {
		t.Fatal("the call was hung up with a guessed state")
	}
}

func TestControl(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1", f.now)); err != nil {
		t.Fatal(err)
	}
	id := f.queued(t)[0].ID
	if err := f.svc.Control(ctx, f.link, zohoapi.ActionHangup, id, ""); err != nil {
		t.Fatal(err)
	}
	if f.pbx.hangups != 1 || !f.pbx.declined {
		t.Fatalf("hang-up of a ringing incoming call: %d hang-ups, declined %v; want it declined", f.pbx.hangups, f.pbx.declined)
	}
	if err := f.svc.Control(ctx, f.link, zohoapi.ActionHold, "someone-elses-call", ""); !errors.Is(err, calls.ErrUnknownCall) {
		t.Fatalf("unknown call: %v", err)
	}
	f.pbx.err = &centrex.Error{Op: "hold", Err: centrex.ErrRejected, Summary: "not active"}
	var ce *calls.CentrexError
	if err := f.svc.Control(ctx, f.link, zohoapi.ActionHold, id, ""); !errors.As(err, &ce) || !errors.Is(err, centrex.ErrRejected) {
		t.Fatalf("refused hold: %v", err)
	}
}

func TestDialErrorsInTheCompanyLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.st.SetCompanyLanguage(ctx, f.company, "en"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Dial(ctx, f.link, "abc"); err != nil {
		t.Fatal(err)
	}
	f.pbx.err = &centrex.Error{Op: "dial", Err: centrex.ErrRejected}
	if err := f.svc.Dial(ctx, f.link, "600 123 456"); err != nil {
		t.Fatal(err)
	}
	q := f.queued(t)
	if len(q) != 2 || q[0].Endpoint != callflow.EndpointClickToDialError || q[0].State != zoho.DialInvalid ||
		q[0].Message != "“abc” is not a valid phone number: it was not dialled." || q[0].To != callflow.AnonymousNumber ||
		q[0].From != "+34910726329" || q[1].State != zoho.DialRejected ||
		q[1].To != "+34600123456" || q[1].Message != i18n.EN.T("dialerror.rejected") {
		t.Fatalf("queued %+v", q)
	}
	if f.pbx.dials != 1 {
		t.Fatalf("%d dials, want 1 (an invalid number is not dialled)", f.pbx.dials)
	}
}

func TestEveryDialErrorHasAMessage(t *testing.T) {
	t.Parallel()
	for _, code := range []string{zoho.DialBusy, zoho.DialInvalid, zoho.DialBlocked, zoho.DialNotAvailable, zoho.DialNoAnswer, zoho.DialRejected} {
		for _, l := range i18n.Langs {
			if !i18n.Has("dialerror."+code) || l.T("dialerror."+code) == "" {
				t.Errorf("no %s message for clicktodialerror %q", l, code)
			}
		}
	}
}

func TestSweepClosesACallTheCentrexForgot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if err := f.svc.ApplyEvent(ctx, f.company, received("ev-1", "callhalf-1", f.now)); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep of a fresh call closed %d, %v", n, err)
	}
	// The store's clock is real: make the call look two minutes old.
	if _, err := f.st.Pool().Exec(ctx, `UPDATE calls SET updated_at = updated_at - interval '2 minutes' WHERE company_id = $1`, f.company); err != nil {
		t.Fatal(err)
	}
	f.now = time.Now()
	if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep closed %d, %v; want the forgotten call", n, err)
	}
	q := f.queued(t)
	if len(q) != 2 || q[1].State != zoho.StateEnded || q[1].ID != q[0].ID {
		t.Fatalf("queued %+v, want ringing then ended", q)
	}
}

// fakePBX is a Centrex whose seat has the calls in list (none unless set).
type fakePBX struct {
	centrex.Subscriber
	centrex.Channels
	centrex.Directory
	err      error
	dials    int
	hangups  int
	declined bool
	list     []centrex.Call
}

func (p *fakePBX) Dial(context.Context, string, string) (string, error) {
	p.dials++
	return "callhalf-dialed", p.err
}
func (p *fakePBX) Answer(context.Context, string, string) error { return p.err }
func (p *fakePBX) Hold(context.Context, string, string) error   { return p.err }
func (p *fakePBX) Resume(context.Context, string, string) error { return p.err }
func (p *fakePBX) Hangup(_ context.Context, _, _ string, decline bool) error {
	p.hangups++
	p.declined = decline
	return p.err
}
func (p *fakePBX) SendDTMF(context.Context, string, string, string) error { return p.err }
func (p *fakePBX) Calls(context.Context, string) ([]centrex.Call, error)  { return p.list, nil }
