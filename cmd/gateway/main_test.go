package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type result struct {
	code           int
	stdout, stderr string
}

func gateway(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{
		getenv:    func(k string) string { return vars[k] },
		stdin:     strings.NewReader(stdin),
		stdout:    &out,
		stderr:    &errOut,
		passwords: password.Params{Memory: 1024, Time: 1, Threads: 1},
	})
	return result{code, out.String(), errOut.String()}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	if r := gateway(t, nil, ""); r.code != exitUsage || !strings.Contains(r.stderr, "Usage: gateway") {
		t.Errorf("no args: %+v", r)
	}
	if r := gateway(t, nil, "", "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
	if r := gateway(t, nil, "", "help"); r.code != exitOK || !strings.Contains(r.stdout, "company create") {
		t.Errorf("help: %+v", r)
	}
}

func TestServeRefusesWithoutSecretKey(t *testing.T) {
	t.Parallel()
	r := gateway(t, map[string]string{"DATABASE_URL": "postgres://x/y", "PUBLIC_URL": "https://gw.example.com"}, "", "serve")
	if r.code != exitUsage || !strings.Contains(r.stderr, "SECRET_KEY: is required") {
		t.Fatalf("serve without SECRET_KEY: %+v", r)
	}
}

func TestServeRefusesDevCaptcha(t *testing.T) {
	t.Parallel()
	r := gateway(t, map[string]string{"DEV_CAPTCHA_SOLUTION": "123456"}, "", "serve")
	if r.code != exitUsage || !strings.Contains(r.stderr, "DEV_CAPTCHA_SOLUTION") {
		t.Fatalf("serve with DEV_CAPTCHA_SOLUTION: %+v", r)
	}
}

func TestServeRefusesOldSchema(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	st := testdb.Connect(t, url, nil)
	if _, err := st.Pool().Exec(context.Background(), `DELETE FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	r := gateway(t, map[string]string{
		"DATABASE_URL": url, "PUBLIC_URL": "https://gw.example.com",
		"SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "LISTEN_ADDR": "127.0.0.1:0",
	}, "", "serve")
	if r.code != exitFailure || !strings.Contains(r.stderr, "schema is behind") {
		t.Fatalf("serve on an old schema: %+v", r)
	}
}

func TestCompanyAndAdminCommands(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}

	r := gateway(t, vars, "", "migrate")
	if r.code != exitOK || !strings.Contains(r.stdout, "schema is current") {
		t.Fatalf("migrate: %+v", r)
	}
	r = gateway(t, vars, "", "company", "create", "--name", "Fermax", "--admin-email", "Admin@Fermax.com")
	if r.code != exitOK || !strings.Contains(r.stdout, "administrator admin@fermax.com") {
		t.Fatalf("company create: %+v", r)
	}
	generated := strings.TrimSpace(strings.TrimPrefix(r.stdout[strings.Index(r.stdout, "password: "):], "password: "))

	st := testdb.Connect(t, url, nil)
	a, err := st.AdminByEmail(context.Background(), "admin@fermax.com")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := password.Check(generated, a.PasswordHash); !ok {
		t.Fatalf("the printed password %q does not open the account", generated)
	}

	r = gateway(t, vars, "", "company", "create", "--name", "fermax", "--admin-email", "other@x.com")
	if r.code != exitFailure || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("duplicate company: %+v", r)
	}
	r = gateway(t, vars, "", "company", "create", "--name", "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--name is required") {
		t.Errorf("missing flags: %+v", r)
	}

	r = gateway(t, vars, "short\n", "admin", "reset-password", "--email", "admin@fermax.com", "--password-stdin")
	if r.code != exitUsage || !strings.Contains(r.stderr, "at least 12 characters") {
		t.Errorf("short password: %+v", r)
	}
	r = gateway(t, vars, "a brand new password\n", "admin", "reset-password", "--email", "ADMIN@fermax.com", "--password-stdin")
	if r.code != exitOK || strings.Contains(r.stdout, "password:") {
		t.Fatalf("reset from stdin: %+v", r)
	}
	b, _ := st.AdminByEmail(context.Background(), "admin@fermax.com")
	if ok, _ := password.Check("a brand new password", b.PasswordHash); !ok || b.SessionEpoch != a.SessionEpoch+1 {
		t.Fatalf("after reset: epoch %d→%d, password ok %v", a.SessionEpoch, b.SessionEpoch, ok)
	}
	r = gateway(t, vars, "", "admin", "reset-password", "--email", "nobody@x.com")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no administrator") {
		t.Errorf("reset unknown: %+v", r)
	}
}

func TestSimulateUsage(t *testing.T) {
	t.Parallel()
	if r := gateway(t, nil, "", "simulate", "pbx"); r.code != exitUsage || !strings.Contains(r.stderr, "gateway simulate zoho") {
		t.Errorf("simulate pbx: %+v", r)
	}
	if r := gateway(t, nil, "", "simulate", "zoho", "--addr", "not-an-address"); r.code != exitFailure {
		t.Errorf("simulate on a bad address: %+v", r)
	}
}

func TestCompanySetLanguage(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}
	if r := gateway(t, vars, "", "company", "create", "--name", "Fermax", "--admin-email", "admin@fermax.com"); r.code != exitOK {
		t.Fatalf("create: %+v", r)
	}
	if r := gateway(t, vars, "", "company", "set-language", "--company", "fermax", "--lang", "en"); r.code != exitOK || !strings.Contains(r.stdout, "English") {
		t.Fatalf("set-language: %+v", r)
	}
	st := testdb.Connect(t, url, nil)
	c, _ := st.CompanyByName(context.Background(), "Fermax")
	if lang, _ := st.CompanyLanguage(context.Background(), c.ID); lang != "en" {
		t.Fatalf("language = %q", lang)
	}
	if r := gateway(t, vars, "", "company", "set-language", "--company", "fermax", "--lang", "fr"); r.code != exitUsage {
		t.Errorf("fr accepted: %+v", r)
	}
	if r := gateway(t, vars, "", "company", "set-language", "--company", "nobody", "--lang", "es"); r.code != exitFailure {
		t.Errorf("unknown company: %+v", r)
	}
}
