package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// The widths every screen is checked (and photographed) at: a laptop and a
// small phone.
const (
	wideWidth, wideHeight     = 1366, 900
	narrowWidth, narrowHeight = 375, 812
)

// viewport makes the page width×height CSS pixels, a phone's (mobile, so the
// page's viewport meta applies) when narrow.
func viewport(width, height int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(width, height, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
		p.Mobile = width < 800
	})
}

// screen checks the page at both widths: the page itself never scrolls
// sideways (document.documentElement.scrollWidth equals the viewport's
// width; wide content scrolls in its own box) and the header's controls
// are inside the viewport. With $E2E_SCREENSHOTS set (make screenshots) it
// also saves name-1366.png and name-375.png there. It leaves the page wide.
func screen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []struct{ width, height int64 }{{wideWidth, wideHeight}, {narrowWidth, narrowHeight}} {
		run(t, ctx, fmt.Sprintf("%s at %d px", name, w.width), viewport(w.width, w.height))
		got := value(t, ctx, "widths", chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if got[0] != got[1] || int64(got[1]) != w.width {
			t.Errorf("%s at %d px: the page is %d px wide in a %d px viewport", name, w.width, got[0], got[1])
		}
		clipped := value(t, ctx, "header controls", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".topbar a, .topbar button, .topbar label")]
			.filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
			.map(e => e.textContent.trim() || e.outerHTML.slice(0, 60))`))
		if len(clipped) > 0 {
			t.Errorf("%s at %d px: header controls cut off: %q", name, w.width, clipped)
		}
		if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
			png := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w.width)), png, 0o644); err != nil {
				t.Errorf("screenshot %s: %v", name, err)
			}
		}
	}
	run(t, ctx, "back to wide", viewport(wideWidth, wideHeight))
}

// watchCSP records every Content-Security-Policy violation of the pages the
// tab opens from now on, in window.cspViolations.
func watchCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.cspViolations = [];
		document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`})
	if err != nil {
		t.Fatalf("watch the CSP: %v", err)
	}
}

// cspViolations are the violations of the current page.
func cspViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return value(t, ctx, "CSP violations", chromedp.Evaluate[[]string](`window.cspViolations || []`))
}

// navigate opens path of the gateway and waits for its body.
func navigate(t *testing.T, ctx context.Context, gw *gateway, path string) {
	t.Helper()
	run(t, ctx, "open "+path, chromedp.Navigate(gw.url+path), chromedp.WaitReady(chromedp.CSS(`body`)))
}

// waitText waits until the element sel shows want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q); })()`, sel, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("%s never showed %q; it shows %q", sel, want, value(t, ctx, "text", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.innerText ?? "(absent)"`, sel))))
	}
}

// TestEveryScreen walks through every screen of the portal, as the guide
// does and beyond, and checks each at 1366 and 375 px: no sideways scroll
// of the page, no header control cut off, no Content-Security-Policy
// violation. `make screenshots` runs it with E2E_SCREENSHOTS set, to look
// at every screen.
func TestEveryScreen(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	gw.zorg.AddUser("ines.nunez@fermax.example", "Inés Núñez Peña", zohosim.DemoPassword, false)
	ctx := browser(t)
	watchCSP(t, ctx)

	navigate(t, ctx, gw, "/")
	screen(t, ctx, "01-welcome")
	navigate(t, ctx, gw, "/login")
	screen(t, ctx, "02-login")
	signIn(t, ctx, gw)
	screen(t, ctx, "03-home")
	run(t, ctx, "open the menu on a phone", viewport(narrowWidth, narrowHeight), chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar`)))
	if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
		png := value(t, ctx, "screenshot menu", chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, "04-menu-open-375.png"), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	run(t, ctx, "close the menu", chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)), viewport(wideWidth, wideHeight))

	navigate(t, ctx, gw, "/zoho")
	screen(t, ctx, "05-zoho-disabled")
	run(t, ctx, "open the activation dialog", chromedp.Click(chromedp.CSS(`[data-testid=enable]`)),
		chromedp.WaitVisible(chromedp.CSS(`#enable-dialog #zoho_email`)))
	dialogAligned(t, ctx, "#enable-dialog")
	screen(t, ctx, "06-enable-dialog")
	run(t, ctx, "a bad address", chromedp.SetValue(chromedp.CSS(`#enable-dialog #zoho_email`), "miguel@"))
	submit(t, ctx, "Comenzar la activación", `#enable-dialog [data-testid=enable-start]`)
	run(t, ctx, "the dialog again", chromedp.WaitVisible(chromedp.CSS(`#enable-dialog [data-testid=email-error]`)))
	if modal := value(t, ctx, "modal", chromedp.Evaluate[bool](`document.getElementById("enable-dialog").matches(":modal")`)); !modal {
		t.Error("the refused address is not shown in the (modal) dialog")
	}
	if got := text(t, ctx, "#enable-dialog [data-testid=email-error]"); got != "Escriba la dirección de correo de su cuenta de Zoho." {
		t.Errorf("message in the dialog = %q", got)
	}
	screen(t, ctx, "07-enable-dialog-error")
	navigate(t, ctx, gw, "/zoho/enable")
	dialogAligned(t, ctx, "[data-testid=enable-confirm]")
	screen(t, ctx, "08-enable-page")

	navigate(t, ctx, gw, "/zoho")
	consentAtZoho(t, ctx, gw, zohosim.DemoAdminEmail, zohosim.DemoAdminEmail)
	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sync-seats]`)))
	submit(t, ctx, "Sincronizar con la centralita", `[data-testid=sync-seats]`)
	screen(t, ctx, "09-zoho-manage")

	run(t, ctx, "open Activar", chromedp.Click(chromedp.CSS(`[data-seat="910726330@conecta.orange.es"] [data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)))
	dialogAligned(t, ctx, "#remote-dialog")
	run(t, ctx, "search a Zoho user", chromedp.SendKeys(chromedp.CSS(`#remote-dialog #user-filter`), "ines nunez"))
	waitText(t, ctx, "#remote-dialog [data-testid=user-count]", "1 usuario de Zoho coincide.")
	screen(t, ctx, "10-activate-dialog")
	navigate(t, ctx, gw, "/zoho/seats/"+seatID(t, gw, "910726330@conecta.orange.es")+"/activate")
	dialogAligned(t, ctx, ".dialog-page")
	screen(t, ctx, "11-activate-page")

	navigate(t, ctx, gw, "/zoho/suggestions")
	screen(t, ctx, "12-suggestions")
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)
	screen(t, ctx, "13-result")

	navigate(t, ctx, gw, "/zoho")
	run(t, ctx, "open Desactivar", chromedp.Click(chromedp.CSS(`[data-seat="910726329@conecta.orange.es"] [data-testid=deactivate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=deactivate-submit]`)))
	dialogAligned(t, ctx, "#remote-dialog")
	screen(t, ctx, "14-deactivate-dialog")
	navigate(t, ctx, gw, "/zoho/seats/"+seatID(t, gw, "910726329@conecta.orange.es")+"/deactivate")
	screen(t, ctx, "15-deactivate-page")

	navigate(t, ctx, gw, "/zoho")
	run(t, ctx, "open the warning", chromedp.Click(chromedp.CSS(`[data-testid=disable]`)),
		chromedp.WaitVisible(chromedp.CSS(`#disable-dialog [data-testid=disable-confirm-button]`)))
	dialogAligned(t, ctx, "#disable-dialog")
	screen(t, ctx, "16-disable-dialog")
	navigate(t, ctx, gw, "/zoho/disable")
	dialogAligned(t, ctx, "[data-testid=disable-confirm]")
	screen(t, ctx, "17-disable-page")

	// A missed call and an answered one, through the Centrex and Zoho.
	missed, err := gw.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34910000111", "Pepe Sanchez")
	if err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, gw, "/activity")
	waitActivity(t, ctx, gw, "Entrante · sonando")
	if err := gw.xsim.ReleaseFromFarEnd(missed); err != nil {
		t.Fatal(err)
	}
	waitActivity(t, ctx, gw, "Perdida")
	screen(t, ctx, "18-activity")
	navigate(t, ctx, gw, "/audit")
	screen(t, ctx, "19-audit")
	navigate(t, ctx, gw, "/settings/time-zone?return=/activity")
	dialogAligned(t, ctx, ".dialog-page")
	screen(t, ctx, "20-time-zone")
	navigate(t, ctx, gw, "/no/such/page")
	screen(t, ctx, "21-not-found")

	run(t, ctx, "Zoho CRM (simulated)", chromedp.Navigate(gw.zsim.BaseURL()+"/crm/"), chromedp.WaitReady(chromedp.CSS(`body`)))
	if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
		png := value(t, ctx, "screenshot CRM", chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, "22-crm-1366.png"), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	navigate(t, ctx, gw, "/zoho")
	if v := cspViolations(t, ctx); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
}

// waitActivity reloads the activity page until a call shows label.
func waitActivity(t *testing.T, ctx context.Context, gw *gateway, label string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		navigate(t, ctx, gw, "/activity")
		got := value(t, ctx, "calls", chromedp.Evaluate[string](`[...document.querySelectorAll("[data-testid=call-label]")].map(e => e.innerText).join("|")`))
		if strings.Contains(got, label) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the activity page never showed %q; it shows %q", label, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// dialogAligned checks one dialog's (or page version's) header: the title
// starts where the body's text does, and the × sits on the title's line.
func dialogAligned(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	got := value(t, ctx, "dialog geometry", chromedp.Evaluate[map[string]float64](fmt.Sprintf(`(() => {
		const d = document.querySelector(%q);
		const h = d.querySelector(".dialog-head h2").getBoundingClientRect();
		const x = d.querySelector(".dialog-head .dialog-x").getBoundingClientRect();
		const b = d.querySelector(".dialog-body > *").getBoundingClientRect();
		return {titleLeft: h.left, bodyLeft: b.left, titleMiddle: (h.top + h.bottom) / 2, closeMiddle: (x.top + x.bottom) / 2};
	})()`, sel)))
	if d := got["titleLeft"] - got["bodyLeft"]; d < -1 || d > 1 {
		t.Errorf("%s: the title starts at %.0f px, the body at %.0f px", sel, got["titleLeft"], got["bodyLeft"])
	}
	if d := got["titleMiddle"] - got["closeMiddle"]; d < -3 || d > 3 {
		t.Errorf("%s: the × is %.0f px off the title's line", sel, d)
	}
}

// seatID is a seat's row id, for the page versions of its dialogs.
func seatID(t *testing.T, gw *gateway, userID string) string {
	t.Helper()
	co, err := gw.store.CompanyByName(context.Background(), "Fermax")
	if err != nil {
		t.Fatal(err)
	}
	s, err := gw.store.SeatByUserID(context.Background(), co.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(s.ID)
}
