package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// consentAtZoho types the Zoho account in the guide's activation dialog,
// signs in at the (simulated) Zoho login as signInAs, and accepts.
func consentAtZoho(t *testing.T, ctx context.Context, gw *gateway, typed, signInAs string) {
	t.Helper()
	submit(t, ctx, "open Integración Zoho", `#sidebar a[href="/zoho"]`)
	run(t, ctx, "open the activation dialog",
		chromedp.Click(chromedp.CSS(`[data-testid=enable]`)),
		chromedp.WaitVisible(chromedp.CSS(`#enable-dialog #zoho_email`)),
		chromedp.SetValue(chromedp.CSS(`#enable-dialog #zoho_email`), typed))
	shot(t, ctx, "zoho-enable-dialog")
	submit(t, ctx, "Comenzar la activación", `#enable-dialog [data-testid=enable-start]`)
	if got := text(t, ctx, "body"); !strings.Contains(got, "Iniciar sesión para acceder a Accounts") {
		t.Fatalf("not at Zoho's login page:\n%.300s", got)
	}
	run(t, ctx, "Zoho login",
		chromedp.SetValue(chromedp.CSS(`#email`), signInAs),
		chromedp.SetValue(chromedp.CSS(`#password`), zohosim.DemoPassword))
	submit(t, ctx, "INICIAR SESIÓN", `button.primary`)
	if got := text(t, ctx, "body"); !strings.Contains(got, "Digital Centrex desea acceder a la siguiente información.") {
		t.Fatalf("not at Zoho's consent page:\n%.300s", got)
	}
	shot(t, ctx, "zoho-consent")
	submit(t, ctx, "Aceptar", `form:has(input[value=accept]) button`)
}

// TestZohoEnableManageDisable is the guide's sections 3 and 5 in a browser:
// enable through Zoho's consent, see the management page, disable, and come
// back to the enable screen.
func TestZohoEnableManageDisable(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	signIn(t, ctx, gw)
	consentAtZoho(t, ctx, gw, zohosim.DemoAdminEmail, zohosim.DemoAdminEmail)

	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=zoho-panel]`)))
	if got := text(t, ctx, "[data-testid=zoho-title]"); got != "Gestión de integración Conecta - Zoho - Fermax." {
		t.Fatalf("title = %q", got)
	}
	if got := text(t, ctx, "[data-testid=panel-dc]"); got != "Europa (eu)" {
		t.Errorf("data centre = %q", got)
	}
	if !gw.zorg.Integrated() {
		t.Fatal("the simulator was not asked to integrate")
	}
	shot(t, ctx, "zoho-manage")

	run(t, ctx, "open the warning", chromedp.Click(chromedp.CSS(`[data-testid=disable]`)),
		chromedp.WaitVisible(chromedp.CSS(`#disable-dialog [data-testid=disable-confirm-button]`)))
	if got := text(t, ctx, "#disable-dialog"); !strings.Contains(got, "¡Advertencia!") {
		t.Errorf("warning dialog = %q", got)
	}
	shot(t, ctx, "zoho-disable-dialog")
	submit(t, ctx, "Confirmar Desactivación", `#disable-dialog [data-testid=disable-confirm-button]`)
	run(t, ctx, "back at the enable screen", chromedp.WaitVisible(chromedp.CSS(`[data-testid=enable]`)))
	if got := text(t, ctx, "[data-testid=flash]"); !strings.Contains(got, "se ha deshabilitado para todos los usuarios") {
		t.Errorf("flash = %q", got)
	}
	if gw.zorg.Integrated() {
		t.Error("still integrated at the simulator")
	}
}

// TestZohoConsentMismatch signs in at Zoho with another account than the
// one typed in the dialog: the portal says so plainly and stays disabled.
func TestZohoConsentMismatch(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	signIn(t, ctx, gw)
	consentAtZoho(t, ctx, gw, "gema.castro@satec.es", zohosim.DemoAdminEmail)
	run(t, ctx, "back at the portal", chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
	got := text(t, ctx, "[data-testid=flash]")
	if !strings.Contains(got, "El consentimiento se dio con la cuenta de Zoho miguel.martin@satec.es, pero usted indicó gema.castro@satec.es") {
		t.Fatalf("flash = %q", got)
	}
	run(t, ctx, "still disabled", chromedp.WaitVisible(chromedp.CSS(`[data-testid=enable]`)))
	if gw.zorg.Integrated() {
		t.Error("integrated despite the mismatch")
	}
}
