package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// managed signs in, enables the integration through Zoho's consent and
// reads the seats from the Centrex: the management page with its table.
func managed(t *testing.T, gw *gateway, ctx context.Context) {
	t.Helper()
	signIn(t, ctx, gw)
	consentAtZoho(t, ctx, gw, zohosim.DemoAdminEmail, zohosim.DemoAdminEmail)
	run(t, ctx, "management page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sync-seats]`)))
	submit(t, ctx, "Sincronizar con la centralita", `[data-testid=sync-seats]`)
}

// options are the labels of the dialog's Zoho user list.
func options(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return value(t, ctx, "options", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#remote-dialog #zoho_user option")].map(o => o.textContent)`))
}

// TestZohoUserSearchInDialog is point 1 of issue 12 in a browser: an
// organisation of 1,235 Zoho users; typing in "Activación de usuario Zoho en
// Conecta" searches all of them on the server, debounced, in the dialog, by
// e-mail or name, accents ignored; "Buscar" searches in place too; and the
// chosen user is linked.
func TestZohoUserSearchInDialog(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	gw.zorg.AddUsers(1235 - 452 - 1)
	ines := gw.zorg.AddUser("ines.nunez@fermax.example", "Inés Núñez Peña", zohosim.DemoPassword, false)
	ctx := browser(t)
	managed(t, gw, ctx)
	if got := text(t, ctx, "[data-testid=panel-users]"); !strings.Contains(got, "1.235, obtenidos") {
		t.Fatalf("Zoho users in the panel: %q", got)
	}
	row := `[data-seat="910726330@conecta.orange.es"]`
	run(t, ctx, "open the activation dialog", chromedp.Click(chromedp.CSS(row+` [data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)))
	if n := len(options(t, ctx)); n != 50 {
		t.Fatalf("%d users listed before any search", n)
	}
	if got := text(t, ctx, "#remote-dialog [data-testid=user-count]"); got != "Y 1.185 usuarios más: afine la búsqueda." {
		t.Errorf("count = %q", got)
	}

	// Typing: nothing is asked while the keys come, one request once they stop.
	run(t, ctx, "count requests", chromedp.Evaluate[chromedp.Void](`window.searches = 0; { const f = window.fetch; window.fetch = (...a) => { window.searches++; return f(...a); }; }`))
	typed := value(t, ctx, "type an e-mail far down the list", chromedp.Evaluate[int](`(() => {
		const box = document.querySelector("#remote-dialog #user-filter");
		for (const c of "user1200@fermax.example") { box.value += c; box.dispatchEvent(new Event("input", {bubbles: true})); }
		return window.searches;
	})()`))
	if typed != 0 {
		t.Errorf("%d requests while typing, want none before the pause", typed)
	}
	waitText(t, ctx, "#remote-dialog [data-testid=user-count]", "1 usuario de Zoho coincide.")
	if got := options(t, ctx); len(got) != 1 || got[0] != "Usuario 1200 (user1200@fermax.example)" {
		t.Fatalf("search by e-mail: %q", got)
	}
	if n := value(t, ctx, "requests", chromedp.Evaluate[int](`window.searches`)); n != 1 {
		t.Errorf("%d requests for one pause in typing, want 1", n)
	}
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/zoho") {
		t.Fatalf("the search left the table: %s", loc)
	}

	// By name, accents ignored, with "Buscar" (which stays in the dialog).
	run(t, ctx, "type a name without accents", chromedp.SetValue(chromedp.CSS(`#remote-dialog #user-filter`), "NUNEZ ines"),
		chromedp.Click(chromedp.CSS(`#remote-dialog [data-testid=user-search]`)))
	waitText(t, ctx, "#remote-dialog #zoho_user", "Inés Núñez Peña (ines.nunez@fermax.example)")
	if got := options(t, ctx); len(got) != 1 {
		t.Fatalf("search by name: %q", got)
	}
	if open := value(t, ctx, "dialog open", chromedp.Evaluate[bool](`document.getElementById("remote-dialog").open`)); !open {
		t.Fatal("Buscar closed the dialog")
	}
	shot(t, ctx, "dialog-user-search")
	run(t, ctx, "choose Inés", chromedp.SetValue(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`), ines))
	submit(t, ctx, "Activar", `#remote-dialog [data-testid=activate-submit]`)
	if got := text(t, ctx, row+` [data-testid=zoho-login]`); got != "ines.nunez@fermax.example" {
		t.Fatalf("Login Zoho = %q", got)
	}
	if _, ok := gw.zorg.ClickToDial(ines); !ok {
		t.Fatal("click-to-dial not registered for Inés")
	}
}

// TestZohoUserSearchWithoutJavaScript: the page version of the dialog finds
// a user beyond the first page with "Buscar".
func TestZohoUserSearchWithoutJavaScript(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	gw.zorg.AddUsers(783)
	ctx := browser(t)
	managed(t, gw, ctx)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable scripts: %v", err)
	}
	navigate(t, ctx, gw, "/zoho?q=910726330")
	submit(t, ctx, "Activar", `[data-testid=activate]`)
	run(t, ctx, "search", chromedp.SetValue(chromedp.CSS(`#user-filter`), "user1234@"))
	submit(t, ctx, "Buscar", `[data-testid=user-search]`)
	got := value(t, ctx, "options", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#zoho_user option")].map(o => o.textContent)`))
	if len(got) != 1 || got[0] != "Usuario 1234 (user1234@fermax.example)" {
		t.Fatalf("found %q", got)
	}
	option := value(t, ctx, "value", chromedp.Evaluate[string](`document.querySelector("#zoho_user option").value`))
	run(t, ctx, "choose", chromedp.SetValue(chromedp.CSS(`#zoho_user`), option))
	submit(t, ctx, "Activar", `[data-testid=activate-submit]`)
	if got := text(t, ctx, `[data-seat="910726330@conecta.orange.es"] [data-testid=zoho-login]`); got != "user1234@fermax.example" {
		t.Fatalf("Login Zoho = %q", got)
	}
}

// TestStaleTabs is point 2 in a browser: two tabs on the same table; what
// one tab did, the other learns from a flash on the table, never from a
// bare error page.
func TestStaleTabs(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	navigate(t, ctx, gw, "/zoho/suggestions")
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)
	other, cancel := chromedp.NewContext(ctx) // a second tab of the same browser: the same session
	defer cancel()
	row := `[data-seat="910726329@conecta.orange.es"]`

	// Tab 1 opens "Desactivar"; tab 2 deactivates the seat meanwhile.
	navigate(t, ctx, gw, "/zoho")
	run(t, ctx, "open the deactivation dialog", chromedp.Click(chromedp.CSS(row+` [data-testid=deactivate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=deactivate-submit]`)))
	navigate(t, other, gw, "/zoho")
	run(t, other, "tab 2: Desactivar", chromedp.Click(chromedp.CSS(row+` [data-testid=deactivate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=deactivate-submit]`)))
	submit(t, other, "tab 2: confirm", `#remote-dialog [data-testid=deactivate-submit]`)
	run(t, other, "tab 2: OFF", chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=activate]`)))

	submit(t, ctx, "tab 1: confirm the stale dialog", `#remote-dialog [data-testid=deactivate-submit]`)
	if got := text(t, ctx, "[data-testid=flash]"); got != "910726329@conecta.orange.es ya no está vinculado a ningún usuario de Zoho: se desvinculó desde otra pestaña o sesión. La tabla muestra su estado actual." {
		t.Errorf("flash = %q", got)
	}
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "OFF" {
		t.Errorf("the table shows %q", got)
	}

	// Tab 1 still shows "Desactivar" on the other seat... tab 2 links the
	// first seat again; tab 1, with the old table, presses "Activar".
	navigate(t, ctx, gw, "/zoho")
	navigate(t, other, gw, "/zoho")
	run(t, other, "tab 2: Activar", chromedp.Click(chromedp.CSS(row+` [data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)))
	miguel := value(t, other, "Miguel", chromedp.Evaluate[string](`[...document.querySelectorAll("#remote-dialog option")].find(o => o.textContent.startsWith("Miguel"))?.value ?? ""`))
	run(t, other, "tab 2: choose Miguel", chromedp.SetValue(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`), miguel))
	submit(t, other, "tab 2: Activar", `#remote-dialog [data-testid=activate-submit]`)
	submit(t, ctx, "tab 1: Activar on the old table", row+` [data-testid=activate]`)
	if got := text(t, ctx, "[data-testid=flash]"); got != "910726329@conecta.orange.es ya está vinculado a Miguel Martín Buil (miguel.martin@satec.es): se vinculó desde otra pestaña o sesión. La tabla muestra su estado actual." {
		t.Errorf("flash = %q", got)
	}
	if got := text(t, ctx, row+` [data-testid=enabled]`); got != "ON" {
		t.Errorf("the table shows %q", got)
	}
	if body := text(t, ctx, "body"); strings.Contains(body, "no existe") && strings.Contains(body, "Se ha producido un error") {
		t.Error("an error page")
	}
}

// TestResultReload is point 3: the result of "Vincular todos los sugeridos"
// is a page of its own; reloading it shows it again and links nothing again.
func TestResultReload(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	navigate(t, ctx, gw, "/zoho/suggestions")
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/zoho/result") {
		t.Fatalf("the result is at %s", loc)
	}
	first := text(t, ctx, "[data-testid=bulk-summary]")
	if first != "2 correctos, 0 con error." {
		t.Fatalf("summary = %q", first)
	}
	audits := func() int {
		co, _ := gw.store.CompanyByName(context.Background(), "Fermax")
		log, err := gw.store.AuditLog(context.Background(), co.ID, 500)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range log {
			if e.Action == "link.activated" || e.Action == "link.refused" {
				n++
			}
		}
		return n
	}
	before := audits()
	for i := range 2 {
		run(t, ctx, fmt.Sprint("reload ", i), chromedp.Reload())
		if got := text(t, ctx, "[data-testid=bulk-summary]"); got != first {
			t.Fatalf("after reload %d: %q", i, got)
		}
	}
	if after := audits(); after != before {
		t.Fatalf("the reloads linked again: %d link events, then %d", before, after)
	}
	submit(t, ctx, "Volver a la tabla", `[data-testid=back-to-table]`)
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/zoho") {
		t.Errorf("back at %s", loc)
	}
}

// TestDialogFormWhenTheRequestFails: when the dialog's request gets no
// answer (a connection reset, as fetch reports it), the form is sent as a
// page instead; the click is never silently lost with the dialog left open.
func TestDialogFormWhenTheRequestFails(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ines := gw.zorg.AddUser("ines.nunez@fermax.example", "Inés Núñez Peña", zohosim.DemoPassword, false)
	ctx := browser(t)
	managed(t, gw, ctx)
	row := `[data-seat="910726330@conecta.orange.es"]`
	run(t, ctx, "open the activation dialog", chromedp.Click(chromedp.CSS(row+` [data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)),
		chromedp.SetValue(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`), ines),
		chromedp.Evaluate[chromedp.Void](`{ const f = window.fetch; window.fetch = (url, init) =>
			init && init.method === "POST" ? Promise.reject(new TypeError("Failed to fetch")) : f(url, init); }`))
	submit(t, ctx, "Activar", `#remote-dialog [data-testid=activate-submit]`)
	if got := text(t, ctx, row+` [data-testid=zoho-login]`); got != "ines.nunez@fermax.example" {
		t.Fatalf("Login Zoho = %q", got)
	}
}
