package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// enabled signs in, enables the integration and stores seats for Fermax:
// the guide's two seats and n more.
func (e *testEnv) enabled(t testing.TB, n int) *client {
	t.Helper()
	c := e.signedIn(t)
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)
	seats := []centrex.Seat{
		{UserID: "910726329@conecta.orange.es", Number: "910726329", Email: zohosim.DemoAdminEmail},
		{UserID: "910726330@conecta.orange.es", Number: "910726330"},
	}
	for i := range n {
		seats = append(seats, centrex.Seat{UserID: fmt.Sprintf("91%07d@conecta.orange.es", i), Number: fmt.Sprintf("91%07d", i)})
	}
	if _, err := e.store.SyncSeats(context.Background(), e.company.ID, seats, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	return c
}

func rows(d *goquery.Document) []string {
	var out []string
	d.Find("[data-testid=seat-row]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-seat", ""))
	})
	return out
}

func (e *testEnv) seatID(t testing.TB, userID string) string {
	t.Helper()
	s, err := e.store.SeatByUserID(context.Background(), e.company.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(s.ID, 10)
}

func TestSeatsTable(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	d := c.get("/zoho").doc(t)
	if got := d.Find("#seats-title").Text(); got != "Usuarios Conecta - Zoho" {
		t.Fatalf("table title = %q", got)
	}
	var heads []string
	d.Find(".seats-table thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, strings.TrimSpace(s.Text())) })
	if got := strings.Join(heads[1:], "|"); got != "Usuario Conecta ▲|Puesto Teléfono|Login Zoho|Nombre Zoho|Activado Zoho|Acción" {
		t.Errorf("columns = %q", got)
	}
	if d.Find(".seats-table tfoot th").Length() != 7 {
		t.Error("the header row is not repeated under the table, as in the guide")
	}
	if got := strings.Join(rows(d), ","); got != "910726329@conecta.orange.es,910726330@conecta.orange.es" {
		t.Fatalf("rows = %s", got)
	}
	if got := d.Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 1 a 2 de 2 elementos") {
		t.Errorf("showing = %q", got)
	}
	if got := d.Find("[data-testid=seat-row] [data-testid=enabled]").First().Text(); got != "OFF" {
		t.Errorf("first row state = %q", got)
	}
	if got := d.Find("[data-testid=activate]").First().Text(); got != "Activar" {
		t.Errorf("action = %q", got)
	}
	sugg := c.get("/zoho/suggestions").doc(t)
	if got := sugg.Find("[data-testid=suggestion]").Text(); !strings.Contains(got, "910726329@conecta.orange.es") ||
		!strings.Contains(got, "Miguel Martín Buil (miguel.martin@satec.es)") || !strings.Contains(got, "mismo correo") {
		t.Errorf("suggestions = %q; want the seat with the same e-mail as a Zoho user", got)
	}
}

func TestSeatsSearchSortAndPaging(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 30)
	d := c.get("/zoho").doc(t)
	if n := len(rows(d)); n != 10 {
		t.Fatalf("%d rows on the first page, want 10", n)
	}
	if got := d.Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 1 a 10 de 32 elementos") {
		t.Errorf("showing = %q", got)
	}
	next, _ := d.Find("[data-testid=next]").Attr("href")
	d = c.get(next).doc(t)
	if got := d.Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 11 a 20 de 32 elementos") {
		t.Errorf("page 2 showing = %q", got)
	}
	d = c.get("/zoho?q=0726330").doc(t)
	if got := strings.Join(rows(d), ","); got != "910726330@conecta.orange.es" {
		t.Errorf("search by number = %s", got)
	}
	if got := d.Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 1 a 1 de 1 elemento ") || !strings.Contains(got, "filtrado de 32") {
		t.Errorf("filtered showing = %q", got)
	}
	d = c.get("/zoho?sort=user&dir=desc&size=25").doc(t)
	if r := rows(d); len(r) != 25 || r[0] != "910726330@conecta.orange.es" {
		t.Errorf("sorted desc, 25 per page: %d rows, first %v", len(r), r[:1])
	}
	// Bad input never breaks the page.
	for _, q := range []string{"?page=-3", "?page=999", "?sort=;drop", "?size=7", "?q=%27%22%3C"} {
		wantStatus(t, c.get("/zoho"+q), http.StatusOK)
	}
	if got := c.get("/zoho?page=999").doc(t).Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 31 a 32 de 32") {
		t.Errorf("past the end shows %q, want the last page", got)
	}
}

func TestActivateAndDeactivateThroughThePortal(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	id := e.seatID(t, "910726329@conecta.orange.es")

	d := c.get("/zoho/seats/" + id + "/activate").doc(t)
	if got := d.Find("#activate-title").Text(); got != "Activación de usuario Zoho en Conecta" {
		t.Fatalf("dialog title = %q", got)
	}
	if got := d.Find("[data-testid=activate-seat]").Text(); got != "910726329@conecta.orange.es" {
		t.Errorf("seat in dialog = %q", got)
	}
	var miguel string
	d.Find("[data-testid=zoho-user] option").Each(func(_ int, s *goquery.Selection) {
		if s.Text() == "Miguel Martín Buil (miguel.martin@satec.es)" {
			miguel = s.AttrOr("value", "")
		}
	})
	if miguel == "" {
		t.Fatal(`no "Miguel Martín Buil (miguel.martin@satec.es)" in the list`)
	}
	if n := d.Find("[data-testid=zoho-user] option").Length(); n != 50 {
		t.Errorf("%d options, want the first 50 of 452", n)
	}
	if got := d.Find("[data-testid=user-count]").Text(); !strings.Contains(got, "Y 402 usuarios más") {
		t.Errorf("count = %q", got)
	}
	if got := c.get("/zoho/seats/" + id + "/activate?q=castro").doc(t).Find("[data-testid=zoho-user] option").Length(); got < 1 || got > 50 {
		t.Errorf("search in the dialog gave %d users", got)
	}
	// The search reaches every Zoho user of the company, by e-mail or by
	// name, accents ignored: here the last one in the list's order.
	all, total, _ := e.store.ZohoUsers(context.Background(), e.company.ID, store.ZohoUserQuery{Limit: 500})
	last := all[len(all)-1]
	if total != 452 || len(all) != 452 {
		t.Fatalf("%d users cached", total)
	}
	for q, want := range map[string]string{last.Email: last.ID, strings.ToUpper(last.Name): last.ID, "martin buil": miguel} {
		found := c.get("/zoho/seats/" + id + "/activate?q=" + url.QueryEscape(q)).doc(t)
		if found.Find(`[data-testid=zoho-user] option[value="`+want+`"]`).Length() != 1 {
			t.Errorf("search %q does not find user %s", q, want)
		}
	}

	wantStatus(t, c.post("/zoho/seats/"+id+"/activate", url.Values{"zoho_user": {""}}), http.StatusUnprocessableEntity)
	r := c.post("/zoho/seats/"+id+"/activate", url.Values{"zoho_user": {miguel}, "return": {"/zoho?q=0726"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/zoho?q=0726" {
		t.Errorf("back to %q", r.location)
	}
	if _, ok := e.zorg.ClickToDial(miguel); !ok {
		t.Fatal("click-to-dial not registered in Zoho")
	}
	d = c.get("/zoho").doc(t)
	row := d.Find(`[data-seat="910726329@conecta.orange.es"]`)
	if row.Find("[data-testid=enabled]").Text() != "ON" || row.Find("[data-testid=zoho-login]").Text() != zohosim.DemoAdminEmail {
		t.Fatalf("row after activation: %q", row.Text())
	}
	if row.Find("[data-testid=deactivate]").Text() != "Desactivar" {
		t.Error("no Desactivar button")
	}

	// The same Zoho user cannot take a second seat; the message says why.
	other := e.seatID(t, "910726330@conecta.orange.es")
	r = c.post("/zoho/seats/"+other+"/activate", url.Values{"zoho_user": {miguel}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := r.doc(t).Find("[data-testid=activate-error]").Text(); !strings.Contains(msg, "ya está vinculado a otro puesto") {
		t.Errorf("conflict message = %q", msg)
	}

	d = c.get("/zoho/seats/" + id + "/deactivate").doc(t)
	if got := d.Find("#deactivate-title").Text(); got != "Desactivación de usuario Zoho en Conecta" {
		t.Fatalf("deactivation title = %q", got)
	}
	if got := d.Find("[data-testid=deactivate-zoho]").Text(); got != zohosim.DemoAdminEmail {
		t.Errorf("zoho user in dialog = %q", got)
	}
	if got := d.Find("input[name=zoho_user]").AttrOr("value", ""); got != miguel {
		t.Errorf("the deactivation names Zoho user %q, want %q", got, miguel)
	}
	wantStatus(t, c.post("/zoho/seats/"+id+"/deactivate", url.Values{"zoho_user": {miguel}}), http.StatusSeeOther)
	if _, ok := e.zorg.ClickToDial(miguel); ok {
		t.Fatal("click-to-dial still registered")
	}
	row = c.get("/zoho").doc(t).Find(`[data-seat="910726329@conecta.orange.es"]`)
	if row.Find("[data-testid=enabled]").Text() != "OFF" || row.Find("[data-testid=zoho-login]").Text() != "" {
		t.Fatalf("row after deactivation: %q", row.Text())
	}
}

func TestBulkAndSuggested(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	r := c.post("/zoho/seats/suggested", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/zoho/result" {
		t.Fatalf("after the post: %q, want the result page", r.location)
	}
	if got := c.get(r.location).doc(t).Find("[data-testid=bulk-summary]").Text(); got != "1 correcto, 0 con error." {
		t.Fatalf("summary = %q", got)
	}
	ids := url.Values{"action": {"deactivate"}, "seat": {e.seatID(t, "910726329@conecta.orange.es"), e.seatID(t, "910726330@conecta.orange.es")},
		"return": {"/zoho?q=0726"}}
	r = c.post("/zoho/seats/bulk", ids)
	wantStatus(t, r, http.StatusSeeOther)
	// Reloading the result shows it again and does nothing again.
	for range 2 {
		d := c.get("/zoho/result").doc(t)
		if got := d.Find("[data-testid=bulk-summary]").Text(); got != "1 correcto, 1 con error." {
			t.Fatalf("bulk summary = %q", got)
		}
		if n := d.Find("[data-testid=bulk-row]").Length(); n != 2 {
			t.Fatalf("%d result rows", n)
		}
		if got := d.Find("[data-testid=back-to-table]").AttrOr("href", ""); got != "/zoho?q=0726" {
			t.Errorf("back to %q", got)
		}
	}
	miguel, _, _ := e.store.ZohoUsers(context.Background(), e.company.ID, storeQuery("miguel"))
	if _, ok := e.zorg.ClickToDial(miguel[0].ID); ok {
		t.Error("still registered in Zoho after deactivating")
	}
	// Once back at the table, the result is gone from the session.
	c.get("/zoho")
	r = c.get("/zoho/result")
	wantStatus(t, r, http.StatusSeeOther)
	if got := c.get(r.location).doc(t).Find("[data-testid=flash]").Text(); got != "No hay ninguna operación reciente que mostrar." {
		t.Errorf("flash = %q", got)
	}
}

func TestSeatsTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	id := e.seatID(t, "910726329@conecta.orange.es")

	// Acme's administrator, signed in, tries Fermax's seat by every URL and form value.
	hash, _ := password.Hash(adminPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if _, _, err := e.store.CreateCompany(context.Background(), "Acme", "boss@acme.com", hash); err != nil {
		t.Fatal(err)
	}
	acme := e.client(t)
	wantStatus(t, acme.login("boss@acme.com", adminPassword, captchaDigits), http.StatusSeeOther)
	// Another company's seat is, for Acme, a seat that does not exist: the
	// table with a flash, as for a seat removed meanwhile.
	users, _, _ := e.store.ZohoUsers(context.Background(), e.company.ID, storeQuery("miguel"))
	for _, try := range []func() response{
		func() response { return acme.get("/zoho/seats/" + id + "/activate") },
		func() response { return acme.get("/zoho/seats/" + id + "/deactivate") },
		func() response {
			return acme.post("/zoho/seats/"+id+"/activate", url.Values{"zoho_user": {users[0].ID}})
		},
		func() response { return acme.post("/zoho/seats/"+id+"/deactivate", url.Values{}) },
	} {
		r := try()
		wantStatus(t, r, http.StatusSeeOther)
		if got := acme.get(r.location).doc(t).Find("[data-testid=flash]").Text(); !strings.Contains(got, "Ese puesto ya no existe en esta empresa") {
			t.Errorf("flash = %q", got)
		}
	}
	r := acme.post("/zoho/seats/bulk", url.Values{"action": {"deactivate"}, "seat": {id}})
	if body := acme.get(r.location).body; !strings.Contains(body, "0 correctos, 1 con error.") {
		t.Errorf("bulk on another company's seat: %.300s", body)
	}
	if strings.Contains(acme.get("/zoho").body, "910726329") || strings.Contains(acme.get("/zoho/links.csv").body, "910726329") {
		t.Error("Acme sees Fermax's seats")
	}
	// Fermax's seat is untouched and can still be activated by Fermax.
	wantStatus(t, c.post("/zoho/seats/"+id+"/activate", url.Values{"zoho_user": {users[0].ID}}), http.StatusSeeOther)
}

func storeQuery(search string) store.ZohoUserQuery { return store.ZohoUserQuery{Search: search} }

func TestRestoreExportAndAudit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	wantStatus(t, c.post("/zoho/seats/suggested", url.Values{}), http.StatusSeeOther)
	// Disable and enable again: the link is kept, switched off, and can be restored.
	wantStatus(t, c.post("/zoho/disable", url.Values{}), http.StatusSeeOther)
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)
	d := c.get("/zoho").doc(t)
	row := d.Find(`[data-seat="910726329@conecta.orange.es"]`)
	if row.Find("[data-testid=enabled]").Text() != "OFF" || row.Find("[data-testid=zoho-login]").Text() != zohosim.DemoAdminEmail {
		t.Fatalf("kept link after re-enable: %q", row.Text())
	}
	if d.Find("[data-testid=restore]").Length() != 1 {
		t.Fatal("no restore button")
	}
	r := c.post("/zoho/links/restore", url.Values{})
	if got := c.get(r.location).doc(t).Find("[data-testid=bulk-summary]").Text(); got != "1 correcto, 0 con error." {
		t.Fatalf("restore summary = %q", got)
	}
	d = c.get("/zoho").doc(t)
	if d.Find(`[data-seat="910726329@conecta.orange.es"] [data-testid=enabled]`).Text() != "ON" || d.Find("[data-testid=restore]").Length() != 0 {
		t.Fatal("not restored")
	}

	csv := c.get("/zoho/links.csv")
	wantStatus(t, csv, http.StatusOK)
	lines := strings.Split(strings.TrimSpace(csv.body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "\uFEFFUsuario Conecta;Puesto Teléfono;Id. usuario Zoho;Login Zoho") ||
		!strings.Contains(lines[1], "910726329@conecta.orange.es;910726329;") || !strings.Contains(lines[1], ";miguel.martin@satec.es;Miguel Martín Buil;ON;Sí") {
		t.Fatalf("csv:\n%s", csv.body)
	}

	audit := c.get("/audit").doc(t).Find("[data-testid=audit]").Text()
	for _, want := range []string{
		"Habilitó la integración con Zoho PhoneBridge (cuenta miguel.martin@satec.es, centro de datos Europa (eu)).",
		"Deshabilitó la integración con Zoho PhoneBridge para todos los usuarios.",
		"Vinculó 910726329@conecta.orange.es (910726329) al usuario de Zoho Miguel Martín Buil (miguel.martin@satec.es)",
		"Inició sesión en el portal desde 127.0.0.1.",
	} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%s", want, audit)
		}
	}
}

// TestPanelShowsHowCallEventsArrive: the connection panel says whether call
// events come by HTTP contact or by the event channel, and whether a
// subscription is live.
func TestPanelShowsHowCallEventsArrive(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	ctx := context.Background()
	if err := e.store.SetCentrexConnection(ctx, e.company.ID, centrex.Connection{BaseURL: "https://xsp.example.com",
		UserID: "admin@example.com", Password: "pw", GroupID: "G", EnterpriseID: "E", IsEnterprise: true}); err != nil {
		t.Fatal(err)
	}
	events := func() string {
		return strings.Join(strings.Fields(c.get("/zoho").doc(t).Find("[data-testid=panel-events]").Text()), " ")
	}
	if got := events(); !strings.Contains(got, "por contacto HTTP") || !strings.Contains(got, "sin suscripción activa") {
		t.Errorf("panel events %q", got)
	}
	if err := e.store.SetCentrexEvents(ctx, e.company.ID, store.EventsChannel); err != nil {
		t.Fatal(err)
	}
	if got := events(); !strings.Contains(got, "por canal de eventos") {
		t.Errorf("panel events in channel mode %q", got)
	}
}
