package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLoginRoundTrip is the guide's section 2 in a browser: welcome page →
// login with a wrong captcha (rejected) → wrong password (rejected) → right
// credentials (main screen with the e-mail and the company) → logout (back
// to the start, session gone).
func TestLoginRoundTrip(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)

	run(t, ctx, "open the welcome page", chromedp.Navigate(gw.url+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=enter]`)))
	if got := text(t, ctx, "footer"); !strings.Contains(got, "Orange Digital Centrex") || !strings.Contains(got, "satec_") {
		t.Errorf("footer = %q", got)
	}
	submit(t, ctx, "go to the login", `[data-testid=enter]`)

	// Poll fails after its timeout unless the picture has been decoded.
	value(t, ctx, "captcha image loads", chromedp.Poll[bool](`(() => { const i = document.getElementById("captcha-image"); return i.complete && i.naturalWidth > 0; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))

	login := func(step, email, pw, code string) {
		t.Helper()
		run(t, ctx, step,
			chromedp.SetValue(chromedp.CSS(`#email`), email),
			chromedp.SetValue(chromedp.CSS(`#password`), pw),
			chromedp.SetValue(chromedp.CSS(`#captcha`), code),
		)
		submit(t, ctx, step+": submit", `[data-testid=login-submit]`)
	}
	login("wrong captcha", adminEmail, adminPassword, "000000")
	run(t, ctx, "rejected", chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-error]`)))
	if got := text(t, ctx, "[data-testid=login-error]"); !strings.Contains(got, "no son correctos") {
		t.Fatalf("error after wrong captcha = %q", got)
	}

	login("wrong password", adminEmail, "not the password", captcha)
	run(t, ctx, "rejected", chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-error]`)))
	if url := location(t, ctx); !strings.HasSuffix(url, "/login") {
		t.Fatalf("after a wrong password the browser is at %s", url)
	}

	login("right credentials", adminEmail, adminPassword, captcha)
	run(t, ctx, "main screen", chromedp.WaitVisible(chromedp.CSS(`[data-testid=admin-email]`)))
	if got := text(t, ctx, "[data-testid=admin-email]"); got != adminEmail {
		t.Errorf("header e-mail = %q", got)
	}
	if got := text(t, ctx, "[data-testid=company]"); got != "Empresa Fermax" {
		t.Errorf("header company = %q", got)
	}
	if got := text(t, ctx, "#sidebar"); !strings.Contains(got, "Integración Zoho") {
		t.Errorf("side menu = %q", got)
	}

	submit(t, ctx, "logout", `[data-testid=logout]`)
	run(t, ctx, "back at the start", chromedp.WaitVisible(chromedp.CSS(`[data-testid=enter]`)))
	run(t, ctx, "home after logout", chromedp.Navigate(gw.url+"/home"), chromedp.WaitVisible(chromedp.CSS(`#captcha-image`)))
	if url := location(t, ctx); !strings.HasSuffix(url, "/login") {
		t.Fatalf("after logout /home led to %s, want the login", url)
	}
}

// TestLanguageSwitch switches the portal to English and back in a browser.
func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	run(t, ctx, "open login", chromedp.Navigate(gw.url+"/login"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if got := text(t, ctx, "h1"); got != "Acceso al portal" {
		t.Fatalf("default h1 = %q", got)
	}
	submit(t, ctx, "switch to English", `.lang button[value=en]`)
	if got := text(t, ctx, "h1"); got != "Portal sign-in" {
		t.Fatalf("h1 after switching = %q", got)
	}
}
