// Package devenv is what `gateway dev` (and so `make run`) brings up around
// the gateway on a developer's machine: a private PostgreSQL cluster when
// DATABASE_URL is unset, a generated SECRET_KEY kept across runs, and the
// demo company "Fermax" with its administrator, and a demo operator of the
// console, enrolled with a TOTP key kept there too.
//
// Everything it keeps lives under one git-ignored folder (.dev/ by default).
package devenv

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/pgcluster"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Demo company and administrator, as in the user guide, and the demo
// operator of the carrier's console.
const (
	DemoCompany       = "Fermax"
	DemoAdminEmail    = "admin@fermax.com"
	DemoOperatorEmail = "operador@orange.example"
)

// Env is the running development environment.
type Env struct {
	dir     string
	cluster *pgcluster.Cluster
	// StartedPostgres is true when Env started its own cluster.
	StartedPostgres bool
}

// Prepare fills in what cfg lacks: DATABASE_URL (a private cluster under
// dir/postgres) and SECRET_KEY (generated once into dir/secret_key).
func Prepare(ctx context.Context, dir string, cfg *config.Config) (*Env, error) {
	// The folder must be traversable by the postgres user when we are root.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("devenv: %w", err)
	}
	e := &Env{dir: dir}
	if len(cfg.SecretKey) == 0 {
		key, err := e.secretKey()
		if err != nil {
			return nil, err
		}
		cfg.SecretKey = key
	}
	if cfg.DatabaseURL == "" {
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dir, "postgres")})
		if err != nil {
			return nil, fmt.Errorf("devenv: %w", err)
		}
		e.cluster, e.StartedPostgres = c, true
		cfg.DatabaseURL = c.URL("postgres")
	}
	return e, nil
}

// Close stops the private cluster, if one was started.
func (e *Env) Close() error {
	if e.cluster == nil {
		return nil
	}
	return e.cluster.Stop()
}

// Seed makes sure the demo company and its administrator exist, with the
// password kept in dir/admin_password (generated on first run), and returns
// that password.
func (e *Env) Seed(ctx context.Context, st *store.Store) (string, error) {
	pw, err := e.keep("admin_password", password.Generate)
	if err != nil {
		return "", err
	}
	if a, err := st.AdminByEmail(ctx, DemoAdminEmail); err == nil {
		// Already there: make sure the kept password still opens it, without
		// touching it (a reset would end the sessions a restart must keep).
		if ok, _ := password.Check(pw, a.PasswordHash); ok {
			return pw, nil
		}
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return "", err
	}
	_, _, err = st.CreateCompany(ctx, DemoCompany, DemoAdminEmail, hash)
	if errors.Is(err, store.ErrCompanyExists) || errors.Is(err, store.ErrAdminEmailTaken) {
		_, err = st.SetAdminPassword(ctx, DemoAdminEmail, hash)
	}
	if err != nil {
		return "", fmt.Errorf("devenv: seed %s: %w", DemoCompany, err)
	}
	return pw, nil
}

// DemoOperator is the demo operator's sign-in: their password and the TOTP
// key they are enrolled with.
type DemoOperator struct {
	Email, Password, TOTPKey string
	// Yours is true when the operator enrolled with a key of their own
	// (an authenticator app) rather than the kept one.
	Yours bool
}

// SeedOperator makes sure the demo operator exists, with the password kept
// in dir/operator_password and enrolled with the TOTP key kept in
// dir/operator_totp (both generated on first run), so that `make run`
// can say how to sign in and `gateway dev totp` can tell the current code.
// An operator who enrolled with another key (after `gateway operator
// reset-password --reset-totp`, at the console's QR code) keeps it.
func (e *Env) SeedOperator(ctx context.Context, st *store.Store) (DemoOperator, error) {
	d := DemoOperator{Email: DemoOperatorEmail}
	var err error
	if d.Password, err = e.keep("operator_password", password.Generate); err != nil {
		return d, err
	}
	if d.TOTPKey, err = e.keep("operator_totp", newTOTPKey); err != nil {
		return d, err
	}
	o, err := st.OperatorByEmail(ctx, DemoOperatorEmail)
	if errors.Is(err, store.ErrNotFound) || err == nil && !passwordOpens(d.Password, o.PasswordHash) {
		hash, herr := password.Hash(d.Password, password.Default)
		if herr != nil {
			return d, herr
		}
		if err == nil {
			o, err = st.SetOperatorPassword(ctx, DemoOperatorEmail, hash, false)
		} else {
			o, err = st.CreateOperator(ctx, DemoOperatorEmail, hash)
		}
	}
	if err != nil {
		return d, fmt.Errorf("devenv: seed the demo operator: %w", err)
	}
	if !o.Enrolled {
		if err := st.EnrollOperatorTOTP(ctx, o.ID, d.TOTPKey, 0); err != nil {
			return d, fmt.Errorf("devenv: enrol the demo operator: %w", err)
		}
		return d, nil
	}
	key, err := st.OperatorTOTPSecret(ctx, o.ID)
	if err != nil {
		return d, fmt.Errorf("devenv: the demo operator's TOTP key: %w", err)
	}
	d.Yours = key != d.TOTPKey
	return d, nil
}

// DemoOperatorCode is the demo operator's TOTP code at t, from the key
// kept in dir/operator_totp (`gateway dev totp`).
func DemoOperatorCode(dir string, t time.Time) (string, error) {
	key, err := os.ReadFile(filepath.Join(dir, "operator_totp"))
	if err != nil {
		return "", fmt.Errorf("devenv: %w (run `gateway dev` once first)", err)
	}
	return totp.GenerateCode(strings.TrimSpace(string(key)), t)
}

// newTOTPKey is a new TOTP key: 160 random bits in base32, as
// authenticator apps take it.
func newTOTPKey() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

func passwordOpens(pw, hash string) bool {
	ok, _ := password.Check(pw, hash)
	return ok
}

func (e *Env) secretKey() ([]byte, error) {
	s, err := e.keep("secret_key", func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	})
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("devenv: %s is not 32 bytes of base64; delete it to get a new key", filepath.Join(e.dir, "secret_key"))
	}
	return key, nil
}

// keep returns the value stored in dir/name, creating it with make first.
func (e *Env) keep(name string, make func() string) (string, error) {
	path := filepath.Join(e.dir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("devenv: %w", err)
	}
	v := make()
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("devenv: %w", err)
	}
	return v, nil
}
