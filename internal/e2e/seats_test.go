package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// TestSeatsTable is the guide's section 4 in a browser: the company's seats
// read from the Centrex, search, paging, then activate a seat for a Zoho
// user through the dialog (ON) and deactivate it again (OFF).
func TestSeatsTable(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	signIn(t, ctx, gw)
	consentAtZoho(t, ctx, gw, zohosim.DemoAdminEmail, zohosim.DemoAdminEmail)
	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sync-seats]`)))
	submit(t, ctx, "Sincronizar con la centralita", `[data-testid=sync-seats]`)
	if got := text(t, ctx, "[data-testid=flash]"); !strings.Contains(got, "32 puestos") {
		t.Fatalf("after sync: %q", got)
	}
	if got := text(t, ctx, "[data-testid=showing]"); !strings.Contains(got, "Mostrando 1 a 10 de 32 elementos") {
		t.Fatalf("showing = %q", got)
	}
	shot(t, ctx, "seats-table")

	// Search on every column, as you type: here the phone number.
	run(t, ctx, "search", chromedp.SendKeys(chromedp.CSS(`[data-testid=search]`), "0726330"))
	waitText(t, ctx, "[data-testid=showing]", "Mostrando 1 a 1 de 1 elemento ")
	if got := text(t, ctx, "[data-testid=seat-row]"); !strings.Contains(got, "910726330@conecta.orange.es") {
		t.Fatalf("found row = %q", got)
	}

	// Paging.
	run(t, ctx, "clear the search", chromedp.Navigate(gw.url+"/zoho"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=next]`)))
	submit(t, ctx, "Siguiente", `[data-testid=next]`)
	if got := text(t, ctx, "[data-testid=showing]"); !strings.Contains(got, "Mostrando 11 a 20 de 32 elementos") {
		t.Fatalf("page 2: %q", got)
	}

	// Activate 910726329 for Miguel through the dialog.
	run(t, ctx, "back to page 1", chromedp.Navigate(gw.url+"/zoho?q=910726329"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=activate]`)))
	run(t, ctx, "open the activation dialog", chromedp.Click(chromedp.CSS(`[data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)))
	if got := text(t, ctx, "#remote-dialog #activate-title"); got != "Activación de usuario Zoho en Conecta" {
		t.Fatalf("dialog title = %q", got)
	}
	run(t, ctx, "search the Zoho users", chromedp.SendKeys(chromedp.CSS(`#remote-dialog #user-filter`), "martín"))
	waitText(t, ctx, "#remote-dialog [data-testid=user-count]", "1 usuario de Zoho coincide.")
	option := value(t, ctx, "find Miguel", chromedp.Evaluate[string](`[...document.querySelectorAll("#remote-dialog option")].find(o => o.textContent === "Miguel Martín Buil (miguel.martin@satec.es)")?.value ?? ""`))
	if option == "" {
		t.Fatal(`"Miguel Martín Buil (miguel.martin@satec.es)" is not in the filtered list`)
	}
	run(t, ctx, "choose Miguel", chromedp.SetValue(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`), option))
	shot(t, ctx, "seats-activate-dialog")
	submit(t, ctx, "Activar", `#remote-dialog [data-testid=activate-submit]`)
	row := `[data-seat="910726329@conecta.orange.es"]`
	run(t, ctx, "row updated", chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=deactivate]`)))
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "ON" {
		t.Fatalf("Activado Zoho = %q", got)
	}
	if got := text(t, ctx, row+` [data-testid=zoho-login]`); got != zohosim.DemoAdminEmail {
		t.Fatalf("Login Zoho = %q", got)
	}
	if _, ok := gw.zorg.ClickToDial(option); !ok {
		t.Fatal("click-to-dial not registered in the simulator")
	}

	// And deactivate it.
	run(t, ctx, "open the deactivation dialog", chromedp.Click(chromedp.CSS(row+` [data-testid=deactivate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=deactivate-submit]`)))
	if got := text(t, ctx, "#remote-dialog [data-testid=deactivate-zoho]"); got != zohosim.DemoAdminEmail {
		t.Errorf("Usuario Zoho in dialog = %q", got)
	}
	submit(t, ctx, "Desactivar", `#remote-dialog [data-testid=deactivate-submit]`)
	run(t, ctx, "row back to OFF", chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=activate]`)))
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "OFF" {
		t.Fatalf("Activado Zoho = %q", got)
	}
	if _, ok := gw.zorg.ClickToDial(option); ok {
		t.Fatal("click-to-dial still registered")
	}
}
