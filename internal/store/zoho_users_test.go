package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestZohoUsersCache(t *testing.T) {
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
