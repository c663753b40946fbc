package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestCentrexConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	s := testdb.Connect(t, url, testBox(t, 7))
	co := newCompany(t, s, "fermax")
	if _, err := s.CentrexConnection(ctx, co); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no connection yet: %v", err)
	}
	want := centrex.Connection{
		BaseURL: "https://xsp.conecta.example", UserID: "fermax.admin@conecta.orange.es", Password: "demo-admin-1234",
		GroupID: "Fermax_Madrid", EnterpriseID: "Fermax", IsEnterprise: true, DirectoryUserID: "910726329@conecta.orange.es",
	}
	if err := s.SetCentrexConnection(ctx, co, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.CentrexConnection(ctx, co)
	if err != nil || got.Connection != want || got.CompanyID != co {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	var sealed []byte
	if err := s.Pool().QueryRow(ctx, `SELECT password_sealed FROM centrex_connections WHERE company_id = $1`, co).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(want.Password)) {
		t.Fatal("the password is stored in the clear")
	}
	if _, err := testdb.Connect(t, url, testBox(t, 8)).CentrexConnection(ctx, co); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("another SECRET_KEY: %v, want secretbox.ErrOpen", err)
	}
	noKey := testdb.Connect(t, url, nil)
	if _, err := noKey.CentrexConnection(ctx, co); !errors.Is(err, store.ErrNoSecretKey) {
		t.Fatalf("no SECRET_KEY: %v, want store.ErrNoSecretKey", err)
	}
	if err := noKey.SetCentrexConnection(ctx, co, want); !errors.Is(err, store.ErrNoSecretKey) {
		t.Fatalf("set without SECRET_KEY: %v, want store.ErrNoSecretKey", err)
	}

	want.Password, want.IsEnterprise, want.DirectoryUserID = "changed-password", false, ""
	if err := s.SetCentrexConnection(ctx, co, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CentrexConnection(ctx, co); got.Connection != want {
		t.Fatalf("after replace: %+v", got)
	}
	if ids, err := s.CompaniesWithCentrex(ctx); err != nil || len(ids) != 1 || ids[0] != co {
		t.Fatalf("companies with centrex: %v, %v", ids, err)
	}
	bad := want
	bad.BaseURL = "ftp://xsp"
	if err := s.SetCentrexConnection(ctx, co, bad); err == nil {
		t.Fatal("a non-http base URL was stored")
	}
	if err := s.DeleteCentrexConnection(ctx, co); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCentrexConnection(ctx, co); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestLeases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	one, two := newCompany(t, s, "fermax"), newCompany(t, s, "acme")
	if ok, err := s.TryLease(ctx, "seats", one, "a", time.Minute); err != nil || !ok {
		t.Fatalf("first lease: %v %v", ok, err)
	}
	tests := []struct {
		name    string
		lease   string
		company int64
		owner   string
		want    bool
	}{
		{"same lease, same company, another owner", "seats", one, "b", false},
		{"same lease, same company, same owner (extends)", "seats", one, "a", true},
		{"same lease, other company", "seats", two, "b", true},
		{"other lease, same company", "subscription", one, "b", true},
	}
	for _, tt := range tests {
		if ok, err := s.TryLease(ctx, tt.lease, tt.company, tt.owner, time.Minute); err != nil || ok != tt.want {
			t.Errorf("%s: ok=%v err=%v, want %v", tt.name, ok, err, tt.want)
		}
	}
	advance(59 * time.Second)
	if ok, _ := s.TryLease(ctx, "seats", one, "b", time.Minute); ok {
		t.Fatal("taken before the lease ran out")
	}
	advance(2 * time.Second)
	if ok, _ := s.TryLease(ctx, "seats", one, "b", time.Minute); !ok {
		t.Fatal("not taken after the lease ran out")
	}
	if err := s.ReleaseLease(ctx, "seats", one, "a"); err != nil { // not a's any more: no effect
		t.Fatal(err)
	}
	if ok, _ := s.TryLease(ctx, "seats", one, "a", time.Minute); ok {
		t.Fatal("a former owner's release freed the new owner's lease")
	}
	if err := s.ReleaseLease(ctx, "seats", one, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.TryLease(ctx, "seats", one, "a", time.Minute); !ok {
		t.Fatal("not free after its owner released it")
	}
}

// TestLeaseOneHolderAtOnce: many instances try the same lease at once;
// exactly one gets it.
func TestLeaseOneHolderAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			ok, err := s.TryLease(ctx, "seats", co, fmt.Sprintf("instance-%d", i), time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d instances hold the lease, want 1", won.Load())
	}
}

func TestWithLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	boom := errors.New("boom")
	ran, err := s.WithLease(ctx, "seats", co, "a", time.Minute, func(ctx context.Context) error {
		if ok, _ := s.TryLease(ctx, "seats", co, "b", time.Minute); ok {
			t.Error("another owner took the lease while fn ran")
		}
		var open int
		if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`).Scan(&open); err != nil {
			t.Error(err)
		}
		if open != 0 {
			t.Errorf("%d transactions open while fn runs, want none", open)
		}
		return boom
	})
	if !ran || !errors.Is(err, boom) {
		t.Fatalf("ran=%v err=%v, want fn's error", ran, err)
	}
	if ok, _ := s.TryLease(ctx, "seats", co, "b", time.Minute); !ok {
		t.Fatal("the lease was not released after fn")
	}
	ran, err = s.WithLease(ctx, "seats", co, "a", time.Minute, func(context.Context) error { return nil })
	if ran || err != nil {
		t.Fatalf("ran=%v err=%v while b holds the lease", ran, err)
	}
}
