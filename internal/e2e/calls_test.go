package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// crmText reloads the simulated Zoho CRM page, as the page itself does
// (the same address), until its text contains want.
func crmText(t *testing.T, ctx context.Context, gw *gateway, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var body string
	for time.Now().Before(deadline) {
		reload := chromedp.Navigate(gw.zsim.BaseURL() + "/crm/")
		if strings.HasPrefix(location(t, ctx), gw.zsim.BaseURL()+"/crm/") {
			reload = chromedp.Reload()
		}
		// The page reloads itself every 2 s: when that reload starts in the
		// instant this one does, one of them is aborted; the next turn looks
		// again.
		if err := chromedp.Do(ctx, reload, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			if !strings.Contains(err.Error(), "net::ERR_ABORTED") {
				t.Fatalf("reload the CRM: %v", err)
			}
			time.Sleep(300 * time.Millisecond)
			continue
		}
		body = value(t, ctx, "CRM text", chromedp.Evaluate[string](`document.body.innerText`))
		if strings.Contains(body, want) {
			return body
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("the CRM page never showed %q; it shows:\n%s", want, body)
	return ""
}

// seatHeld reports whether the seat's call is on hold at the Centrex.
func seatHeld(t *testing.T, gw *gateway, seat string) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range gw.xsim.Calls() {
			if c.UserID == seat && c.State == "Held" {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// seatCall waits until the Centrex has a live call half on the seat.
func seatCall(t *testing.T, gw *gateway, seat string) xsisim.Call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range gw.xsim.Calls() {
			if c.UserID == seat {
				return c
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no call on %s at the Centrex", seat)
	return xsisim.Call{}
}

// TestCallsThroughTheCRM is issue 5's demo in a browser: a linked seat, a
// click on a number in (simulated) Zoho CRM, the call ringing and answered
// in the call bar, hung up from there and logged; then an incoming call
// popping up.
func TestCallsThroughTheCRM(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	signIn(t, ctx, gw)
	consentAtZoho(t, ctx, gw, zohosim.DemoAdminEmail, zohosim.DemoAdminEmail)
	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sync-seats]`)))
	submit(t, ctx, "Sincronizar con la centralita", `[data-testid=sync-seats]`)
	run(t, ctx, "suggestions", chromedp.Navigate(gw.url+"/zoho/suggestions"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=link-suggested]`)))
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)
	if got := text(t, ctx, "[data-testid=bulk-summary]"); !strings.HasPrefix(got, "2 correctos") {
		t.Fatalf("linking: %q", got)
	}

	// Miguel signs in to Zoho CRM and clicks Pepe Sanchez's number.
	// (The browser may still be signed in to Zoho from the consent.)
	run(t, ctx, "open Zoho CRM", chromedp.Navigate(gw.zsim.BaseURL()+"/crm/"), chromedp.WaitReady(chromedp.CSS(`body`)))
	if value(t, ctx, "login form?", chromedp.Evaluate[bool](`document.querySelector("input[name=password]") !== null`)) {
		run(t, ctx, "Zoho login", chromedp.SetValue(chromedp.CSS(`input[name=email]`), zohosim.DemoAdminEmail),
			chromedp.SetValue(chromedp.CSS(`input[name=password]`), zohosim.DemoPassword))
		submit(t, ctx, "sign in to Zoho", `button[type=submit]`)
	}
	run(t, ctx, "contacts", chromedp.WaitVisible(chromedp.CSS(`button.phone`)))
	submit(t, ctx, "click Pepe Sanchez's number", `button.phone[title="Llamar a Pepe Sanchez"]`)
	dialing := location(t, ctx) // "Llamando a 910 000 111…"

	// The seat's phone rings, the agent picks up, Pepe answers.
	agent := seatCall(t, gw, xsisim.DemoSeat1)
	if err := gw.xsim.AnswerAtSeat(agent.ID); err != nil {
		t.Fatal(err)
	}
	far := seatCall(t, gw, xsisim.DemoSeat1)
	if err := gw.xsim.AnswerFromFarEnd(far.ID); err != nil {
		t.Fatal(err)
	}
	crmText(t, ctx, gw, "FINALIZAR LLAMADA")
	shot(t, ctx, "crm-call-bar")
	// "Llamando a…" stays while the call is up.
	if !strings.Contains(text(t, ctx, "body"), "Llamando a 910 000 111") {
		t.Error("no \"Llamando a…\" during the call")
	}

	// Held from the call bar: the CRM says "En espera" and offers "Reanudar".
	submit(t, ctx, "Retener", `form:has(input[value=hold]) button`)
	held := crmText(t, ctx, gw, "En espera")
	if !strings.Contains(held, "Reanudar") || strings.Contains(held, "Retener") {
		t.Errorf("held call bar:\n%s", held)
	}
	if !seatHeld(t, gw, xsisim.DemoSeat1) {
		t.Error("the Centrex does not hold the call")
	}
	submit(t, ctx, "Reanudar", `form:has(input[value=unhold]) button`)
	resumed := crmText(t, ctx, gw, "En curso")
	if !strings.Contains(resumed, "Retener") || strings.Contains(resumed, "En espera") {
		t.Errorf("resumed call bar:\n%s", resumed)
	}

	// Hang up from Zoho's call bar: the gateway releases the call in the Centrex.
	submit(t, ctx, "FINALIZAR LLAMADA", `button.danger`)
	deadline := time.Now().Add(10 * time.Second)
	for len(gw.xsim.Calls()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(gw.xsim.Calls()); n != 0 {
		t.Fatalf("%d call halves still live at the Centrex after hanging up from Zoho", n)
	}
	run(t, ctx, "the page that said Llamando a", chromedp.Navigate(dialing))
	log := crmText(t, ctx, gw, "Finalizada")
	if !strings.Contains(log, "Saliente\tFinalizada\t+34910726329\t+34910000111\tPepe Sanchez") {
		t.Errorf("call log lacks the outgoing call to Pepe Sanchez:\n%s", log)
	}
	if strings.Contains(log, "Llamando a") {
		t.Errorf("\"Llamando a…\" stays after the call ended:\n%s", log)
	}

	// An incoming call pops up.
	if _, err := gw.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34910000111", "Pepe Sanchez"); err != nil {
		t.Fatal(err)
	}
	popup := crmText(t, ctx, gw, "Llamada entrante de")
	if !strings.Contains(popup, "Pepe Sanchez") {
		t.Errorf("pop-up does not name the caller:\n%s", popup)
	}
	shot(t, ctx, "crm-incoming")

	// The portal's activity page shows the calls and their deliveries.
	run(t, ctx, "activity", chromedp.Navigate(gw.url+"/activity"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=call-row]`)))
	if got := text(t, ctx, "[data-testid=calls]"); !strings.Contains(got, "Saliente · contestada, durante") || !strings.Contains(got, "entregada") {
		t.Errorf("activity page:\n%s", got)
	}
	shot(t, ctx, "activity")
}
