package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// labels are the "Llamada" cells of the activity page, top to bottom.
func labels(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return value(t, ctx, "calls", chromedp.Evaluate[[]string](`[...document.querySelectorAll("[data-testid=call-label]")].map(e => e.innerText.trim())`))
}

// TestActivityAndAuditInWords is point 4 in a browser, in Spanish and in
// English: a real incoming call that nobody answers shows as "Perdida" while
// Zoho was told "ended"; times are in the company's zone, which is shown and
// can be changed; the page is filtered with its form and paginated; the audit
// log tells events as sentences, filtered by kind; both lead back to the
// table.
func TestActivityAndAuditInWords(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	navigate(t, ctx, gw, "/zoho/suggestions")
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)

	// Thirty older answered calls of the second seat, so the page has pages.
	co, err := gw.store.CompanyByName(context.Background(), "Fermax")
	if err != nil {
		t.Fatal(err)
	}
	seat2, err := gw.store.SeatByUserID(context.Background(), co.ID, xsisim.DemoSeat2)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-48 * time.Hour)
	for i := range 30 {
		st, _ := json.Marshal(callflow.State{Type: "dialed", Phase: callflow.PhaseReleased, Outcome: "ended", Remote: "+34600000000",
			AnswerTime: start, ReleaseTime: start.Add(time.Minute)})
		err := gw.store.InCallTx(context.Background(), co.ID, func(ctx context.Context, tx store.CallTx) error {
			c, err := tx.LockCall(ctx, seat2.ID, fmt.Sprint("old-", i), "zu")
			if err != nil {
				return err
			}
			c.ZohoCallID, c.State = fmt.Sprint("zold", i), st
			return tx.SaveCall(ctx, c)
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Pepe calls the first seat; it rings; he hangs up.
	callID, err := gw.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34910000111", "Pepe Sanchez")
	if err != nil {
		t.Fatal(err)
	}
	waitActivity(t, ctx, gw, "Entrante · sonando")
	if err := gw.xsim.ReleaseFromFarEnd(callID); err != nil {
		t.Fatal(err)
	}
	waitActivity(t, ctx, gw, "Perdida")
	row := value(t, ctx, "the call", chromedp.Evaluate[string](`document.querySelector("[data-testid=call-row]").innerText`))
	for _, want := range []string{"Perdida", "+34910000111", "Pepe Sanchez", "sonando", "terminada (enviada así a Zoho en lugar de «perdida»)"} {
		if !strings.Contains(row, want) {
			t.Errorf("the missed call lacks %q:\n%s", want, row)
		}
	}
	sent := gw.zorg.Notifies()
	if last := sent[len(sent)-1]; last.State != "ended" {
		t.Errorf("Zoho was told %q", last.State)
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	abbr, _ := time.Now().In(madrid).Zone()
	if got := text(t, ctx, "[data-testid=zone]"); !strings.Contains(got, "Horas en Europe/Madrid ("+abbr+").") {
		t.Errorf("zone = %q", got)
	}
	if !strings.Contains(row, " "+abbr) {
		t.Errorf("the time does not show its zone %s:\n%s", abbr, row)
	}
	if got := text(t, ctx, "[data-testid=showing]"); got != "Mostrando 1 a 25 de 31 llamadas" {
		t.Errorf("showing = %q", got)
	}
	submit(t, ctx, "Siguiente", `[data-testid=next]`)
	if got := text(t, ctx, "[data-testid=showing]"); got != "Mostrando 26 a 31 de 31 llamadas" {
		t.Errorf("page 2: %q", got)
	}

	// The filter form: missed calls of the first seat, today.
	navigate(t, ctx, gw, "/activity")
	today := time.Now().In(madrid).Format("2006-01-02")
	run(t, ctx, "filter", chromedp.SetValue(chromedp.CSS(`[data-testid=filter-text]`), "0726329"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=filter-from]`), today),
		chromedp.SetValue(chromedp.CSS(`[data-testid=filter-state]`), "missed"))
	submit(t, ctx, "Filtrar", `[data-testid=filter-apply]`)
	if got := labels(t, ctx); len(got) != 1 || got[0] != "Perdida" {
		t.Errorf("filtered: %q", got)
	}
	run(t, ctx, "only answered", chromedp.SetValue(chromedp.CSS(`[data-testid=filter-state]`), "talked"))
	submit(t, ctx, "Filtrar", `[data-testid=filter-apply]`)
	if got := text(t, ctx, "[data-testid=no-calls]"); got != "Ninguna llamada coincide con el filtro." {
		t.Errorf("no match: %q", got)
	}
	submit(t, ctx, "Quitar filtros", `[data-testid=filter-clear]`)
	if n := len(labels(t, ctx)); n != 25 {
		t.Errorf("%d calls after clearing the filter", n)
	}

	// The audit log, as sentences, filtered by kind.
	navigate(t, ctx, gw, "/audit")
	audit := text(t, ctx, "[data-testid=audit]")
	for _, want := range []string{
		"Vinculó 910726329@conecta.orange.es (910726329) al usuario de Zoho Miguel Martín Buil (miguel.martin@satec.es): ClickToDial y CallControl activados.",
		"Habilitó la integración con Zoho PhoneBridge (cuenta miguel.martin@satec.es, centro de datos Europa (eu)).",
		"Inició sesión en el portal desde 127.0.0.1.",
	} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%s", want, audit)
		}
	}
	run(t, ctx, "only links", chromedp.SetValue(chromedp.CSS(`[data-testid=filter-state]`), "links"))
	submit(t, ctx, "Filtrar", `[data-testid=filter-apply]`)
	actions := value(t, ctx, "actions", chromedp.Evaluate[[]string](`[...document.querySelectorAll("[data-testid=audit-row]")].map(r => r.dataset.action)`))
	if len(actions) != 2 || actions[0] != "link.activated" || actions[1] != "link.activated" {
		t.Errorf("links only: %q", actions)
	}
	submit(t, ctx, "back to the table", `[data-testid=back-to-table]`)
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/zoho") {
		t.Errorf("back at %s", loc)
	}

	// In English, and in the Canary Islands' time.
	submit(t, ctx, "English", `.lang button[value=en]`)
	navigate(t, ctx, gw, "/settings/time-zone?return=/activity")
	run(t, ctx, "Canarias", chromedp.SetValue(chromedp.CSS(`[data-testid=zone-select]`), "Atlantic/Canary"))
	submit(t, ctx, "Save", `[data-testid=zone-save]`)
	if got := text(t, ctx, "[data-testid=flash]"); got != "Times are now shown in Canary Islands (Atlantic/Canary)." {
		t.Errorf("flash = %q", got)
	}
	canary, _ := time.LoadLocation("Atlantic/Canary")
	cabbr, _ := time.Now().In(canary).Zone()
	if got := text(t, ctx, "[data-testid=zone]"); !strings.Contains(got, "Times in Atlantic/Canary ("+cabbr+").") {
		t.Errorf("zone = %q", got)
	}
	if got := labels(t, ctx); len(got) == 0 || got[0] != "Missed" || got[1] != "Outgoing · answered, for 1 minute" {
		t.Errorf("English calls: %q", got[:min(2, len(got))])
	}
	row = value(t, ctx, "the call", chromedp.Evaluate[string](`document.querySelector("[data-testid=call-row]").innerText`))
	if !strings.Contains(row, "ended (sent to Zoho this way instead of “missed”)") || !strings.Contains(row, " "+cabbr) {
		t.Errorf("English row:\n%s", row)
	}
	navigate(t, ctx, gw, "/audit")
	if got := text(t, ctx, "[data-testid=audit]"); !strings.Contains(got, "Changed the company's time zone to Atlantic/Canary.") ||
		!strings.Contains(got, "Linked 910726329@conecta.orange.es (910726329) to the Zoho user Miguel Martín Buil (miguel.martin@satec.es)") {
		t.Errorf("English audit log:\n%s", got)
	}
	shot(t, ctx, "audit-english")
}
