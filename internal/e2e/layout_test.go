package e2e

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/store"
)

// sidebarShown reports whether the side menu is displayed.
func sidebarShown(t *testing.T, ctx context.Context) bool {
	t.Helper()
	return value(t, ctx, "sidebar", chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("sidebar")).display !== "none"`))
}

// TestSmallScreen is point 6: on a 375 px phone the page does not scroll
// sideways (the table scrolls in its own box), the menu starts collapsed and
// its button opens and closes it, with JavaScript and without.
func TestSmallScreen(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	for _, js := range []bool{true, false} {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js}); err != nil {
			t.Fatal(err)
		}
		run(t, ctx, "a phone", viewport(narrowWidth, narrowHeight))
		navigate(t, ctx, gw, "/zoho")
		widths := value(t, ctx, "widths", chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth,
			document.querySelector(".seats .table-scroll").scrollWidth, document.querySelector(".seats .table-scroll").clientWidth]`))
		if widths[0] != narrowWidth || widths[1] != narrowWidth {
			t.Errorf("js=%v: the page is %d px wide in a %d px viewport", js, widths[0], widths[1])
		}
		if widths[2] <= widths[3] {
			t.Errorf("js=%v: the table (%d px) should scroll in its %d px box", js, widths[2], widths[3])
		}
		if sidebarShown(t, ctx) {
			t.Errorf("js=%v: the menu is open on arrival", js)
		}
		run(t, ctx, "menu button", chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)))
		if !sidebarShown(t, ctx) {
			t.Errorf("js=%v: the menu button does not open the menu", js)
		}
		if got := text(t, ctx, "#sidebar"); !strings.Contains(got, "Integración Zoho") || !strings.Contains(got, "Actividad de llamadas") {
			t.Errorf("js=%v: menu = %q", js, got)
		}
		run(t, ctx, "menu button again", chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)))
		if sidebarShown(t, ctx) {
			t.Errorf("js=%v: the menu button does not close the menu", js)
		}
		// On a wide screen the menu shows, and the button hides it.
		run(t, ctx, "a laptop", viewport(wideWidth, wideHeight))
		navigate(t, ctx, gw, "/zoho")
		if !sidebarShown(t, ctx) {
			t.Errorf("js=%v: no menu on a wide screen", js)
		}
		run(t, ctx, "menu button", chromedp.Click(chromedp.CSS(`[data-testid=menu-toggle]`)))
		if sidebarShown(t, ctx) {
			t.Errorf("js=%v: the menu button does not hide the menu on a wide screen", js)
		}
	}
}

// TestTableSearchAsYouType is point 7: "Búsqueda" filters while typing,
// without reloading the page, and the address follows; "Mostrar 10
// registros" is the page size's visible label; the "Buscar" button is there
// for browsers without JavaScript only.
func TestTableSearchAsYouType(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	if got := value(t, ctx, "size label", chromedp.Evaluate[string](`(() => {
		const s = document.querySelector(".table-size");
		return [...s.childNodes].map(n => n.tagName === "SELECT" ? n.selectedOptions[0].text : n.textContent).join(" ").replace(/\s+/g, " ").trim();
	})()`)); got != "Mostrar 10 registros" {
		t.Errorf("page size label = %q", got)
	}
	if value(t, ctx, "Buscar shown", chromedp.Evaluate[bool](`document.querySelector("[data-testid=search-button]").offsetParent !== null`)) {
		t.Error("the Buscar button shows although JavaScript searches as you type")
	}
	run(t, ctx, "mark the page", chromedp.Evaluate[chromedp.Void](`document.body.dataset.same = "yes"`))
	run(t, ctx, "type", chromedp.SendKeys(chromedp.CSS(`[data-testid=search]`), "0726330"))
	waitText(t, ctx, "[data-testid=showing]", "Mostrando 1 a 1 de 1 elemento (filtrado de 32 elementos en total)")
	if got := text(t, ctx, "[data-testid=seat-row]"); !strings.Contains(got, "910726330@conecta.orange.es") {
		t.Errorf("row = %q", got)
	}
	if same := value(t, ctx, "same page", chromedp.Evaluate[string](`document.body.dataset.same || ""`)); same != "yes" {
		t.Error("the page was reloaded")
	}
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/zoho?q=0726330") {
		t.Errorf("address = %s", loc)
	}
	if focused := value(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.id`)); focused != "q" {
		t.Errorf("the search box lost the focus to %q", focused)
	}
	// The rows found keep working: their dialog opens.
	run(t, ctx, "Activar", chromedp.Click(chromedp.CSS(`[data-testid=activate]`)),
		chromedp.WaitVisible(chromedp.CSS(`#remote-dialog [data-testid=zoho-user]`)))

	// Without JavaScript the button is there and does the same.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, gw, "/zoho")
	run(t, ctx, "type", chromedp.SetValue(chromedp.CSS(`[data-testid=search]`), "0726329"))
	submit(t, ctx, "Buscar", `[data-testid=search-button]`)
	if got := text(t, ctx, "[data-testid=showing]"); !strings.Contains(got, "Mostrando 1 a 1 de 1 elemento") {
		t.Errorf("without JavaScript: %q", got)
	}
}

// TestLinksCSVInBrowser is point 10: the export as the browser downloads
// it: UTF-8 with a byte order mark, ";" by default, "," with ?sep=, and a
// Zoho name that a spreadsheet would run (fullwidth "＝") neutralised.
func TestLinksCSVInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	managed(t, gw, ctx)
	navigate(t, ctx, gw, "/zoho/suggestions")
	submit(t, ctx, "Vincular todos los sugeridos", `[data-testid=link-suggested]`)
	co, _ := gw.store.CompanyByName(context.Background(), "Fermax")
	users, _, err := gw.store.ZohoUsers(context.Background(), co.ID, store.ZohoUserQuery{Search: "gema"})
	if err != nil || len(users) != 1 {
		t.Fatalf("Gema: %v %v", users, err)
	}
	if err := gw.store.ReplaceZohoUsers(context.Background(), co.ID, []store.ZohoUser{
		{ID: users[0].ID, Email: users[0].Email, Name: "＝1+1"}}); err != nil {
		t.Fatal(err)
	}
	get := func(path string) []int {
		t.Helper()
		return value(t, ctx, "download "+path, chromedp.Evaluate[[]int](`fetch(`+"`"+path+"`"+`).then(r => r.arrayBuffer()).then(b => [...new Uint8Array(b)])`,
			chromedp.EvalAwaitPromise))
	}
	navigate(t, ctx, gw, "/zoho")
	raw := get("/zoho/links.csv")
	if len(raw) < 3 || raw[0] != 0xEF || raw[1] != 0xBB || raw[2] != 0xBF {
		t.Fatalf("no UTF-8 byte order mark: % x", raw[:min(3, len(raw))])
	}
	body := bytesToString(raw[3:])
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if !strings.HasPrefix(lines[0], "Usuario Conecta;Puesto Teléfono;") {
		t.Errorf("header = %q", lines[0])
	}
	if !strings.Contains(body, ";'＝1+1;ON;Sí") || !strings.Contains(body, ";Miguel Martín Buil;ON;Sí") {
		t.Errorf("rows:\n%s", body)
	}
	comma := bytesToString(get("/zoho/links.csv?sep=,")[3:])
	if !strings.HasPrefix(comma, "Usuario Conecta,Puesto Teléfono,") || !strings.Contains(comma, ",'＝1+1,ON,Sí") {
		t.Errorf("?sep=,:\n%s", comma)
	}
	if href := value(t, ctx, "export link", chromedp.Evaluate[string](`document.querySelector("[data-testid=export]").getAttribute("href")`)); href != "/zoho/links.csv" {
		t.Errorf("the table's export link is %q", href)
	}
}

func bytesToString(b []int) string {
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = byte(v)
	}
	return string(out)
}

// TestIconsAndColours is point 9: the menu entries and main actions carry
// an inline SVG icon beside their text, without breaking the CSP; "Activar"
// is white on green and readable (contrast at least 4.5:1).
func TestIconsAndColours(t *testing.T) {
	t.Parallel()
	gw := startGateway(t)
	ctx := browser(t)
	watchCSP(t, ctx)
	managed(t, gw, ctx)
	for _, sel := range []string{`#sidebar a[href="/zoho"]`, `#sidebar a[href="/activity"]`, `#sidebar a[href="/audit"]`,
		`[data-testid=activate]`, `[data-testid=disable]`, `[data-testid=export]`, `[data-testid=logout]`} {
		got := value(t, ctx, "icon of "+sel, chromedp.Evaluate[[]string](`(() => {
			const e = document.querySelector(`+"`"+sel+"`"+`);
			const svg = e && e.querySelector("svg path");
			return [svg ? svg.getAttribute("d") : "", e ? e.textContent.trim() : ""];
		})()`))
		if got[0] == "" || got[1] == "" {
			t.Errorf("%s: icon %q, label %q", sel, got[0], got[1])
		}
	}
	colours := value(t, ctx, "Activar colours", chromedp.Evaluate[[]string](`(() => {
		const s = getComputedStyle(document.querySelector("[data-testid=activate]"));
		return [s.color, s.backgroundColor];
	})()`))
	if colours[0] != "rgb(255, 255, 255)" {
		t.Errorf("Activar text is %s, want white", colours[0])
	}
	fg, bg := parseRGB(t, colours[0]), parseRGB(t, colours[1])
	if !(bg[1] > bg[0] && bg[1] > bg[2]) {
		t.Errorf("Activar background %s is not green", colours[1])
	}
	if c := contrast(fg, bg); c < 4.5 {
		t.Errorf("Activar contrast %.2f:1, want at least 4.5:1", c)
	}
	if v := cspViolations(t, ctx); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
}

func parseRGB(t *testing.T, css string) [3]float64 {
	t.Helper()
	var r, g, b float64
	if _, err := fmt.Sscanf(strings.TrimPrefix(css, "rgb"), "(%f, %f, %f)", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", css, err)
	}
	return [3]float64{r, g, b}
}

// contrast is the WCAG 2 contrast ratio of two sRGB colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
