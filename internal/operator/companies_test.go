package operator_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// park queues a notification for the company that Zoho refused: parked,
// with its error.
func (e *env) park(t *testing.T, companyID int64, key, lastError string) {
	t.Helper()
	_, err := e.store.Pool().Exec(context.Background(), `INSERT INTO outbox (company_id, call_key, seq, kind, payload, status, attempts, last_error)
		VALUES ($1, $2, 1, 'callnotify', '{}', 'parked', 8, $3)`, companyID, key, lastError)
	if err != nil {
		t.Fatal(err)
	}
}

// rows are the names of the companies a list page shows, in order.
func rows(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, n := range r.doc(t).Find("[data-testid=company-row]").EachIter() {
		out = append(out, n.AttrOr("data-company", ""))
	}
	return out
}

// TestCompaniesList: every company with its figures, the failing one
// flagged; search ignoring case and accents, the "needs attention" filter,
// sorting both ways, paging.
func TestCompaniesList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.operator(t, opEmail, opPassword)
	e.company(t, "Fermax", "admin@fermax.example")
	acme := e.company(t, "Acme", "admin@acme.example")
	e.park(t, acme.ID, "call-1", "zoho: 400 invalid number")
	e.company(t, "Ñandú Telecom", "admin@nandu.example")
	for i := range 30 {
		e.company(t, fmt.Sprintf("Zeta %02d", i+1), fmt.Sprintf("admin%02d@zeta.example", i+1))
	}
	c := e.client(t)
	c.signIn(opEmail, opPassword, time.Now())

	first := c.get("/operator/")
	wantStatus(t, first, http.StatusOK)
	names := rows(t, first)
	if len(names) != 25 || names[0] != "Acme" || names[1] != "Fermax" || names[2] != "Ñandú Telecom" || names[3] != "Zeta 01" {
		t.Fatalf("first page = %v", names)
	}
	if got := first.text(t, "[data-testid=showing]"); got != "Mostrando 1 a 25 de 33 empresas" {
		t.Errorf("showing = %q", got)
	}
	if got := first.text(t, "[data-testid=attention-count]"); !strings.Contains(got, "1 empresa requiere atención") {
		t.Errorf("attention count = %q", got)
	}
	doc := first.doc(t)
	acmeRow := doc.Find(`[data-testid=company-row][data-company="Acme"]`)
	if acmeRow.Find("[data-testid=attention]").Length() != 1 {
		t.Error("Acme, with a parked notification, is not flagged")
	}
	if got := strings.TrimSpace(acmeRow.Find("[data-testid=last-error]").Text()); got != "outbox: zoho: 400 invalid number" {
		t.Errorf("Acme's last error = %q", got)
	}
	if got := strings.Join(strings.Fields(acmeRow.Find("[data-testid=outbox]").Text()), " "); got != "0 pendientes, 1 detenida" {
		t.Errorf("Acme's outbox = %q", got)
	}
	if doc.Find(`[data-testid=company-row][data-company="Fermax"] [data-testid=attention]`).Length() != 0 {
		t.Error("Fermax is flagged")
	}

	page2 := c.get("/operator/?page=2")
	if names := rows(t, page2); len(names) != 8 || names[0] != "Zeta 23" || names[7] != "Zeta 30" {
		t.Fatalf("second page = %v", names)
	}
	if names := rows(t, c.get("/operator/?q=NANDU")); len(names) != 1 || names[0] != "Ñandú Telecom" {
		t.Errorf("search NANDU = %v", names)
	}
	// A number finds the company of that number (and the names holding it).
	if names := rows(t, c.get("/operator/?q="+fmt.Sprint(acme.ID))); !slices.Contains(names, "Acme") {
		t.Errorf("search by number = %v", names)
	}
	attention := c.get("/operator/?attention=1")
	if names := rows(t, attention); len(names) != 1 || names[0] != "Acme" {
		t.Errorf("needs attention = %v", names)
	}
	if !attention.doc(t).Find("[data-testid=attention-filter]").Is("[checked]") {
		t.Error("the filter's box is not ticked")
	}
	if names := rows(t, c.get("/operator/?q=zeta&attention=1")); len(names) != 0 {
		t.Errorf("zeta needing attention = %v", names)
	}
	if names := rows(t, c.get("/operator/?sort=name&dir=desc")); names[0] != "Zeta 30" {
		t.Errorf("by name, descending: %v", names[:3])
	}
	// By notifications, descending: the parked one first.
	byOutbox := c.get("/operator/?sort=outbox&dir=desc")
	if names := rows(t, byOutbox); names[0] != "Acme" {
		t.Errorf("by notifications: %v", names[:3])
	}
	// The header links sort the other way, and keep the filter.
	link, _ := c.get("/operator/?q=zeta&sort=name").doc(t).Find("[data-sort=name]").Attr("href")
	if link != "/operator/?dir=desc&q=zeta" {
		t.Errorf("the name header links to %q", link)
	}
	// A page past the end shows the last one.
	if names := rows(t, c.get("/operator/?page=9")); len(names) != 8 {
		t.Errorf("page 9 = %v", names)
	}
}

// TestCompaniesListInEnglish: the console speaks English when asked.
func TestCompaniesListInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.operator(t, opEmail, opPassword)
	e.company(t, "Fermax", "admin@fermax.example")
	c := e.client(t)
	c.signIn(opEmail, opPassword, time.Now())
	wantRedirect(t, c.post("/operator/lang", map[string][]string{"lang": {"en"}, "next": {"/operator/?q=fer"}}), "/operator/?q=fer")
	r := c.get("/operator/?q=fer")
	if got := r.text(t, "[data-testid=showing]"); got != "Showing 1 to 1 of 1 company" {
		t.Errorf("showing = %q", got)
	}
	if got := r.text(t, "h1"); got != "Companies" {
		t.Errorf("title = %q", got)
	}
	// The language switch never leads out of the console.
	wantRedirect(t, c.post("/operator/lang", map[string][]string{"lang": {"es"}, "next": {"/home"}}), "/operator/")
}
