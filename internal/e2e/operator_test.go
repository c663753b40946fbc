package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/conecta-zoho/gateway/internal/password"
)

const (
	operatorEmail    = "soporte@orange.example"
	operatorPassword = "operator-demo-password"
)

// TestOperatorConsole walks the carrier's console with the page's scripts
// switched off: the sign-in (password and captcha, then the enrolment: the
// QR code shown, the TOTP code computed here from the key on the page),
// the companies list with a failing company flagged and the "needs
// attention" filter, and actions on a company (retry its stopped
// notifications, synchronise another's seats).
func TestOperatorConsole(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	bg := context.Background()
	hash, err := password.Hash(operatorPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.store.CreateOperator(bg, operatorEmail, hash); err != nil {
		t.Fatal(err)
	}
	acme, _, err := gw.store.CreateCompany(bg, "Acme", "admin@acme.example", hash)
	if err != nil {
		t.Fatal(err)
	}
	// Zoho refused one of Acme's notifications: it is parked.
	if _, err := gw.store.Pool().Exec(bg, `INSERT INTO outbox (company_id, call_key, seq, kind, payload, status, attempts, last_error)
		VALUES ($1, 'call-1', 1, 'callnotify', '{}', 'parked', 8, 'zoho: 400 invalid number')`, acme.ID); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable scripts: %v", err)
	}
	run(t, ctx, "open the sign-in", chromedp.Navigate(gw.url+"/operator/login"), chromedp.WaitVisible(chromedp.CSS(`#captcha`)))
	if got := text(t, ctx, "h1"); got != "Acceso de operadores" {
		t.Errorf("title = %q", got)
	}
	run(t, ctx, "type the password", chromedp.SetValue(chromedp.CSS(`#email`), operatorEmail),
		chromedp.SetValue(chromedp.CSS(`#password`), operatorPassword), chromedp.SetValue(chromedp.CSS(`#captcha`), captcha))
	submit(t, ctx, "sign in", `[data-testid=login-submit]`)

	run(t, ctx, "the enrolment", chromedp.WaitVisible(chromedp.CSS(`[data-testid=totp-qr]`)))
	// The QR code is a picture of the site, which the CSP lets load.
	value(t, ctx, "the QR code loads", chromedp.Poll[bool](`(() => { const i = document.querySelector("[data-testid=totp-qr]"); return i.complete && i.naturalWidth === 200; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	screen(t, ctx, "operator-enrol")
	secret := strings.ReplaceAll(text(t, ctx, "[data-testid=totp-secret]"), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("the key on the page (%q): %v", secret, err)
	}
	run(t, ctx, "type the code", chromedp.SetValue(chromedp.CSS(`#code`), code))
	submit(t, ctx, "verify", `[data-testid=code-submit]`)

	run(t, ctx, "the companies", chromedp.WaitVisible(chromedp.CSS(`[data-testid=operator-email]`)))
	if got := text(t, ctx, "[data-testid=flash]"); got != "La verificación en dos pasos está activada." {
		t.Errorf("flash = %q", got)
	}
	if got := text(t, ctx, `[data-company="Acme"] [data-testid=attention]`); got != "Requiere atención" {
		t.Errorf("Acme's flag = %q", got)
	}
	if got := text(t, ctx, `[data-company="Acme"] [data-testid=last-error]`); got != "outbox: zoho: 400 invalid number" {
		t.Errorf("Acme's last error = %q", got)
	}
	flagged := value(t, ctx, "Fermax's flag", chromedp.Evaluate[int](`document.querySelectorAll('[data-company="Fermax"] [data-testid=attention]').length`))
	if flagged != 0 {
		t.Error("Fermax is flagged")
	}
	screen(t, ctx, "operator-companies")

	run(t, ctx, "needs attention", chromedp.Click(chromedp.CSS(`[data-testid=attention-filter]`)))
	submit(t, ctx, "filter", `[data-testid=filter]`)
	shown := value(t, ctx, "rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll("[data-testid=company-row]")].map(r => r.dataset.company)`))
	if len(shown) != 1 || shown[0] != "Acme" {
		t.Fatalf("needing attention: %v", shown)
	}

	submit(t, ctx, "open Acme", `[data-company="Acme"] [data-testid=company-link]`)
	if got := text(t, ctx, "[data-testid=errors]"); !strings.Contains(got, "zoho: 400 invalid number") {
		t.Errorf("Acme's recent errors = %q", got)
	}
	screen(t, ctx, "operator-company")
	submit(t, ctx, "retry the stopped notifications", `[data-testid=retry-parked]`)
	if got := text(t, ctx, "[data-testid=flash]"); got != "1 notificación vuelve a la cola." {
		t.Errorf("flash = %q", got)
	}
	if got := text(t, ctx, "[data-testid=operator-audit]"); !strings.Contains(got, "Notificaciones detenidas reintentadas") || !strings.Contains(got, operatorEmail) {
		t.Errorf("latest operations = %q", got)
	}

	run(t, ctx, "back to the companies", chromedp.Navigate(gw.url+"/operator/?q=fermax"), chromedp.WaitVisible(chromedp.CSS(`[data-company="Fermax"]`)))
	submit(t, ctx, "open Fermax", `[data-company="Fermax"] [data-testid=company-link]`)
	submit(t, ctx, "synchronise the seats", `[data-testid=sync]`)
	if got := text(t, ctx, "[data-testid=flash]"); !strings.HasPrefix(got, "Usuarios leídos de la Centrex: 32 presentes") {
		t.Errorf("flash = %q", got)
	}
}
