package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestSuggestedLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	person := func(n, first, last, email string) centrex.Seat {
		st := seat(n)
		st.FirstName, st.LastName, st.Email = first, last, email
		return st
	}
	seats := []centrex.Seat{
		person("910000001", "Miguel", "Martín", "MIGUEL.MARTIN@satec.es"), // e-mail match
		person("910000002", "Gema", "Castro", ""),                         // name match
		person("910000003", "Ana", "García", ""),                          // same name as 004: ambiguous
		person("910000004", "Ana", "García", ""),
		person("910000005", "Pablo", "Ruiz", "pablo@x.es"), // e-mail beats a name match with another user
		person("910000006", "Luis", "Díaz", "luis@x.es"),   // its user is linked elsewhere
		person("910000007", "Jorge", "Pérez", ""),          // linked
		person("910000009", "Elena", "Núñez", "elena@x.es"),
		person("910000010", "Miguel", "Martín", ""), // name of a user who e-mail-matches 001
		person("910000011", "", "", ""),             // no name: matches no one
	}
	mustSync(t, s, co, append(seats, person("910000008", "Sara", "Gómez", ""))...)
	mustSync(t, s, co, seats...) // 008 is gone
	err := s.ReplaceZohoUsers(ctx, co, []store.ZohoUser{
		{ID: "u1", Email: "miguel.martin@satec.es", Name: "Miguel Martín"},
		{ID: "u2", Email: "gcastro@satec.es", Name: "GEMA CASTRO"},
		{ID: "u3", Email: "ana@x.es", Name: "Ana García"},
		{ID: "u4", Email: "pablo@x.es", Name: "P. Ruiz"},
		{ID: "u5", Email: "pruiz@x.es", Name: "Pablo Ruiz"},
		{ID: "u6", Email: "luis@x.es", Name: "Luis"},
		{ID: "u8", Email: "sara@x.es", Name: "Sara Gómez"},
		{ID: "u9", Email: "elena@x.es", Name: "E. Núñez"},
		{ID: "u10", Email: "elena.n@x.es", Name: "Elena Núñez"},
		{ID: "u11", Email: "", Name: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	mustLink(t, s, co, seatID(t, s, co, "910000007@conecta.orange.es"), store.ZohoUser{ID: "u6", Email: "luis@x.es"})

	got, err := s.SuggestedLinks(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, g := range got {
		pairs = append(pairs, fmt.Sprintf("%s→%s by %s", g.SeatNumber, g.ZohoUser.ID, g.MatchedBy))
	}
	want := []string{"910000001→u1 by email", "910000002→u2 by name", "910000005→u4 by email", "910000009→u9 by email"}
	if !slices.Equal(pairs, want) {
		t.Fatalf("suggestions\n got %q\nwant %q", pairs, want)
	}
	if g := got[0]; g.ZohoUser.Label() != "Miguel Martín (miguel.martin@satec.es)" || g.SeatUserID != "910000001@conecta.orange.es" {
		t.Fatalf("first suggestion = %+v", g)
	}

	mustLink(t, s, co, got[0].SeatID, got[0].ZohoUser)
	again, _ := s.SuggestedLinks(ctx, co)
	if len(again) != 3 {
		t.Fatalf("after linking one suggestion, %d remain; want 3", len(again))
	}
}
