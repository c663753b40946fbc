package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestZohoUsersCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	co := newCompany(t, s, "fermax")
	if _, _, err := s.ZohoUsersFetchedAt(ctx, co); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("never fetched: %v", err)
	}
	list := []store.ZohoUser{
		{ID: "768724185", Email: "miguel.martin@satec.es", Name: "Miguel Martín Buil"},
		{ID: "35560727", Email: "gema.castro@satec.es", Name: "Gema Castro"},
		{ID: "35560727", Email: "dup@satec.es", Name: "Duplicate"},
		{ID: "", Email: "noid@satec.es"},
		{ID: "5", Email: "pepe.sanchez@satec.es"},
	}
	if err := s.ReplaceZohoUsers(ctx, co, list); err != nil {
		t.Fatal(err)
	}
	at, n, err := s.ZohoUsersFetchedAt(ctx, co)
	if err != nil || !at.Equal(now) || n != 3 {
		t.Fatalf("fetched at %v, %d users, %v", at, n, err)
	}
	mustSync(t, s, co, seat("910726329"))
	mustLink(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"), list[0])

	labels := func(us []store.ZohoUser) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.Label())
		}
		return out
	}
	tests := []struct {
		name string
		q    store.ZohoUserQuery
		want []string
	}{
		{"all, by name", store.ZohoUserQuery{}, []string{"pepe.sanchez@satec.es", "Gema Castro (gema.castro@satec.es)",
			"Miguel Martín Buil (miguel.martin@satec.es)"}},
		{"search name", store.ZohoUserQuery{Search: "MARTÍN"}, []string{"Miguel Martín Buil (miguel.martin@satec.es)"}},
		{"search e-mail", store.ZohoUserQuery{Search: "gema.c"}, []string{"Gema Castro (gema.castro@satec.es)"}},
		{"accents ignored", store.ZohoUserQuery{Search: "martin"}, []string{"Miguel Martín Buil (miguel.martin@satec.es)"}},
		{"accents typed, none stored", store.ZohoUserQuery{Search: "gémá"}, []string{"Gema Castro (gema.castro@satec.es)"}},
		{"every word, any order", store.ZohoUserQuery{Search: "  buil   MIGUEL "}, []string{"Miguel Martín Buil (miguel.martin@satec.es)"}},
		{"a word of the name and one of the e-mail", store.ZohoUserQuery{Search: "castro satec.es"}, []string{"Gema Castro (gema.castro@satec.es)"}},
		{"one word misses", store.ZohoUserQuery{Search: "miguel castro"}, nil},
		{"wildcards are literal", store.ZohoUserQuery{Search: "%"}, nil},
		{"underscore is literal", store.ZohoUserQuery{Search: "gema_castro"}, nil},
		{"unlinked only", store.ZohoUserQuery{UnlinkedOnly: true}, []string{"pepe.sanchez@satec.es", "Gema Castro (gema.castro@satec.es)"}},
		{"paged", store.ZohoUserQuery{Offset: 1, Limit: 1}, []string{"Gema Castro (gema.castro@satec.es)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, _, err := s.ZohoUsers(ctx, co, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := labels(us); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	us, total, _ := s.ZohoUsers(ctx, co, store.ZohoUserQuery{Limit: 1})
	if total != 3 || len(us) != 1 {
		t.Fatalf("total %d, page %d", total, len(us))
	}
	u, err := s.ZohoUserByID(ctx, co, "768724185")
	if err != nil || u.LinkedSeatUserID != "910726329@conecta.orange.es" || u.LinkedSeatID == 0 {
		t.Fatalf("linked user: %+v, %v", u, err)
	}

	t.Run("a refresh updates linked users' e-mail and name and keeps links", func(t *testing.T) {
		now = now.Add(time.Hour)
		err := s.ReplaceZohoUsers(ctx, co, []store.ZohoUser{{ID: "768724185", Email: "mmartin@satec.es", Name: "Miguel Martín"}})
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.LinkByZohoUser(ctx, co, "768724185")
		if err != nil || l.ZohoEmail != "mmartin@satec.es" || l.ZohoName != "Miguel Martín" {
			t.Fatalf("link after refresh: %+v, %v", l, err)
		}
		if at, n, _ := s.ZohoUsersFetchedAt(ctx, co); !at.Equal(now) || n != 1 {
			t.Fatalf("fetched at %v, %d", at, n)
		}
		if err := s.ReplaceZohoUsers(ctx, co, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkByZohoUser(ctx, co, "768724185"); err != nil {
			t.Fatalf("an empty list removed a link: %v", err)
		}
	})
}

// TestZohoUserSearchEveryUser searches an organisation far larger than a
// page: any of its users is found by e-mail or by name, and another
// company's users never are.
func TestZohoUserSearchEveryUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	other := newCompany(t, s, "other")
	var users []store.ZohoUser
	for i := range 1235 {
		users = append(users, store.ZohoUser{ID: fmt.Sprint(100000 + i), Email: fmt.Sprintf("agente%04d@fermax.es", i),
			Name: fmt.Sprintf("Agente %04d Núñez", i)})
	}
	if err := s.ReplaceZohoUsers(ctx, co, users); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceZohoUsers(ctx, other, []store.ZohoUser{{ID: "1", Email: "agente1234@other.es", Name: "Agente 1234 Otro"}}); err != nil {
		t.Fatal(err)
	}
	for _, search := range []string{"agente1234@fermax.es", "1234 nunez", "AGENTE 1234"} {
		us, total, err := s.ZohoUsers(ctx, co, store.ZohoUserQuery{Search: search, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(us) != 1 || us[0].Email != "agente1234@fermax.es" {
			t.Errorf("search %q: %d in all, %+v", search, total, us)
		}
	}
	_, total, err := s.ZohoUsers(ctx, co, store.ZohoUserQuery{Search: "núñez", Limit: 50})
	if err != nil || total != 1235 {
		t.Errorf("every user is a Núñez: %d, %v", total, err)
	}
}
