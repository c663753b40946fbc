package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestLinkUniqueness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	other := newCompany(t, s, "acme")
	mustSync(t, s, co, seat("910726329"), seat("910726330"))
	mustSync(t, s, other, seat("930000001"))
	s1, s2 := seatID(t, s, co, "910726329@conecta.orange.es"), seatID(t, s, co, "910726330@conecta.orange.es")
	miguel := store.ZohoUser{ID: "768724185", Email: "miguel.martin@satec.es", Name: "Miguel Martín Buil"}
	gema := store.ZohoUser{ID: "35560727", Email: "gema.castro@satec.es", Name: "Gema Castro"}
	first, secret, err := s.CreateLink(ctx, co, s1, miguel)
	if err != nil || secret == "" || first.Enabled || first.ZohoEmail != miguel.Email || first.SeatUserID != "910726329@conecta.orange.es" {
		t.Fatalf("create: %+v, %q, %v", first, secret, err)
	}

	tests := []struct {
		name    string
		company int64
		seat    int64
		user    store.ZohoUser
		want    error
	}{
		{"seat already linked", co, s1, gema, store.ErrSeatAlreadyLinked},
		{"zoho user already linked", co, s2, miguel, store.ErrZohoUserAlreadyLinked},
		{"seat of another company", other, s2, gema, store.ErrNotFound},
		{"no such seat", co, 999999, gema, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.CreateLink(ctx, tt.company, tt.seat, tt.user)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("the same zoho user id in another company is another user", func(t *testing.T) {
		if _, _, err := s.CreateLink(ctx, other, seatID(t, s, other, "930000001@conecta.orange.es"), miguel); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the database refuses what the store would", func(t *testing.T) {
		raw := []struct {
			name    string
			company int64
			seat    int64
			user    string
		}{
			{"second user for a seat", co, s1, "1"},
			{"second seat for a user", co, s2, miguel.ID},
			{"link across companies", other, s2, "2"},
		}
		for _, r := range raw {
			_, err := s.Pool().Exec(ctx, `INSERT INTO seat_links (company_id, seat_id, zoho_user_id, secret_hash)
				VALUES ($1, $2, $3, sha256('x'))`, r.company, r.seat, r.user)
			if err == nil {
				t.Errorf("%s: a raw INSERT succeeded", r.name)
			}
		}
	})
	t.Run("a gone seat cannot be linked", func(t *testing.T) {
		mustSync(t, s, co, seat("910726329"))
		if _, _, err := s.CreateLink(ctx, co, s2, gema); !errors.Is(err, store.ErrSeatGone) {
			t.Fatalf("err = %v, want ErrSeatGone", err)
		}
	})
}

func TestLinkSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	mustSync(t, s, co, seat("910726329"))
	l, secret, err := s.CreateLink(ctx, co, seatID(t, s, co, "910726329@conecta.orange.es"), store.ZohoUser{ID: "7"})
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.Pool().QueryRow(ctx, `SELECT secret_hash FROM seat_links WHERE id = $1`, l.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == secret || len(stored) != 32 {
		t.Fatalf("stored %d bytes; the plaintext must never be stored", len(stored))
	}
	if !l.CheckSecret(secret) || l.CheckSecret(secret+"x") || l.CheckSecret("") || (store.Link{}).CheckSecret(secret) {
		t.Fatal("CheckSecret accepts the wrong secret or refuses the right one")
	}
	rotated, err := s.RotateLinkSecret(ctx, co, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	l, _ = s.LinkByID(ctx, co, l.ID)
	if l.CheckSecret(secret) || !l.CheckSecret(rotated) {
		t.Fatal("after rotation the old secret must stop working and the new one work")
	}
}

func TestLinkForDial(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	other := newCompany(t, s, "acme")
	shared := centrex.Seat{UserID: "twin@conecta.orange.es", Number: "910726329"}
	mustSync(t, s, co, seat("910726329"), seat("910726330"), shared)
	mustSync(t, s, other, seat("910726331"))
	mustLink(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"), store.ZohoUser{ID: "1"})
	mustLink(t, s, other, seatID(t, s, other, "910726331@conecta.orange.es"), store.ZohoUser{ID: "3"})

	tests := []struct {
		name string
		key  string
		want string // seat user id, or "" for ErrNotFound
	}{
		{"by user id", "910726329@conecta.orange.es", "910726329@conecta.orange.es"},
		{"by number, only one linked seat has it", "910726329", "910726329@conecta.orange.es"},
		{"unlinked seat", "910726330", ""},
		{"another company's seat", "910726331", ""},
		{"unknown", "600000000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.LinkForDial(ctx, co, tt.key)
			if tt.want == "" {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", l, err)
				}
				return
			}
			if err != nil || l.SeatUserID != tt.want {
				t.Fatalf("got %+v, %v; want seat %s", l, err, tt.want)
			}
		})
	}
	mustLink(t, s, co, seatID(t, s, co, shared.UserID), store.ZohoUser{ID: "2"})
	if _, err := s.LinkForDial(ctx, co, "910726329"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("number of two linked seats: %v, want ErrConflict", err)
	}
	mustSync(t, s, co, seat("910726330"), shared)
	if _, err := s.LinkForDial(ctx, co, "910726329@conecta.orange.es"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("gone seat: %v, want ErrNotFound", err)
	}
}
