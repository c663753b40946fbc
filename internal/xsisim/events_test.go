package xsisim

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable simulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func subscribeGroup(tb testing.TB, e *env, c *contact, expires int) string {
	tb.Helper()
	r := e.admin(tb, "POST", events+"/enterprise/Fermax/group/Fermax_Madrid", subscribeBody(c.url, expires))
	if r.status != 200 {
		tb.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	return between(r.body, "subscriptionId")
}

func TestEventEnvelope(t *testing.T) {
	t.Parallel()
	for _, conventional := range []bool{false, true} {
		e := newEnv(t, Options{ConventionalPrefixes: conventional})
		c := newContact(t)
		id := subscribeGroup(t, e, c, 100)
		call, err := e.sim.InjectIncomingCall(DemoSeat1, "+34600111222", "Ana & Co")
		if err != nil {
			t.Fatal(err)
		}
		body := c.next(t)
		wantRoot := `<xsi:Event xmlns:xsi="http://schema.broadsoft.com/xsi" xmlns:xsi1="http://www.w3.org/2001/XMLSchema-instance" xsi1:type="xsi:SubscriptionEvent">`
		wantData := `<xsi:eventData xsi1:type="xsi:CallReceivedEvent">`
		if conventional {
			wantRoot = `<Event xmlns="http://schema.broadsoft.com/xsi" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="SubscriptionEvent">`
			wantData = `<eventData xsi:type="CallReceivedEvent">`
		}
		for _, want := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, wantRoot, wantData, "Ana &amp; Co", "<xsi:sequenceNumber>1<", "<xsi:targetId>" + DemoSeat1 + "<", "<xsi:callId>" + call + "<", "<xsi:subscriptionId>" + id + "<", "<xsi:userId>" + DemoAdminUserID + "<", "<xsi:uri>" + c.url + "<", "<xsi:personality>Terminator<"} {
			if conventional {
				want = strings.ReplaceAll(want, "<xsi:", "<")
			}
			if !strings.Contains(body, want) {
				t.Errorf("conventional=%v: event lacks %q:\n%s", conventional, want, body)
			}
		}
	}
}

func TestSubscriptionExpiresOnSimClock(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Now: clk.now})
	c := newContact(t)
	id := subscribeGroup(t, e, c, 10)
	r := e.admin(t, "GET", events+"/subscription/"+id, "")
	if between(r.body, "expires") != "3600" || between(r.body, "targetIdType") != "Group" || between(r.body, "targetGrpParentId") != "Fermax" {
		t.Fatalf("subscription = %s", r.body)
	}
	r = e.admin(t, "PUT", events+"/subscription/"+id, `<Subscription xmlns="http://schema.broadsoft.com/xsi"><expires>5000</expires></Subscription>`)
	if r.status != 200 || between(r.body, "expires") != "5000" {
		t.Fatalf("refresh = %d %s", r.status, r.body)
	}
	clk.add(4999 * time.Second)
	if _, err := e.sim.InjectIncomingCall(DemoSeat1, "1", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.next(t), "CallReceivedEvent") {
		t.Fatal("event before expiry missing")
	}
	clk.add(time.Second)
	if _, err := e.sim.InjectIncomingCall(DemoSeat1, "1", ""); err != nil {
		t.Fatal(err)
	}
	if body := c.next(t); !strings.Contains(body, "SubscriptionTerminatedEvent") {
		t.Fatalf("want termination, got %s", body)
	}
	c.none(t)
	if r := e.admin(t, "GET", events+"/subscription/"+id, ""); r.status != 403 { // every unsuccessful subscription command
		t.Errorf("expired subscription: %d", r.status)
	}
}

func TestDeliveryRetryAndDrop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{DeliveryBackoff: time.Millisecond})
	c := newContact(t, 500, 503, 200, 500, 500, 500) // event 1: two failures then OK; event 2: three failures → dropped
	subscribeGroup(t, e, c, 0)
	for range 3 {
		if _, err := e.sim.InjectIncomingCall(DemoSeat1, "1", ""); err != nil {
			t.Fatal(err)
		}
	}
	first, second := c.next(t), c.next(t)
	if !strings.Contains(first, "<xsi:sequenceNumber>1<") || !strings.Contains(second, "<xsi:sequenceNumber>3<") {
		t.Fatalf("want sequence 1 then 3 (2 dropped), got:\n%s\n%s", first, second)
	}
	c.none(t)
}

func TestUserSubscriptionSnapshotAndScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	c := newContact(t)
	call, _ := e.sim.InjectIncomingCall(DemoSeat1, "+34600111222", "")
	for _, path := range []string{"/user/" + DemoSeat1, "/user/" + DemoSeat1 + "/subscription"} {
		r := e.call(t, "POST", events+path, DemoSeat1, DemoSeatPassword, subscribeBody(c.url, 0))
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		body := c.next(t)
		if !strings.Contains(body, "CallSubscriptionEvent") || !strings.Contains(body, "<xsi:callId>"+call+"<") || !strings.Contains(body, "On-Hook") {
			t.Fatalf("snapshot = %s", body)
		}
		// Events of a user subscription do not name their target: the
		// subscription does.
		if strings.Contains(body, "targetId>") {
			t.Fatalf("user subscription event with a targetId: %s", body)
		}
	}
	tests := []struct {
		name, user, pass, path, body string
		status                       int
	}{
		{"seat cannot subscribe the group", DemoSeat1, DemoSeatPassword, "/enterprise/Fermax/group/Fermax_Madrid", subscribeBody(c.url, 0), 403},
		{"seat cannot subscribe another seat", DemoSeat1, DemoSeatPassword, "/user/" + DemoSeat2, subscribeBody(c.url, 0), 403},
		{"admin of another group", DemoAdminUserID, DemoAdminPassword, "/serviceprovider/Other/group/G", subscribeBody(c.url, 0), 404},
		{"unsupported package", DemoAdminUserID, DemoAdminPassword, "/enterprise/Fermax/group/Fermax_Madrid", strings.Replace(subscribeBody(c.url, 0), "Advanced Call", "Voice Messaging", 1), 400},
		{"channel delivery", DemoAdminUserID, DemoAdminPassword, "/enterprise/Fermax/group/Fermax_Madrid", `<Subscription xmlns="http://schema.broadsoft.com/xsi"><event>Advanced Call</event><channelSetId>x</channelSetId></Subscription>`, 400},
		{"garbage", DemoAdminUserID, DemoAdminPassword, "/enterprise/Fermax/group/Fermax_Madrid", "<nope", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := e.call(t, "POST", events+tt.path, tt.user, tt.pass, tt.body); r.status != tt.status {
				t.Errorf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
	r := e.call(t, "GET", events+"/subscription", DemoSeat1, DemoSeatPassword, "")
	if strings.Count(r.body, "<subscription>") != 2 {
		t.Errorf("list = %s", r.body)
	}
}

func TestAutomaticPickupAndAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{PickupDelay: 5 * time.Millisecond, FarEndAnswerDelay: 5 * time.Millisecond})
	c := newContact(t)
	subscribeGroup(t, e, c, 0)
	r := e.call(t, "POST", actions+"/user/"+DemoSeat1+"/calls/new?address=600111222", DemoSeat1, DemoSeatPassword, "")
	if r.status != 201 {
		t.Fatal(r.body)
	}
	for _, want := range []string{"CallOriginatingEvent", "CallOriginatedEvent", "CallAnsweredEvent"} {
		if body := c.next(t); !strings.Contains(body, want) {
			t.Fatalf("want %s, got %s", want, body)
		}
	}
}

func TestControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	r := e.call(t, "POST", "/_sim/calls/incoming", "", "", "")
	if r.status != 404 {
		t.Errorf("incoming without seat: %d", r.status)
	}
	req := `{"seat":"` + DemoSeat2 + `","from":"+34600111222","name":"Cliente"}`
	resp := e.postJSON(t, "/_sim/calls/incoming", req)
	var out struct{ CallID string }
	if err := json.Unmarshal([]byte(resp.body), &out); err != nil || resp.status != 201 || out.CallID == "" {
		t.Fatalf("incoming = %d %s", resp.status, resp.body)
	}
	if r := e.postJSON(t, "/_sim/calls/"+out.CallID+"/answer-far-end", ""); r.status != 409 {
		t.Errorf("far end answering an incoming call: %d", r.status)
	}
	if r := e.postJSON(t, "/_sim/calls/"+out.CallID+"/answer-at-seat", ""); r.status != 200 {
		t.Errorf("answer-at-seat: %d %s", r.status, r.body)
	}
	r = e.call(t, "GET", "/_sim/calls", "", "", "")
	var calls []Call
	if err := json.Unmarshal([]byte(r.body), &calls); err != nil || len(calls) != 1 || calls[0].State != "Active" || calls[0].RemoteName != "Cliente" {
		t.Fatalf("calls = %s", r.body)
	}
	if r := e.postJSON(t, "/_sim/calls/"+out.CallID+"/release-far-end", ""); r.status != 200 {
		t.Errorf("release-far-end: %d", r.status)
	}
	if r := e.postJSON(t, "/_sim/faults", `{"path":"/calls","status":503}`); r.status != 201 {
		t.Errorf("faults: %d", r.status)
	}
	if r := e.call(t, "GET", actions+"/user/"+DemoSeat1+"/calls", DemoSeat1, DemoSeatPassword, ""); r.status != 503 {
		t.Errorf("queued fault not applied: %d", r.status)
	}
	r = e.call(t, "GET", "/_sim/requests", "", "", "")
	if !strings.Contains(r.body, `"status":503`) || strings.Contains(r.body, "_sim") {
		t.Errorf("requests = %s", r.body)
	}
}

// postJSON posts a JSON body to the control API.
func (e *env) postJSON(tb testing.TB, path, body string) response {
	tb.Helper()
	resp, err := httpPostJSON(e.url+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}
