package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// TestSeatsWithoutJavaScript does section 4 with the page's scripts switched
// off: the dialogs are pages of their own, and every step still works.
func TestSeatsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable scripts: %v", err)
	}
	signIn(t, ctx, gw)
	run(t, ctx, "Integración Zoho", chromedp.Navigate(gw.url+"/zoho"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=enable]`)))
	// Without scripts the button leads to the confirmation as a page.
	submit(t, ctx, "Habilitar", `[data-testid=enable]`)
	run(t, ctx, "confirmation page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=enable-confirm] #zoho_email`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=enable-confirm] #zoho_email`), zohosim.DemoAdminEmail))
	submit(t, ctx, "Comenzar la activación", `[data-testid=enable-confirm] [data-testid=enable-start]`)
	run(t, ctx, "Zoho login", chromedp.SetValue(chromedp.CSS(`#email`), zohosim.DemoAdminEmail),
		chromedp.SetValue(chromedp.CSS(`#password`), zohosim.DemoPassword))
	submit(t, ctx, "INICIAR SESIÓN", `button.primary`)
	submit(t, ctx, "Aceptar", `form:has(input[value=accept]) button`)
	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sync-seats]`)))
	submit(t, ctx, "Sincronizar", `[data-testid=sync-seats]`)

	run(t, ctx, "search", chromedp.SetValue(chromedp.CSS(`[data-testid=search]`), "910726329"))
	submit(t, ctx, "Buscar", `.table-search button[type=submit]`)
	submit(t, ctx, "Activar", `[data-testid=activate]`)
	if got := text(t, ctx, "#activate-title"); got != "Activación de usuario Zoho en Conecta" {
		t.Fatalf("activation page title = %q", got)
	}
	// The server-side search of the Zoho users replaces the live filter.
	run(t, ctx, "search Zoho users", chromedp.SetValue(chromedp.CSS(`#user-filter`), "miguel.martin"))
	submit(t, ctx, "Buscar usuario", `form[role=search] button[type=submit]`)
	option := value(t, ctx, "Miguel's option", chromedp.Evaluate[string](`document.querySelector("#zoho_user option")?.value ?? ""`))
	if option == "" {
		t.Fatal("no Zoho user found by the server-side search")
	}
	run(t, ctx, "choose", chromedp.SetValue(chromedp.CSS(`#zoho_user`), option))
	submit(t, ctx, "Activar", `[data-testid=activate-submit]`)
	row := `[data-seat="910726329@conecta.orange.es"]`
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "ON" {
		t.Fatalf("after activation the row shows %q", got)
	}
	if got := text(t, ctx, "[data-testid=flash]"); !strings.Contains(got, "vinculado") {
		t.Errorf("flash = %q", got)
	}
	submit(t, ctx, "Desactivar", row+` [data-testid=deactivate]`)
	submit(t, ctx, "confirm", `[data-testid=deactivate-submit]`)
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "OFF" {
		t.Fatalf("after deactivation the row shows %q", got)
	}
}
