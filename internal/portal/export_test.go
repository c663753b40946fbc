package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/store"
)

// TestLinksCSVForSpanishExcel reads the export as Excel would: UTF-8 with
// its byte order mark, ";" between columns unless ?sep=, asks for commas,
// and no cell that a spreadsheet would run as a formula, fullwidth "＝"
// included.
func TestLinksCSVForSpanishExcel(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	wantStatus(t, c.post("/zoho/seats/suggested", url.Values{}), http.StatusSeeOther)
	users, _, _ := e.store.ZohoUsers(context.Background(), e.company.ID, store.ZohoUserQuery{Search: "miguel"})
	// Zoho renames the linked user to something a spreadsheet would run.
	err := e.store.ReplaceZohoUsers(context.Background(), e.company.ID, []store.ZohoUser{
		{ID: users[0].ID, Email: "@evil.example", Name: `＝HIPERVINCULO("http://evil.example";"clic")`}})
	if err != nil {
		t.Fatal(err)
	}
	r := c.get("/zoho/links.csv")
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.HasPrefix(r.body, "\xEF\xBB\xBF") {
		t.Fatalf("no UTF-8 byte order mark: %q", r.body[:min(20, len(r.body))])
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.body, "\xEF\xBB\xBF")), "\n")
	want := []string{
		"Usuario Conecta;Puesto Teléfono;Id. usuario Zoho;Login Zoho;Nombre Zoho;Activado Zoho;En la centralita",
		`910726329@conecta.orange.es;910726329;` + users[0].ID + `;'@evil.example;"'＝HIPERVINCULO(""http://evil.example"";""clic"")";ON;Sí`,
	}
	if len(lines) != 2 || strings.TrimRight(lines[0], "\r") != want[0] || strings.TrimRight(lines[1], "\r") != want[1] {
		t.Fatalf("csv:\n%s\nwant:\n%s", r.body, strings.Join(want, "\n"))
	}
	comma := c.get("/zoho/links.csv?sep=,")
	if !strings.HasPrefix(comma.body, "\xEF\xBB\xBFUsuario Conecta,Puesto Teléfono,") {
		t.Errorf("?sep=, gives %q", comma.body[:min(60, len(comma.body))])
	}
	// The English administrator gets English headers.
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/zoho"}})
	if en := c.get("/zoho/links.csv"); !strings.Contains(en.body, "Conecta user;Phone seat;") || !strings.Contains(en.body, ";Yes") {
		t.Errorf("English csv: %q", en.body)
	}
}
