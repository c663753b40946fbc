package main

import (
	"context"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestOperatorCommands: create prints a generated password once, a second
// create is refused, reset-password ends the sessions (and with
// --reset-totp forgets the enrolment), disable stops sign-in; each is in
// the operator audit log.
func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}
	r := gateway(t, vars, "", "operator", "create", "--email", "Ana@Orange.example")
	if r.code != exitOK || !strings.Contains(r.stdout, "created operator ana@orange.example") || !strings.Contains(r.stdout, "password: ") {
		t.Fatalf("create: %+v", r)
	}
	if r := gateway(t, vars, "", "operator", "create", "--email", "ana@orange.example"); r.code != exitFailure {
		t.Fatalf("second create: %+v", r)
	}
	st := testdb.Connect(t, url, nil)
	ctx := context.Background()
	before, _ := st.OperatorByEmail(ctx, "ana@orange.example")
	if r := gateway(t, vars, "a new password 123\n", "operator", "reset-password", "--email", "ana@orange.example",
		"--password-stdin", "--reset-totp"); r.code != exitOK || strings.Contains(r.stdout, "password: ") || !strings.Contains(r.stdout, "enroll again") {
		t.Fatalf("reset: %+v", r)
	}
	after, _ := st.OperatorByEmail(ctx, "ana@orange.example")
	if after.SessionEpoch != before.SessionEpoch+1 || after.PasswordHash == before.PasswordHash {
		t.Fatalf("after reset: %+v", after)
	}
	if r := gateway(t, vars, "", "operator", "disable", "--email", "ana@orange.example"); r.code != exitOK {
		t.Fatalf("disable: %+v", r)
	}
	if o, _ := st.OperatorByEmail(ctx, "ana@orange.example"); !o.Disabled {
		t.Fatal("not disabled")
	}
	if r := gateway(t, vars, "", "operator", "disable", "--email", "nobody@orange.example"); r.code != exitFailure || !strings.Contains(r.stderr, "no operator") {
		t.Fatalf("unknown operator: %+v", r)
	}
	if r := gateway(t, vars, "", "operator", "create", "--email", "x"); r.code != exitUsage {
		t.Fatalf("bad e-mail: %+v", r)
	}
	log, _ := st.OperatorAuditLog(ctx, 0, 10)
	if len(log) != 3 || log[0].Action != "operator.disabled" || log[2].Action != "operator.created" {
		t.Fatalf("operator audit = %+v", log)
	}
}

// TestAPIKeyCommands: create shows a key once that opens, list shows the
// names and never a key, revoke closes it.
func TestAPIKeyCommands(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}
	r := gateway(t, vars, "", "apikey", "create", "--name", "orders")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != exitOK || len(lines) != 2 || !strings.HasPrefix(lines[1], "czk_") {
		t.Fatalf("create: %+v", r)
	}
	key := lines[1]
	st := testdb.Connect(t, url, nil)
	if k, err := st.APIKeyByKey(context.Background(), key); err != nil || k.Name != "orders" {
		t.Fatalf("the printed key does not open: %+v, %v", k, err)
	}
	if r := gateway(t, vars, "", "apikey", "list"); r.code != exitOK || !strings.Contains(r.stdout, "orders") || strings.Contains(r.stdout, key) {
		t.Fatalf("list: %+v", r)
	}
	if r := gateway(t, vars, "", "apikey", "create", "--name", "Bad Name"); r.code != exitUsage {
		t.Fatalf("bad name: %+v", r)
	}
	if r := gateway(t, vars, "", "apikey", "revoke", "--name", "orders"); r.code != exitOK {
		t.Fatalf("revoke: %+v", r)
	}
	if _, err := st.APIKeyByKey(context.Background(), key); err == nil {
		t.Fatal("a revoked key opens")
	}
	if r := gateway(t, vars, "", "apikey", "revoke", "--name", "orders"); r.code != exitFailure {
		t.Fatalf("revoke twice: %+v", r)
	}
}
