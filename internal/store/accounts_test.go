package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestCreateAccountConcurrentDuplicates: many creations at once with one
// Idempotency-Key, or with one external id under different keys, make one
// company; a key replayed with another body and an external id of another
// company are refused.
func TestCreateAccountConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Connect(t, testdb.URL(t), testBox(t, 3))
	key, _, err := s.CreateAPIKey(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	run := func(n int, mk func(i int) store.NewAccount) (ids map[int64]int, created int) {
		ids = map[int64]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				a, c, err := s.CreateAccount(ctx, mk(i))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("create %d: %v", i, err)
					return
				}
				ids[a.ID]++
				if c {
					created++
				}
			})
		}
		wg.Wait()
		return ids, created
	}

	byKey := func(i int) store.NewAccount {
		n := store.NewAccount{Name: "Fermax", AdminEmail: "admin@fermax.com", PasswordHash: "h"}
		n.Idempotency.APIKeyID, n.Idempotency.Key, n.Idempotency.Fingerprint = key.ID, "order-1", []byte("body")
		return n
	}
	if ids, created := run(12, byKey); len(ids) != 1 || created != 1 {
		t.Fatalf("one Idempotency-Key: companies %v, created %d; want one, created once", ids, created)
	}
	other := byKey(0)
	other.Idempotency.Fingerprint = []byte("another body")
	if _, _, err := s.CreateAccount(ctx, other); !errors.Is(err, store.ErrIdempotencyMismatch) {
		t.Fatalf("same key, other body: %v, want ErrIdempotencyMismatch", err)
	}

	byExternal := func(i int) store.NewAccount {
		n := store.NewAccount{Name: "Acme", AdminEmail: "Admin@acme.example", PasswordHash: "h", ExternalID: "ORD-77"}
		n.Idempotency.APIKeyID, n.Idempotency.Key, n.Idempotency.Fingerprint = key.ID, fmt.Sprint("k", i), []byte("b")
		return n
	}
	ids, created := run(12, byExternal)
	if len(ids) != 1 || created != 1 {
		t.Fatalf("one external id: companies %v, created %d; want one, created once", ids, created)
	}
	for id := range ids {
		a, err := s.AccountByID(ctx, id)
		if err != nil || a.ExternalID != "ORD-77" || a.AdminEmail != "admin@acme.example" || a.Off() {
			t.Fatalf("account = %+v, %v", a, err)
		}
	}
	if _, _, err := s.CreateAccount(ctx, store.NewAccount{Name: "Not Acme", AdminEmail: "x@y.example",
		PasswordHash: "h", ExternalID: "ORD-77"}); !errors.Is(err, store.ErrExternalIDTaken) {
		t.Fatalf("external id of another company: %v, want ErrExternalIDTaken", err)
	}
	if _, _, err := s.CreateAccount(ctx, store.NewAccount{Name: "fermax", AdminEmail: "x@y.example",
		PasswordHash: "h"}); !errors.Is(err, store.ErrCompanyExists) {
		t.Fatalf("name taken: %v, want ErrCompanyExists", err)
	}
	list, more, err := s.Accounts(ctx, 0, 1)
	if err != nil || len(list) != 1 || !more || list[0].Name != "Fermax" {
		t.Fatalf("first page = %+v, more %v, %v", list, more, err)
	}
	list, more, err = s.Accounts(ctx, list[0].ID, 5)
	if err != nil || len(list) != 1 || more || list[0].Name != "Acme" {
		t.Fatalf("second page = %+v, more %v, %v", list, more, err)
	}
}

// TestSwitchOffAndRetention: switching off ends the administrator's
// sessions and schedules the deletion; switching on calls it off; the
// janitor's deletion takes only companies past their date, with their data.
func TestSwitchOffAndRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Connect(t, testdb.URL(t), testBox(t, 3))
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	fermax, acme := newCompany(t, s, "Fermax"), newCompany(t, s, "Acme")
	mustSync(t, s, fermax, seat("910726329"))
	mustSync(t, s, acme, seat("910726330"))
	// Both companies have a call, a delivered notification, a queued one
	// and an event mark: deleting one deletes its own, and only those.
	for co, number := range map[int64]string{fermax: "910726329", acme: "910726330"} {
		sid := seatID(t, s, co, number+"@conecta.orange.es")
		enqueueCall(t, s, co, sid, "c1", item("ringing"))
		if err := s.InCallTx(ctx, co, func(ctx context.Context, tx store.CallTx) error {
			_, err := tx.MarkEventProcessed(ctx, "ev1")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := s.ClaimOutbox(ctx, "me", 10, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d rows, %v", len(claimed), err)
	}
	if _, err := s.FinishOutboxes(ctx, "me", []store.OutboxResult{{ID: claimed[0].ID, Delivered: true}, {ID: claimed[1].ID, Delivered: true}}); err != nil {
		t.Fatal(err)
	}
	for co, number := range map[int64]string{fermax: "910726329", acme: "910726330"} {
		enqueueCall(t, s, co, seatID(t, s, co, number+"@conecta.orange.es"), "c2", item("ringing"))
	}
	companyRows := func(co int64) (n int) {
		t.Helper()
		if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM calls WHERE company_id = $1)
			+ (SELECT count(*) FROM outbox WHERE company_id = $1)
			+ (SELECT count(*) FROM outbox_history WHERE company_id = $1)
			+ (SELECT count(*) FROM centrex_events WHERE company_id = $1)`, co).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if f, a := companyRows(fermax), companyRows(acme); f != 5 || a != 5 {
		t.Fatalf("calls, queue, history and marks: Fermax %d, Acme %d, want 5 each", f, a)
	}
	before, err := s.AdminOfCompany(ctx, fermax)
	if err != nil {
		t.Fatal(err)
	}

	a, err := s.SwitchOffCompany(ctx, fermax, 30*24*time.Hour)
	if err != nil || !a.SwitchedOffAt.Equal(now) || !a.DeleteAfter.Equal(now.Add(30*24*time.Hour)) {
		t.Fatalf("switch off = %+v, %v", a, err)
	}
	after, _ := s.AdminOfCompany(ctx, fermax)
	if after.SessionEpoch != before.SessionEpoch+1 {
		t.Fatalf("session epoch %d → %d: the administrator's sessions did not end", before.SessionEpoch, after.SessionEpoch)
	}
	now = now.Add(time.Hour)
	if a, _ := s.SwitchOffCompany(ctx, fermax, time.Hour); !a.DeleteAfter.Equal(now.Add(-time.Hour).Add(30 * 24 * time.Hour)) {
		t.Fatalf("switching off again moved the deletion to %v", a.DeleteAfter)
	}
	if ids, _ := s.CompaniesWithCentrex(ctx); len(ids) != 0 {
		t.Fatalf("periodic sync visits %v", ids)
	}
	if _, err := s.SwitchOffCompany(ctx, acme, time.Hour); err != nil {
		t.Fatal(err)
	}
	if a, err := s.SwitchOnCompany(ctx, acme); err != nil || a.Off() {
		t.Fatalf("switch on = %+v, %v", a, err)
	}

	if gone, err := s.DeleteSwitchedOff(ctx, now.Add(29*24*time.Hour)); err != nil || len(gone) != 0 {
		t.Fatalf("deleted before the date: %+v, %v", gone, err)
	}
	gone, err := s.DeleteSwitchedOff(ctx, now.Add(31*24*time.Hour))
	if err != nil || len(gone) != 1 || gone[0].ID != fermax {
		t.Fatalf("deleted %+v, %v; want Fermax", gone, err)
	}
	if _, err := s.AccountByID(ctx, fermax); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Fermax after deletion: %v", err)
	}
	var seats int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM seats WHERE company_id = $1`, fermax).Scan(&seats); err != nil || seats != 0 {
		t.Fatalf("Fermax's seats after deletion: %d, %v", seats, err)
	}
	if n := companyRows(fermax); n != 0 {
		t.Fatalf("%d calls, notifications and event marks of Fermax after its deletion", n)
	}
	if _, err := s.AccountByID(ctx, acme); err != nil {
		t.Fatalf("Acme was deleted too: %v", err)
	}
	if n := companyRows(acme); n != 5 {
		t.Fatalf("Acme's calls, notifications and marks: %d after Fermax's deletion, want 5", n)
	}
}

// TestOperatorsAndAPIKeys: operators' e-mails are unique, a TOTP step is
// good once, reset and disable end sessions; an API key opens by its value
// only until it is revoked, and its name can be given again after that;
// requests are counted per key and window.
func TestOperatorsAndAPIKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.Connect(t, testdb.URL(t), testBox(t, 3))
	now := time.Date(2026, 5, 1, 9, 0, 30, 0, time.UTC)
	s.SetClock(func() time.Time { return now })

	o, err := s.CreateOperator(ctx, " Ana@Orange.example ", "h1")
	if err != nil || o.Email != "ana@orange.example" || o.Enrolled {
		t.Fatalf("create = %+v, %v", o, err)
	}
	if _, err := s.CreateOperator(ctx, "ana@orange.example", "h"); !errors.Is(err, store.ErrOperatorExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := s.OperatorPendingTOTP(ctx, o.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pending secret before any: %v", err)
	}
	for _, sec := range []string{"FIRSTSECRET", "JBSWY3DPEHPK3PXP"} {
		if err := s.SetOperatorPendingTOTP(ctx, o.ID, sec); err != nil {
			t.Fatal(err)
		}
	}
	if sec, err := s.OperatorPendingTOTP(ctx, o.ID); err != nil || sec != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("pending secret = %q, %v; want the later one", sec, err)
	}
	if err := s.EnrollOperatorTOTP(ctx, o.ID, "JBSWY3DPEHPK3PXP", 100); err != nil {
		t.Fatal(err)
	}
	if err := s.EnrollOperatorTOTP(ctx, o.ID, "OTHER", 100); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second enrolment: %v", err)
	}
	if err := s.SetOperatorPendingTOTP(ctx, o.ID, "OTHER"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a pending secret after the enrolment: %v", err)
	}
	if _, err := s.OperatorPendingTOTP(ctx, o.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pending secret after the enrolment: %v", err)
	}
	if sec, err := s.OperatorTOTPSecret(ctx, o.ID); err != nil || sec != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("secret = %q, %v", sec, err)
	}
	for _, c := range []struct {
		step int64
		ok   bool
	}{{100, false}, {99, false}, {101, true}, {101, false}} {
		if ok, err := s.UseTOTPStep(ctx, o.ID, c.step); err != nil || ok != c.ok {
			t.Fatalf("use step %d = %v, %v; want %v", c.step, ok, err, c.ok)
		}
	}
	d, err := s.DisableOperator(ctx, o.Email)
	if err != nil || !d.Disabled || d.SessionEpoch != o.SessionEpoch+1 {
		t.Fatalf("disable = %+v, %v", d, err)
	}
	r, err := s.SetOperatorPassword(ctx, o.Email, "h2", true)
	if err != nil || r.Disabled || r.Enrolled || r.SessionEpoch != d.SessionEpoch+1 || r.PasswordHash != "h2" {
		t.Fatalf("reset = %+v, %v", r, err)
	}

	k, secret, err := s.CreateAPIKey(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateAPIKey(ctx, "orders"); !errors.Is(err, store.ErrAPIKeyExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if got, err := s.APIKeyByKey(ctx, secret); err != nil || got.ID != k.ID || !got.LastUsedAt.Equal(now) {
		t.Fatalf("by key = %+v, %v", got, err)
	}
	if _, err := s.APIKeyByKey(ctx, secret+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("wrong key: %v", err)
	}
	for i := 1; i <= 3; i++ {
		if n, left, err := s.CountAPIRequest(ctx, k.ID, time.Minute); err != nil || n != i || left != 30*time.Second {
			t.Fatalf("count %d = %d, %v, %v", i, n, left, err)
		}
	}
	now = now.Add(time.Minute)
	if n, _, _ := s.CountAPIRequest(ctx, k.ID, time.Minute); n != 1 {
		t.Fatalf("next window starts at %d", n)
	}
	if _, err := s.RevokeAPIKey(ctx, "orders"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKeyByKey(ctx, secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked key opens: %v", err)
	}
	if _, _, err := s.CreateAPIKey(ctx, "orders"); err != nil {
		t.Fatalf("name after revoke: %v", err)
	}
	if err := s.PruneAPI(ctx, now.Add(time.Hour), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}
