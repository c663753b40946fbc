package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

// TestStaleTabs acts from a tab showing rows that another tab changed
// meanwhile: every action goes back to the table with a flash that says
// what happened, and nothing else changes.
func TestStaleTabs(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	tab1 := e.enabled(t, 0)
	tab2 := e.signedIn(t)
	ctx := context.Background()
	seat := e.seatID(t, "910726329@conecta.orange.es")
	users, _, _ := e.store.ZohoUsers(ctx, e.company.ID, store.ZohoUserQuery{Limit: 500})
	byEmail := map[string]store.ZohoUser{}
	for _, u := range users {
		byEmail[u.Email] = u
	}
	miguel, gema := byEmail["miguel.martin@satec.es"], byEmail["gema.castro@satec.es"]

	// expect follows r to the table and checks the flash.
	expect := func(t *testing.T, c *client, r response, flash string) {
		t.Helper()
		wantStatus(t, r, http.StatusSeeOther)
		if !strings.HasPrefix(r.location, "/zoho") {
			t.Fatalf("went to %q, want the table", r.location)
		}
		if got := c.get(r.location).doc(t).Find("[data-testid=flash]").Text(); got != flash {
			t.Errorf("flash = %q, want %q", got, flash)
		}
	}

	// Tab 1 opened the deactivation dialog of Miguel's seat; tab 2 unlinks it.
	wantStatus(t, tab2.post("/zoho/seats/"+seat+"/activate", url.Values{"zoho_user": {miguel.ID}}), http.StatusSeeOther)
	form := url.Values{"zoho_user": {miguel.ID}, "zoho_label": {miguel.Email}, "return": {"/zoho?q=0726"}}
	wantStatus(t, tab2.post("/zoho/seats/"+seat+"/deactivate", form), http.StatusSeeOther)
	unlinked := "910726329@conecta.orange.es ya no está vinculado a ningún usuario de Zoho: se desvinculó desde otra pestaña o sesión. La tabla muestra su estado actual."
	r := tab1.post("/zoho/seats/"+seat+"/deactivate", form)
	expect(t, tab1, r, unlinked)
	if r.location != "/zoho?q=0726" {
		t.Errorf("back to %q, want the table as it was", r.location)
	}
	expect(t, tab1, tab1.get("/zoho/seats/"+seat+"/deactivate"), unlinked)

	// Tab 2 links the seat to Gema; tab 1 still shows Miguel's deactivation.
	wantStatus(t, tab2.post("/zoho/seats/"+seat+"/activate", url.Values{"zoho_user": {gema.ID}}), http.StatusSeeOther)
	expect(t, tab1, tab1.post("/zoho/seats/"+seat+"/deactivate", form),
		"910726329@conecta.orange.es ahora está vinculado a Gema Castro (gema.castro@satec.es), no a miguel.martin@satec.es: no se ha desactivado nada. La tabla muestra su estado actual.")
	if l, err := e.store.LinkBySeat(ctx, e.company.ID, mustInt(t, seat)); err != nil || l.ZohoUserID != gema.ID || !l.Enabled {
		t.Fatalf("Gema's link was touched: %+v %v", l, err)
	}
	// And tab 1's activation dialog, opened before, now tries Miguel.
	linked := "910726329@conecta.orange.es ya está vinculado a Gema Castro (gema.castro@satec.es): se vinculó desde otra pestaña o sesión. La tabla muestra su estado actual."
	expect(t, tab1, tab1.post("/zoho/seats/"+seat+"/activate", url.Values{"zoho_user": {miguel.ID}}), linked)
	expect(t, tab1, tab1.get("/zoho/seats/"+seat+"/activate"), linked)

	// A seat that left the Centrex, and one that no longer exists.
	gone := e.seatID(t, "910726330@conecta.orange.es")
	if _, err := e.store.SyncSeats(ctx, e.company.ID, []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, "directory"); err != nil {
		t.Fatal(err)
	}
	expect(t, tab1, tab1.get("/zoho/seats/"+gone+"/activate"),
		"910726330@conecta.orange.es ya no está en la centralita: no se puede activar. La tabla muestra su estado actual.")
	expect(t, tab1, tab1.get("/zoho/seats/987654321/activate"), "Ese puesto ya no existe en esta empresa. La tabla muestra los puestos actuales.")
	expect(t, tab1, tab1.post("/zoho/seats/987654321/deactivate", url.Values{}), "Ese puesto ya no existe en esta empresa. La tabla muestra los puestos actuales.")
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
