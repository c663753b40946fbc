package bridge_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// contactEvent is an Xsi call event as the XSP posts it to the HTTP contact.
func contactEvent(eventID, seat, callID, kind, state string) string {
	extra := ""
	if state != "Alerting" {
		extra = `<xsi:answerTime>1718000001000</xsi:answerTime>`
	}
	if state == "Released" {
		extra += `<xsi:releaseTime>1718000060000</xsi:releaseTime>`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<xsi:Event xmlns:xsi="http://schema.broadsoft.com/xsi" xmlns:xsi1="http://www.w3.org/2001/XMLSchema-instance" xsi1:type="xsi:SubscriptionEvent">` +
		`<xsi:eventID>` + eventID + `</xsi:eventID><xsi:sequenceNumber>1</xsi:sequenceNumber>` +
		`<xsi:userId>fermax.admin@conecta.orange.es</xsi:userId><xsi:externalApplicationId>conecta-zoho-gateway</xsi:externalApplicationId>` +
		`<xsi:subscriptionId>sub-1</xsi:subscriptionId><xsi:targetId>` + seat + `</xsi:targetId>` +
		`<xsi:eventData xsi1:type="xsi:` + kind + `"><xsi:call><xsi:callId>` + callID + `</xsi:callId><xsi:extTrackingId>1:1</xsi:extTrackingId>` +
		`<xsi:personality>Terminator</xsi:personality><xsi:state>` + state + `</xsi:state>` +
		`<xsi:remoteParty><xsi:address>tel:+34600111222</xsi:address><xsi:callType>Network</xsi:callType></xsi:remoteParty>` +
		`<xsi:startTime>1718000000000</xsi:startTime>` + extra + `</xsi:call></xsi:eventData></xsi:Event>`
}

// contactCluster is one company with a linked seat and an events token,
// and two gateway instances (store, call use case, bridge, HTTP server)
// on one database.
type contactCluster struct {
	company int64
	seat    string
	token   string
	stores  []*store.Store
	servers []*httptest.Server
}

func newContactCluster(t *testing.T) *contactCluster {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t)
	c := &contactCluster{seat: "910726329@conecta.orange.es"}
	for range 2 {
		st := testdb.Connect(t, url, testdb.Box(t))
		cs := calls.New(calls.Options{Store: st, Settings: callflow.DefaultSettings(),
			PBX: func(context.Context, int64) (centrex.PBX, error) { return nil, fmt.Errorf("no Centrex here") }})
		srv := httptest.NewServer(bridge.New(bridge.Options{Calls: cs}).Handler())
		t.Cleanup(srv.Close)
		c.stores, c.servers = append(c.stores, st), append(c.servers, srv)
	}
	st := c.stores[0]
	co, _, err := st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	must(t, err)
	c.company = co.ID
	_, err = st.SyncSeats(ctx, co.ID, []centrex.Seat{{UserID: c.seat, Number: "910726329"}}, store.SourceDirectory)
	must(t, err)
	seat, err := st.SeatByUserID(ctx, co.ID, c.seat)
	must(t, err)
	l, _, err := st.CreateLink(ctx, co.ID, seat.ID, store.ZohoUser{ID: "768724185"})
	must(t, err)
	_, err = st.SetLinkEnabled(ctx, co.ID, l.ID, true)
	must(t, err)
	c.token, err = st.EventToken(ctx, co.ID)
	must(t, err)
	return c
}

// post posts an event body to instance i's HTTP contact with token and
// returns the status.
func (c *contactCluster) post(t *testing.T, i int, token, body string) int {
	t.Helper()
	res, err := c.servers[i].Client().Post(c.servers[i].URL+bridge.EventsPath(token), "application/xml", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// notified is how many notifications each call has, and their states in
// order.
func (c *contactCluster) notified(t *testing.T) map[string]string {
	t.Helper()
	rows, err := c.stores[0].Pool().Query(context.Background(), `SELECT c.xsi_call_id, string_agg(o.payload->>'state', ',' ORDER BY o.seq)
		FROM outbox o JOIN calls c ON c.id = o.call_id WHERE o.company_id = $1 GROUP BY c.xsi_call_id`, c.company)
	must(t, err)
	out := map[string]string{}
	for rows.Next() {
		var id, states string
		must(t, rows.Scan(&id, &states))
		out[id] = states
	}
	must(t, rows.Err())
	return out
}

// TestContactEventsConcurrentlyOnTwoInstances posts the events of many
// calls at once over HTTP, each event twice (to both instances at once,
// as a redelivery would) and each only after the call's previous one was
// answered: every post is answered 200, and every call is notified once
// per state, in order.
func TestContactEventsConcurrentlyOnTwoInstances(t *testing.T) {
	t.Parallel()
	c := newContactCluster(t)
	const nCalls = 20
	steps := [][2]string{{"CallReceivedEvent", "Alerting"}, {"CallAnsweredEvent", "Active"}, {"CallReleasedEvent", "Released"}}
	var wg sync.WaitGroup
	for n := range nCalls {
		wg.Go(func() {
			callID := fmt.Sprintf("callhalf-%d:0", n)
			for k, s := range steps {
				body := contactEvent(fmt.Sprintf("ev-%d-%d", n, k), c.seat, callID, s[0], s[1])
				var both sync.WaitGroup
				for i := range 2 {
					both.Go(func() {
						if code := c.post(t, i, c.token, body); code != http.StatusOK {
							t.Errorf("event %d of call %d on instance %d: %d", k, n, i, code)
						}
					})
				}
				both.Wait()
			}
		})
	}
	wg.Wait()
	got := c.notified(t)
	if len(got) != nCalls {
		t.Fatalf("%d calls notified, want %d: %v", len(got), nCalls, got)
	}
	for id, states := range got {
		if states != "ringing,answered,ended" {
			t.Errorf("call %s: %s", id, states)
		}
	}
}

// TestContactEventNotDurableIsNotAcknowledged: when the commit of an
// event's group fails, the XSP gets a 500 (and redelivers), and nothing
// of the event was kept; and a token replaced on one instance is refused
// by the other at once.
func TestContactEventNotDurableIsNotAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newContactCluster(t)
	for _, sql := range []string{
		`CREATE FUNCTION fail_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN IF NEW.event_id = 'boom' THEN RAISE EXCEPTION 'commit refused'; END IF; RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER fail_boom AFTER INSERT ON centrex_events DEFERRABLE INITIALLY DEFERRED
		 FOR EACH ROW EXECUTE FUNCTION fail_boom()`,
	} {
		_, err := c.stores[0].Pool().Exec(ctx, sql)
		must(t, err)
	}
	if code := c.post(t, 0, c.token, contactEvent("boom", c.seat, "callhalf-1:0", "CallReceivedEvent", "Alerting")); code != http.StatusInternalServerError {
		t.Fatalf("event whose commit failed: %d, want 500", code)
	}
	if got := c.notified(t); len(got) != 0 {
		t.Fatalf("a failed commit left %v", got)
	}
	if code := c.post(t, 1, c.token, contactEvent("ev-2", c.seat, "callhalf-2:0", "CallReceivedEvent", "Alerting")); code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	// Instance 0 knows the token; instance 1 replaces it.
	if code := c.post(t, 0, c.token, contactEvent("ev-3", c.seat, "callhalf-3:0", "CallReceivedEvent", "Alerting")); code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	_, err := c.stores[1].Pool().Exec(ctx, `DELETE FROM centrex_subscriptions WHERE company_id = $1`, c.company)
	must(t, err)
	fresh, err := c.stores[1].EventToken(ctx, c.company)
	must(t, err)
	if code := c.post(t, 0, c.token, contactEvent("ev-4", c.seat, "callhalf-4:0", "CallReceivedEvent", "Alerting")); code != http.StatusNotFound {
		t.Fatalf("event with the replaced token: %d, want 404", code)
	}
	if code := c.post(t, 0, fresh, contactEvent("ev-5", c.seat, "callhalf-5:0", "CallReceivedEvent", "Alerting")); code != http.StatusOK {
		t.Fatalf("event with the new token: %d", code)
	}
	if got := c.notified(t); len(got) != 3 || got["callhalf-4:0"] != "" {
		t.Fatalf("notified %v, want calls 2, 3 and 5", got)
	}
}
