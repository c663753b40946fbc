package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestZohoTokensSealedByTheStore: the store seals the tokens it is given
// and opens them when they are read; the database holds neither in the
// clear, a sealed token copied to another company's row does not open, and
// a store without SECRET_KEY refuses to write or read one.
func TestZohoTokensSealedByTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	s := testdb.Connect(t, url, testBox(t, 3))
	fermax, acme := newCompany(t, s, "fermax"), newCompany(t, s, "acme")
	z := store.ZohoIntegration{CompanyID: fermax, Status: store.ZohoEnabled, AccountsServer: "https://accounts.zoho.eu",
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "1000.refresh-secret", AccessToken: "1000.access-secret",
		AccessExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveZohoIntegration(ctx, z); err != nil {
		t.Fatal(err)
	}
	got, err := s.ZohoIntegration(ctx, fermax)
	if err != nil || got.RefreshToken != z.RefreshToken || got.AccessToken != z.AccessToken {
		t.Fatalf("read back %+v, %v", got, err)
	}
	var refresh, access []byte
	if err := s.Pool().QueryRow(ctx, `SELECT refresh_token, access_token FROM zoho_integrations WHERE company_id = $1`,
		fermax).Scan(&refresh, &access); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(refresh, []byte("secret")) || bytes.Contains(access, []byte("secret")) || len(refresh) == 0 {
		t.Fatal("a token is stored in the clear")
	}
	// Locking re-reads and writes back through the same sealing.
	err = s.LockZohoIntegration(ctx, fermax, func(z store.ZohoIntegration) (store.ZohoIntegration, bool, error) {
		if z.RefreshToken != "1000.refresh-secret" {
			t.Errorf("locked row's refresh token %q", z.RefreshToken)
		}
		z.AccessToken = "1000.new-access"
		return z, true, nil
	})
	if got, _ := s.ZohoIntegration(ctx, fermax); err != nil || got.AccessToken != "1000.new-access" {
		t.Fatalf("after the locked update: %+v, %v", got, err)
	}

	if err := s.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: acme, Status: store.ZohoEnabled,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "1000.acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE zoho_integrations SET refresh_token = $1 WHERE company_id = $2`, refresh, acme); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ZohoIntegration(ctx, acme); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("another company's sealed token: %v, want secretbox.ErrOpen", err)
	}

	noKey := testdb.Connect(t, url, nil)
	if _, err := noKey.ZohoIntegration(ctx, fermax); !errors.Is(err, store.ErrNoSecretKey) {
		t.Fatalf("read without SECRET_KEY: %v", err)
	}
	if err := noKey.SaveZohoIntegration(ctx, z); !errors.Is(err, store.ErrNoSecretKey) {
		t.Fatalf("save without SECRET_KEY: %v", err)
	}
	off := store.ZohoIntegration{CompanyID: fermax, Status: store.ZohoDisabled}
	if err := noKey.SaveZohoIntegration(ctx, off); err != nil {
		t.Fatalf("a row without tokens needs no key: %v", err)
	}
}
