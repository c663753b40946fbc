package portal_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// seedNotes stores an incoming call of the seat with one notification per
// state, and delivers them one at a time: park decides which are parked
// (with a Zoho refusal), the others are delivered. It returns the parked
// rows' ids.
func (e *testEnv) seedNotes(t testing.TB, seatID int64, states []string, park func(seq int) bool) (parked []int64) {
	t.Helper()
	ctx := context.Background()
	err := e.store.InCallTx(ctx, e.company.ID, func(ctx context.Context, tx store.CallTx) error {
		call, err := tx.LockCall(ctx, seatID, "callhalf-1:0", "700001")
		if err != nil {
			return err
		}
		st, _ := json.Marshal(callflow.State{ID: "abc123", Type: "received", Phase: callflow.PhaseAnswered,
			Remote: "+34600111222", Sent: []string{"ringing", "answered"}})
		call.ZohoCallID, call.State, call.Open = "abc123", st, true
		if err := tx.SaveCall(ctx, call); err != nil {
			return err
		}
		var items []store.OutboxItem
		for _, state := range states {
			it, err := outbox.Item(callflow.Notification{Endpoint: callflow.EndpointCallNotify, Type: "received", State: state,
				ID: "abc123", From: "+34600111222", To: "910726329", ZohoUser: "700001"}, "")
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return tx.Enqueue(ctx, call.ID, "call-abc123", items)
	})
	if err != nil {
		t.Fatal(err)
	}
	for range states {
		_, err := e.store.DeliverOutbox(ctx, 1, func(ctx context.Context, rows []store.OutboxRow) []store.OutboxResult {
			if park(rows[0].Seq) {
				parked = append(parked, rows[0].ID)
				return []store.OutboxResult{{ID: rows[0].ID, Park: true, Error: "zoho: callnotify: HTTP 400 REQUIRED_PARAM_MISSING"}}
			}
			return []store.OutboxResult{{ID: rows[0].ID, Delivered: true}}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return parked
}

// seedCall stores an incoming call of the seat with two notifications: the
// first delivered, the second parked after failing.
func (e *testEnv) seedCall(t testing.TB, seatID int64) (parked int64) {
	t.Helper()
	return e.seedNotes(t, seatID, []string{"ringing", "answered"}, func(seq int) bool { return seq == 2 })[0]
}

func TestActivityPageAndRetry(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	id, _ := strconv.ParseInt(e.seatID(t, "910726329@conecta.orange.es"), 10, 64)
	parked := e.seedCall(t, id)

	d := c.get("/activity").doc(t)
	row := d.Find("[data-testid=call-row]")
	if row.Length() != 1 {
		t.Fatalf("%d call rows", row.Length())
	}
	text := row.Text()
	for _, want := range []string{"910726329@conecta.orange.es", "Entrante · contestada", "+34600111222", "sonando", "✓ entregada",
		"contestada", "detenida tras 1 intento", "Zoho rechazó la notificación: REQUIRED_PARAM_MISSING (HTTP 400).", "24/11/2026 11:00 CET"} {
		if !strings.Contains(text, want) {
			t.Errorf("call row lacks %q:\n%s", want, text)
		}
	}
	if got := d.Find("[data-testid=parked-count]").Text(); got != "1" {
		t.Errorf("parked count = %q", got)
	}
	// The connection panel on the Zoho page shows the same figures.
	if got := c.get("/zoho").doc(t).Find("[data-testid=delivery-panel] [data-testid=last-error]").Text(); !strings.Contains(got, "REQUIRED_PARAM_MISSING") {
		t.Errorf("panel last error = %q", got)
	}

	if got := d.Find("[data-testid=retry]").Closest("form").Find("input[name=return]").AttrOr("value", ""); got != "/activity" {
		t.Errorf("the retry comes back to %q", got)
	}
	if r := c.post("/activity/outbox/999999/retry", url.Values{"return": {"//evil.example/activity"}}); r.location != "/activity" {
		t.Errorf("a foreign return leads to %q", r.location)
	}
	c.get("/activity") // the flash of that attempt
	r := c.post("/activity/outbox/"+strconv.FormatInt(parked, 10)+"/retry", url.Values{"return": {"/activity?state=parked"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/activity?state=parked" {
		t.Errorf("after the retry: %q, want the filtered page", r.location)
	}
	d = c.get("/activity").doc(t)
	if got := d.Find("[data-testid=flash]").Text(); got != "La notificación se volverá a enviar ahora." {
		t.Errorf("flash = %q", got)
	}
	if got := d.Find("[data-testid=parked-count]").Text(); got != "0" {
		t.Errorf("parked after retry = %q", got)
	}
	// Retrying it again, or another company's notification, changes nothing.
	c.post("/activity/outbox/"+strconv.FormatInt(parked, 10)+"/retry", url.Values{})
	if got := c.get("/activity").doc(t).Find("[data-testid=flash]").Text(); !strings.Contains(got, "ya no está detenida") {
		t.Errorf("second retry flash = %q", got)
	}

}

// TestActivitySupersededNotification: a call's ringing was refused and
// parked, but its answered and ended reached Zoho; the page shows the parked
// ringing without a retry (Zoho has a later state), and a forged retry is
// refused with a message.
func TestActivitySupersededNotification(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	seat, _ := strconv.ParseInt(e.seatID(t, "910726329@conecta.orange.es"), 10, 64)
	parked := e.seedNotes(t, seat, []string{"ringing", "answered", "ended"}, func(seq int) bool { return seq == 1 })[0]
	d := c.get("/activity").doc(t)
	if n := d.Find("[data-testid=superseded]").Length(); n != 1 {
		t.Errorf("%d superseded notes, want the parked ringing", n)
	}
	if n := d.Find("[data-testid=retry]").Length(); n != 0 {
		t.Errorf("%d retry buttons, want none", n)
	}
	wantStatus(t, c.post("/activity/outbox/"+strconv.FormatInt(parked, 10)+"/retry", url.Values{}), http.StatusSeeOther)
	if got := c.get("/activity").doc(t).Find("[data-testid=flash]").Text(); !strings.Contains(got, "estado posterior") {
		t.Errorf("flash = %q", got)
	}
}
