package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestMigrationsAreCurrent(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	account := store.LoginLimit{Key: "account:a@b.c", Max: 3}
	addr := store.LoginLimit{Key: "addr:10.0.0.1", Max: 20}
	for range 3 {
		if err := s.RecordLoginFailure(ctx, account.Key, addr.Key); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	// 10:03: three failures since 10:00; the lock ends at 10:15.
	if wait, err := s.LoginWait(ctx, 15*time.Minute, account, addr); err != nil || wait != 12*time.Minute {
		t.Fatalf("wait = %v, %v; want 12m", wait, err)
	}
	if _, wait, _ := s.ReserveLoginAttempt(ctx, 15*time.Minute, account, addr); wait != 12*time.Minute {
		t.Fatalf("an attempt was reserved on a locked account (wait %v)", wait)
	}
	now = now.Add(12*time.Minute + 30*time.Second) // 10:15:30: the 10:00 failure leaves the window
	if wait, _ := s.LoginWait(ctx, 15*time.Minute, account, addr); wait != 0 {
		t.Fatalf("after the window moved: still locked for %v", wait)
	}
	a, wait, err := s.ReserveLoginAttempt(ctx, 15*time.Minute, account, addr)
	if err != nil || wait != 0 {
		t.Fatalf("reserve: wait %v, %v", wait, err)
	}
	// The reserved attempt counts at once, for both keys.
	if wait, _ := s.LoginWait(ctx, 15*time.Minute, account); wait == 0 {
		t.Fatal("the reserved attempt does not count")
	}
	if wait, _ := s.LoginWait(ctx, 15*time.Minute, store.LoginLimit{Key: addr.Key, Max: 3}); wait == 0 {
		t.Fatal("the reserved attempt does not count against the address")
	}
	// A right password takes back its own attempt and nothing else.
	if err := s.ForgetLoginAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	if wait, _ := s.LoginWait(ctx, 15*time.Minute, store.LoginLimit{Key: account.Key, Max: 2}); wait == 0 {
		t.Fatal("forgetting the attempt also forgot the failures before it")
	}
	if wait, _ := s.LoginWait(ctx, 15*time.Minute, account); wait != 0 {
		t.Fatal("the forgotten attempt still counts")
	}
}

// TestReserveLoginAttemptConcurrently: thirty attempts on one account sent
// at once through two instances (two pools) reserve exactly the five the
// limit allows, however they interleave.
func TestReserveLoginAttemptConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	var instances [2]*store.Store
	for i := range instances {
		s, err := store.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		instances[i] = s
	}
	var reserved, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			// Each attempt also counts against its own address.
			_, wait, err := instances[i%2].ReserveLoginAttempt(ctx, 15*time.Minute,
				store.LoginLimit{Key: "account:a@b.c", Max: 5}, store.LoginLimit{Key: fmt.Sprintf("addr:10.0.0.%d", i), Max: 20})
			switch {
			case err != nil:
				t.Error(err)
			case wait > 0:
				refused.Add(1)
			default:
				reserved.Add(1)
			}
		})
	}
	wg.Wait()
	if reserved.Load() != 5 || refused.Load() != 25 {
		t.Fatalf("%d reserved, %d refused; want 5 and 25", reserved.Load(), refused.Load())
	}
}

// TestUseCaptchaOnce: one captcha answered at once by many requests on two
// instances is recorded as used by exactly one of them.
func TestUseCaptchaOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	var instances [2]*store.Store
	for i := range instances {
		s, err := store.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		instances[i] = s
	}
	expires := time.Now().Add(time.Hour)
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			ok, err := instances[i%2].UseCaptcha(ctx, "captcha-1", expires)
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
		t.Fatalf("%d requests used the captcha, want 1", won.Load())
	}
	if ok, _ := instances[0].UseCaptcha(ctx, "captcha-2", expires); !ok {
		t.Fatal("another captcha was refused")
	}
}

func TestAuditLogIsPerCompany(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	_, err := s.Pool().Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ('old', '', $1), ('live', '', $2)`,
		now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Pool().Exec(ctx, `INSERT INTO operator_sessions (token, data, expiry) VALUES ('old', '', $1), ('live', '', $2)`,
		now.Add(-time.Minute), now.Add(26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLoginFailure(ctx, "account:x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseCaptcha(ctx, "old", now.Add(30*time.Minute)); err != nil {
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
	// Both portal sessions, one operator session and the captcha have
	// expired 25 hours later; one failure is too old.
	if n != 5 {
		t.Fatalf("deleted %d rows, want 5", n)
	}
	var left []string
	if err := s.Pool().QueryRow(ctx, `SELECT array_agg(token) FROM operator_sessions`).Scan(&left); err != nil || len(left) != 1 || left[0] != "live" {
		t.Fatalf("operator sessions left: %v (%v), want the live one", left, err)
	}
	if wait, _ := s.LoginWait(ctx, time.Hour, store.LoginLimit{Key: "account:y", Max: 1}); wait == 0 {
		t.Fatalf("the recent failure was deleted")
	}
}
