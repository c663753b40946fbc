package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// newCompany creates a company with an administrator named after it.
func newCompany(tb testing.TB, s *store.Store, name string) int64 {
	tb.Helper()
	c, _, err := s.CreateCompany(context.Background(), name, "admin@"+name+".example", "hash")
	if err != nil {
		tb.Fatal(err)
	}
	return c.ID
}

// testBox returns a secret box with a fixed key.
func testBox(tb testing.TB, fill byte) *secretbox.Box {
	tb.Helper()
	key := make([]byte, 32)
	for i := range key {
		key[i] = fill
	}
	b, err := secretbox.New(key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// seat builds a centrex.Seat for number n: "n@conecta.orange.es".
func seat(n string) centrex.Seat {
	return centrex.Seat{UserID: n + "@conecta.orange.es", Number: n, Extension: n[len(n)-4:]}
}

// mustSync syncs seats from the directory and fails the test on error.
func mustSync(tb testing.TB, s *store.Store, companyID int64, seats ...centrex.Seat) store.SyncResult {
	tb.Helper()
	r, err := s.SyncSeats(context.Background(), companyID, seats, store.SourceDirectory)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// seatID returns the id of a company's seat by user id.
func seatID(tb testing.TB, s *store.Store, companyID int64, userID string) int64 {
	tb.Helper()
	st, err := s.SeatByUserID(context.Background(), companyID, userID)
	if err != nil {
		tb.Fatal(err)
	}
	return st.ID
}

// companyWithSeat makes a company named name with one seat of that number
// and returns both ids.
func companyWithSeat(tb testing.TB, s *store.Store, name, number string) (int64, int64) {
	tb.Helper()
	co := newCompany(tb, s, name)
	mustSync(tb, s, co, seat(number))
	return co, seatID(tb, s, co, number+"@conecta.orange.es")
}

// mustLink links a seat to a Zoho user and enables the link.
func mustLink(tb testing.TB, s *store.Store, companyID, seatID int64, u store.ZohoUser) store.Link {
	tb.Helper()
	ctx := context.Background()
	l, _, err := s.CreateLink(ctx, companyID, seatID, u)
	if err != nil {
		tb.Fatal(err)
	}
	if l, err = s.SetLinkEnabled(ctx, companyID, l.ID, true); err != nil {
		tb.Fatal(err)
	}
	return l
}

// bulkSeed loads n seats into a company with COPY, shaped like real ones:
// number 9CCNNNNNN (CC: the company id, NNNNNN: the seat), user id
// "<number>@conecta.orange.es", name "Nombre<N> Apellido<N>". It caches
// zohoUsers Zoho users "<first> <last> <N>" (zu<CC>-<N>@example.com) with
// common Spanish names, and links every linkEvery-th seat to the next user
// (two links in three enabled).
func bulkSeed(tb testing.TB, s *store.Store, companyID int64, n, linkEvery, zohoUsers int) {
	tb.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"seats"},
		[]string{"company_id", "user_id", "number", "extension", "first_name", "last_name", "email", "source", "synced_at"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			number := fmt.Sprintf("9%02d%06d", companyID%100, i)
			return []any{companyID, number + "@conecta.orange.es", number, fmt.Sprintf("%05d", i),
				fmt.Sprintf("Nombre%d", i), fmt.Sprintf("Apellido%d", i), "", string(store.SourceDirectory), now}, nil
		}))
	if err != nil {
		tb.Fatal(err)
	}
	first := []string{"Ana", "Luis", "María", "Jorge", "Lucía", "Pablo", "Elena", "Íñigo", "Sara", "David", "Miguel", "Gema"}
	last := []string{"García", "López", "Martín", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Núñez", "Castro"}
	_, err = s.Pool().CopyFrom(ctx, pgx.Identifier{"zoho_users"},
		[]string{"company_id", "zoho_user_id", "email", "name", "fetched_at"},
		pgx.CopyFromSlice(zohoUsers, func(i int) ([]any, error) {
			f, l := first[i%len(first)], last[(i/len(first))%len(last)]
			return []any{companyID, fmt.Sprintf("%d%06d", companyID, i),
				fmt.Sprintf("%s.%s%d@zu%02d.example.com", strings.ToLower(f), strings.ToLower(l), i, companyID%100),
				fmt.Sprintf("%s %s %d", f, l, i), now}, nil
		}))
	if err != nil {
		tb.Fatal(err)
	}
	if linkEvery <= 0 {
		return
	}
	_, err = s.Pool().Exec(ctx, `
		INSERT INTO seat_links (company_id, seat_id, zoho_user_id, zoho_email, zoho_name, enabled, secret_hash)
		SELECT s.company_id, s.id, u.zoho_user_id, u.email, u.name, r.n % 3 <> 0, sha256(s.user_id::bytea)
		FROM (SELECT id, company_id, user_id, row_number() OVER (ORDER BY user_id) - 1 AS n
		      FROM seats WHERE company_id = $1) s
		CROSS JOIN LATERAL (SELECT s.n / $2 AS n) r
		JOIN zoho_users u ON u.company_id = s.company_id AND u.zoho_user_id = $4 || lpad((s.n / $2)::text, 6, '0')
		WHERE s.n % $2 = 0 AND s.n / $2 < $3`, companyID, linkEvery, zohoUsers, fmt.Sprint(companyID))
	if err != nil {
		tb.Fatal(err)
	}
}
