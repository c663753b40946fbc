package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestCentrexConnection(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	box := testBox(t, 7)
	if _, err := s.CentrexConnection(ctx, box, co); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no connection yet: %v", err)
	}
	want := centrex.Connection{
		BaseURL: "https://xsp.conecta.example", UserID: "fermax.admin@conecta.orange.es", Password: "demo-admin-1234",
		GroupID: "Fermax_Madrid", EnterpriseID: "Fermax", IsEnterprise: true, DirectoryUserID: "910726329@conecta.orange.es",
	}
	if err := s.SetCentrexConnection(ctx, box, co, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.CentrexConnection(ctx, box, co)
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
	if _, err := s.CentrexConnection(ctx, testBox(t, 8), co); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("another SECRET_KEY: %v, want secretbox.ErrOpen", err)
	}

	want.Password, want.IsEnterprise, want.DirectoryUserID = "changed-password", false, ""
	if err := s.SetCentrexConnection(ctx, box, co, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CentrexConnection(ctx, box, co); got.Connection != want {
		t.Fatalf("after replace: %+v", got)
	}
	if ids, err := s.CompaniesWithCentrex(ctx); err != nil || len(ids) != 1 || ids[0] != co {
		t.Fatalf("companies with centrex: %v, %v", ids, err)
	}
	bad := want
	bad.BaseURL = "ftp://xsp"
	if err := s.SetCentrexConnection(ctx, box, co, bad); err == nil {
		t.Fatal("a non-http base URL was stored")
	}
	if err := s.DeleteCentrexConnection(ctx, co); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCentrexConnection(ctx, co); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestTryCompanyLock(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := s.TryCompanyLock(ctx, "seats.sync", 1, func(context.Context) error {
			close(held)
			<-release
			return nil
		})
		done <- err
	}()
	<-held
	tests := []struct {
		name    string
		lock    string
		company int64
		wantRun bool
	}{
		{"same lock, same company", "seats.sync", 1, false},
		{"same lock, other company", "seats.sync", 2, true},
		{"other lock, same company", "zoho.refresh", 1, true},
	}
	for _, tt := range tests {
		ran := false
		ok, err := s.TryCompanyLock(ctx, tt.lock, tt.company, func(context.Context) error { ran = true; return nil })
		if err != nil || ok != tt.wantRun || ran != tt.wantRun {
			t.Errorf("%s: ok=%v ran=%v err=%v, want %v", tt.name, ok, ran, err, tt.wantRun)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	ok, err := s.TryCompanyLock(ctx, "seats.sync", 1, func(context.Context) error { return boom })
	if !ok || !errors.Is(err, boom) {
		t.Fatalf("after release: ok=%v err=%v; want the lock and fn's error", ok, err)
	}
}
