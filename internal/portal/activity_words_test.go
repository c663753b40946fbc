package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// saveCall stores one call of the seat in state st with one notification
// per state sent, all delivered.
func (e *testEnv) saveCall(t testing.TB, seatID int64, xsiID string, st callflow.State, open bool) {
	t.Helper()
	err := e.store.InCallTx(context.Background(), e.company.ID, func(ctx context.Context, tx store.CallTx) error {
		call, err := tx.LockCall(ctx, seatID, xsiID, "700001")
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(st)
		call.ZohoCallID, call.State, call.Open = "z"+xsiID, raw, true
		if err := tx.SaveCall(ctx, call); err != nil {
			return err
		}
		if !open {
			call.Open = false
			if err := tx.SaveCall(ctx, call); err != nil {
				return err
			}
		}
		var items []store.OutboxItem
		for _, sent := range st.Sent {
			n := callflow.Notification{Endpoint: callflow.EndpointCallNotify, Type: st.Type, State: sent, ID: "z" + xsiID,
				From: st.Remote, To: "+34910726329"}
			if sent == string(callflow.EndpointClickToDialError) {
				n.Endpoint, n.State = callflow.EndpointClickToDialError, st.Outcome
			}
			it, err := outbox.Item(n, "")
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return tx.Enqueue(ctx, call.ID, "z"+xsiID, items)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// callLabels are the "Llamada" cells of the activity page, newest first.
func callLabels(d *goquery.Document) []string {
	var out []string
	d.Find("[data-testid=call-label]").Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

// TestActivityInWords shows calls as a person says them, in Spanish and in
// English, in the company's time zone; a missed call is missed even though
// Zoho was told "ended"; the page filters and pages.
func TestActivityInWords(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	seat := mustInt(t, e.seatID(t, "910726329@conecta.orange.es"))
	at := e.clock.Now() // 2026-11-24 10:00 UTC, 11:00 in Madrid
	e.saveCall(t, seat, "missed", callflow.State{Type: "received", Phase: callflow.PhaseReleased, Outcome: "missed",
		Remote: "+34600111222", Sent: []string{"ringing", "ended"}}, false)
	e.clock.Advance(time.Minute)
	e.saveCall(t, seat, "talked", callflow.State{Type: "dialed", Phase: callflow.PhaseReleased, Outcome: "ended",
		Remote: "+34910000111", AnswerTime: at, ReleaseTime: at.Add(125 * time.Second), Sent: []string{"ringing", "answered", "ended"}}, false)
	e.clock.Advance(time.Minute)
	e.saveCall(t, seat, "busy", callflow.State{Type: "dialed", Phase: callflow.PhaseReleased, Outcome: "busy",
		Remote: "+34910000112", Sent: []string{"ringing", "ended"}}, false)
	e.clock.Advance(time.Minute)
	e.saveCall(t, seat, "c2d", callflow.State{Type: "dialed", Phase: callflow.PhaseReleased, Outcome: "invalid",
		Remote: "123", Sent: []string{"clicktodialerror"}}, false)
	e.clock.Advance(time.Minute)
	e.saveCall(t, seat, "held", callflow.State{Type: "received", Phase: callflow.PhaseAnswered, Held: true,
		Remote: "+34600111333", Sent: []string{"ringing", "answered"}}, true)
	e.clock.Advance(time.Minute)
	e.saveCall(t, seat, "ringing", callflow.State{Type: "received", Phase: callflow.PhaseRinging,
		Remote: "+34600111444", Sent: []string{"ringing"}}, true)

	d := c.get("/activity").doc(t)
	want := []string{
		"Entrante · sonando",
		"Entrante · en espera",
		"Saliente · no se pudo iniciar (número no válido)",
		"Saliente · ocupado",
		"Saliente · contestada, durante 2 minutos y 5 segundos",
		"Perdida",
	}
	if got := callLabels(d); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls:\n%q\nwant\n%q", got, want)
	}
	missed := d.Find("[data-testid=call-row]").Last().Text()
	for _, w := range []string{"24/11/2026 11:00 CET", "terminada (enviada así a Zoho en lugar de «perdida»)", "pendiente"} {
		if !strings.Contains(missed, w) {
			t.Errorf("the missed call's row lacks %q:\n%s", w, missed)
		}
	}
	if got := d.Find("[data-testid=zone]").Text(); !strings.Contains(got, "Horas en Europe/Madrid (CET).") {
		t.Errorf("zone = %q", got)
	}
	if got := d.Find("[data-testid=back-to-table]").AttrOr("href", ""); got != "/zoho" {
		t.Errorf("way back to the table: %q", got)
	}

	// Filters: state, direction, seat, days (in the company's zone).
	for q, want := range map[string]string{
		"state=missed":                       "Perdida",
		"state=talked":                       "Entrante · en espera|Saliente · contestada, durante 2 minutos y 5 segundos",
		"state=open&dir=received":            "Entrante · sonando|Entrante · en espera",
		"state=failed":                       "Saliente · no se pudo iniciar (número no válido)|Saliente · ocupado",
		"q=0726330":                          "",
		"from=2026-11-25":                    "",
		"from=2026-11-24&to=2026-11-24&q=29": strings.Join(want, "|"),
	} {
		if got := strings.Join(callLabels(c.get("/activity?"+q).doc(t)), "|"); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	bad := c.get("/activity?from=ayer").doc(t)
	if got := bad.Find("[data-testid=filter-error]").Text(); !strings.Contains(got, "«ayer» no es válida") || len(callLabels(bad)) != 6 {
		t.Errorf("a bad date: %q, %d calls", got, len(callLabels(bad)))
	}

	// English, and another time zone.
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/activity"}})
	wantStatus(t, c.post("/settings/time-zone", url.Values{"zone": {"Atlantic/Canary"}, "return": {"/activity"}}), http.StatusSeeOther)
	d = c.get("/activity").doc(t)
	if got := d.Find("[data-testid=flash]").Text(); got != "Times are now shown in Canary Islands (Atlantic/Canary)." {
		t.Errorf("flash = %q", got)
	}
	wantEN := []string{"Incoming · ringing", "Incoming · on hold", "Outgoing · could not start (invalid number)", "Outgoing · busy",
		"Outgoing · answered, for 2 minutes and 5 seconds", "Missed"}
	if got := callLabels(d); strings.Join(got, "|") != strings.Join(wantEN, "|") {
		t.Errorf("English calls: %q", got)
	}
	if got := d.Find("[data-testid=call-row]").Last().Text(); !strings.Contains(got, "24 Nov 2026 10:00 WET") ||
		!strings.Contains(got, "ended (sent to Zoho this way instead of “missed”)") {
		t.Errorf("English missed row: %s", got)
	}
	wantStatus(t, c.post("/settings/time-zone", url.Values{"zone": {"Mars/Olympus"}}), http.StatusUnprocessableEntity)
}

// TestActivityPages pages through more calls than fit on one page.
func TestActivityPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	seat := mustInt(t, e.seatID(t, "910726329@conecta.orange.es"))
	for i := range 30 {
		e.clock.Advance(time.Second)
		e.saveCall(t, seat, fmt.Sprint("call-", i), callflow.State{Type: "received", Phase: callflow.PhaseReleased, Outcome: "missed",
			Remote: "+34600" + strconv.Itoa(100000+i)}, false)
	}
	d := c.get("/activity?state=missed").doc(t)
	if n := d.Find("[data-testid=call-row]").Length(); n != 25 {
		t.Fatalf("%d rows on page 1", n)
	}
	next := d.Find("[data-testid=next]").AttrOr("href", "")
	if next != "/activity?page=2&state=missed" {
		t.Fatalf("next = %q", next)
	}
	d = c.get(next).doc(t)
	if got := d.Find("[data-testid=showing]").Text(); got != "Mostrando 26 a 30 de 30 llamadas" {
		t.Errorf("page 2: %q", got)
	}
	if got := d.Find("#f-state option[selected]").AttrOr("value", ""); got != "missed" {
		t.Errorf("the filter is kept: %q", got)
	}
}

// TestAuditInWords tells the audit log as sentences, filters and pages it.
func TestAuditInWords(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	wantStatus(t, c.post("/zoho/seats/suggested", url.Values{}), http.StatusSeeOther)
	ctx := context.Background()
	for i := range 60 {
		if err := e.store.Audit(ctx, e.company.ID, adminEmail, "login.failed", map[string]string{"reason": "password", "client": fmt.Sprint("10.0.0.", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.Audit(ctx, e.company.ID, "operator", "something.new", map[string]string{"b": "2", "a": "1"}); err != nil {
		t.Fatal(err)
	}
	d := c.get("/audit").doc(t)
	if n := d.Find("[data-testid=audit-row]").Length(); n != 50 {
		t.Errorf("%d rows on page 1", n)
	}
	first := d.Find("[data-testid=audit-row]").First().Text()
	if !strings.Contains(first, "el operador") || !strings.Contains(first, "Evento «something.new»: a = 1, b = 2.") {
		t.Errorf("an action without a sentence: %q", first)
	}
	if got := d.Find("[data-testid=showing]").Text(); !strings.HasPrefix(got, "Mostrando 1 a 50 de ") {
		t.Errorf("showing = %q", got)
	}
	links := c.get("/audit?state=links").doc(t).Find("[data-testid=audit]").Text()
	if !strings.Contains(links, "Vinculó 910726329@conecta.orange.es (910726329) al usuario de Zoho Miguel Martín Buil (miguel.martin@satec.es): ClickToDial y CallControl activados.") ||
		strings.Contains(links, "Intento de acceso") {
		t.Errorf("links only:\n%s", links)
	}
	one := c.get("/audit?q=10.0.0.42").doc(t)
	if got := one.Find("[data-testid=audit-row]").Text(); !strings.Contains(got, "Intento de acceso fallido desde 10.0.0.42: la contraseña no era correcta.") ||
		one.Find("[data-testid=audit-row]").Length() != 1 {
		t.Errorf("search by address: %q", got)
	}
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/audit"}})
	if got := c.get("/audit?q=10.0.0.42").doc(t).Find("[data-testid=audit-row]").Text(); !strings.Contains(got, "Failed sign-in from 10.0.0.42: the password was wrong.") ||
		!strings.Contains(got, "24 Nov 2026 11:00 CET") {
		t.Errorf("English: %q", got)
	}
}
