package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestMigrationsAreCurrent(t *testing.T) {
	s := testdb.Open(t)
	st, err := s.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Behind() || st.Latest == 0 {
		t.Fatalf("status = %+v, want current and non-zero", st)
	}
}

func TestOneAdministratorPerCompany(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c, a, err := s.CreateCompany(ctx, "Fermax", "Admin@Fermax.com ", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "admin@fermax.com" || a.CompanyID != c.ID {
		t.Fatalf("admin = %+v, want lower-cased e-mail of company %d", a, c.ID)
	}

	t.Run("second admin for the same company", func(t *testing.T) {
		_, err := s.AddAdmin(ctx, c.ID, "other@fermax.com", "hash")
		if !errors.Is(err, store.ErrCompanyHasAdmin) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("err = %v, want ErrCompanyHasAdmin", err)
		}
	})
	t.Run("the database itself refuses a second admin", func(t *testing.T) {
		_, err := s.Pool().Exec(ctx, `INSERT INTO admins (company_id, email, password_hash) VALUES ($1, 'x@fermax.com', 'h')`, c.ID)
		if err == nil {
			t.Fatal("a raw INSERT of a second administrator succeeded")
		}
	})
	t.Run("e-mail used by another company", func(t *testing.T) {
		_, _, err := s.CreateCompany(ctx, "Acme", "ADMIN@fermax.com", "hash")
		if !errors.Is(err, store.ErrAdminEmailTaken) {
			t.Fatalf("err = %v, want ErrAdminEmailTaken", err)
		}
		if _, err := s.CompanyByName(ctx, "Acme"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the company was kept although its admin was refused: %v", err)
		}
	})
	t.Run("duplicate company name", func(t *testing.T) {
		_, _, err := s.CreateCompany(ctx, "FERMAX", "boss@other.com", "hash")
		if !errors.Is(err, store.ErrCompanyExists) {
			t.Fatalf("err = %v, want ErrCompanyExists", err)
		}
	})
}

func TestSetAdminPasswordMovesSessionEpoch(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	_, a, err := s.CreateCompany(ctx, "Fermax", "admin@fermax.com", "old")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SetAdminPassword(ctx, "ADMIN@fermax.com", "new")
	if err != nil {
		t.Fatal(err)
	}
	if b.PasswordHash != "new" || b.SessionEpoch != a.SessionEpoch+1 {
		t.Fatalf("after reset: %+v (before epoch %d)", b, a.SessionEpoch)
	}
	if _, err := s.SetAdminPassword(ctx, "nobody@x.com", "h"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reset of unknown admin: err = %v, want ErrNotFound", err)
	}
}

func TestLoginFailuresWindow(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	for range 3 {
		if err := s.RecordLoginFailure(ctx, "account:a@b.c", "addr:10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	f, err := s.RecentLoginFailures(ctx, "account:a@b.c", 15*time.Minute)
	if err != nil || f.Count != 3 {
		t.Fatalf("failures = %+v, %v; want 3", f, err)
	}
	now = now.Add(12*time.Minute + 30*time.Second) // 10:15:30: the 10:00 failure leaves the window
	f, _ = s.RecentLoginFailures(ctx, "account:a@b.c", 15*time.Minute)
	if f.Count != 2 {
		t.Fatalf("after the window moved: %d failures, want 2", f.Count)
	}
	if err := s.ClearLoginFailures(ctx, "account:a@b.c"); err != nil {
		t.Fatal(err)
	}
	if f, _ = s.RecentLoginFailures(ctx, "account:a@b.c", 15*time.Minute); f.Count != 0 {
		t.Fatalf("after clear: %d failures", f.Count)
	}
	if f, _ = s.RecentLoginFailures(ctx, "addr:10.0.0.1", 15*time.Minute); f.Count != 2 {
		t.Fatalf("the address key was affected by clearing the account: %d", f.Count)
	}
}

func TestAuditLogIsPerCompany(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	a, _, _ := s.CreateCompany(ctx, "A", "a@a.com", "h")
	b, _, _ := s.CreateCompany(ctx, "B", "b@b.com", "h")
	if err := s.Audit(ctx, a.ID, "a@a.com", "login", map[string]string{"addr": "1.2.3.4"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, b.ID, "b@b.com", "login", nil); err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, a.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Actor != "a@a.com" || log[0].Detail["addr"] != "1.2.3.4" {
		t.Fatalf("company A's log = %+v", log)
	}
}

func TestDeleteExpired(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	_, err := s.Pool().Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ('old', '', $1), ('live', '', $2)`,
		now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLoginFailure(ctx, "account:x"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(25 * time.Hour)
	if err := s.RecordLoginFailure(ctx, "account:y"); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpired(ctx, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Both sessions have expired 25 hours later; one failure is too old.
	if n != 3 {
		t.Fatalf("deleted %d rows, want 3", n)
	}
	if f, _ := s.RecentLoginFailures(ctx, "account:y", time.Hour); f.Count != 1 {
		t.Fatalf("the recent failure was deleted")
	}
}
