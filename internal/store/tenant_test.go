package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestTenantIsolation: company B, knowing the row ids of company A, can
// neither read nor change A's seats, links, Zoho users or connection.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	a, b := newCompany(t, s, "alpha"), newCompany(t, s, "beta")
	mustSync(t, s, a, seat("910726329"))
	mustSync(t, s, b, seat("930000001"))
	aSeat := seatID(t, s, a, "910726329@conecta.orange.es")
	if err := s.ReplaceZohoUsers(ctx, a, []store.ZohoUser{{ID: "42", Email: "a@alpha.es", Name: "Ana Alpha"}}); err != nil {
		t.Fatal(err)
	}
	aLink := mustLink(t, s, a, aSeat, store.ZohoUser{ID: "42", Email: "a@alpha.es", Name: "Ana Alpha"})
	if err := s.SetCentrexConnection(ctx, a, centrex.Connection{BaseURL: "https://xsp.example", UserID: "admin@alpha",
		Password: "alpha-secret", GroupID: "G", EnterpriseID: "E", IsEnterprise: true}); err != nil {
		t.Fatal(err)
	}

	probes := []struct {
		name string
		do   func() error
	}{
		{"SeatByID", func() error { _, err := s.SeatByID(ctx, b, aSeat); return err }},
		{"SeatByUserID", func() error { _, err := s.SeatByUserID(ctx, b, "910726329@conecta.orange.es"); return err }},
		{"LinkByID", func() error { _, err := s.LinkByID(ctx, b, aLink.ID); return err }},
		{"LinkBySeat", func() error { _, err := s.LinkBySeat(ctx, b, aSeat); return err }},
		{"LinkByZohoUser", func() error { _, err := s.LinkByZohoUser(ctx, b, "42"); return err }},
		{"LinkForDial", func() error { _, err := s.LinkForDial(ctx, b, "910726329@conecta.orange.es"); return err }},
		{"SetLinkEnabled", func() error { _, err := s.SetLinkEnabled(ctx, b, aLink.ID, false); return err }},
		{"RotateLinkSecret", func() error { _, err := s.RotateLinkSecret(ctx, b, aLink.ID); return err }},
		{"DeleteLink", func() error { _, err := s.DeleteLink(ctx, b, aLink.ID); return err }},
		{"CreateLink", func() error { _, _, err := s.CreateLink(ctx, b, aSeat, store.ZohoUser{ID: "9"}); return err }},
		{"ZohoUserByID", func() error { _, err := s.ZohoUserByID(ctx, b, "42"); return err }},
		{"CentrexConnection", func() error { _, err := s.CentrexConnection(ctx, b); return err }},
	}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			if err := p.do(); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("lists", func(t *testing.T) {
		page, err := s.SeatTable(ctx, b, store.TableQuery{Search: "9107"})
		if err != nil || page.Total != 1 || page.Filtered != 0 {
			t.Fatalf("B's table searching A's seat: %+v, %v", page, err)
		}
		links, _ := s.Links(ctx, b)
		users, n, _ := s.ZohoUsers(ctx, b, store.ZohoUserQuery{})
		sugg, _ := s.SuggestedLinks(ctx, b)
		if len(links) != 0 || len(users) != 0 || n != 0 || len(sugg) != 0 {
			t.Fatalf("B sees A's rows: links %v, users %v, suggestions %v", links, users, sugg)
		}
	})
	t.Run("A's rows are untouched", func(t *testing.T) {
		l, err := s.LinkByID(ctx, a, aLink.ID)
		if err != nil || !l.Enabled || l.SeatID != aSeat {
			t.Fatalf("A's link after B's attempts: %+v, %v", l, err)
		}
		mustSync(t, s, b) // B's seats all leave
		if st, err := s.SeatByID(ctx, a, aSeat); err != nil || st.Gone() {
			t.Fatalf("B's sync touched A's seats: %+v, %v", st, err)
		}
	})
	t.Run("a sealed password copied to another company does not open", func(t *testing.T) {
		_, err := s.Pool().Exec(ctx, `INSERT INTO centrex_connections (company_id, base_url, user_id, password_sealed,
			group_id, enterprise_id) SELECT $1, base_url, user_id, password_sealed, group_id, enterprise_id
			FROM centrex_connections WHERE company_id = $2`, b, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CentrexConnection(ctx, b); err == nil {
			t.Fatal("company A's sealed password opened as company B's")
		}
	})
}
