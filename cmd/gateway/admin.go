package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

// cmdMigrate runs `gateway migrate`.
func cmdMigrate(ctx context.Context, args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "gateway migrate: takes no arguments\n")
		return exitUsage
	}
	a, logger, code := openApp(ctx, "migrate", e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	n, err := a.Store.Migrate(ctx, logger)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway migrate: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); the schema is current\n", n)
	return exitOK
}

// cmdCompany runs `gateway company create|set-centrex|set-language`.
func cmdCompany(ctx context.Context, args []string, e env) int {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "create":
		return cmdCompanyCreate(ctx, args, e)
	case "set-centrex":
		return cmdCompanySetCentrex(ctx, args, e)
	case "set-language":
		return cmdCompanyLanguage(ctx, args, e)
	}
	fmt.Fprintf(e.stderr, "usage: gateway company create --name NAME --admin-email EMAIL [--password-stdin]\n"+
		"       gateway company set-centrex --company NAME ... --password-stdin\n"+
		"       gateway company set-language --company NAME --lang es|en\n")
	return exitUsage
}

// cmdCompanyCreate runs `gateway company create`.
func cmdCompanyCreate(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("company create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", "", "company name, e.g. Fermax")
	email := fs.String("admin-email", "", "e-mail of the company's single administrator")
	fromStdin := fs.Bool("password-stdin", false, "read the administrator's password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	var problems []string
	if strings.TrimSpace(*name) == "" {
		problems = append(problems, "--name is required")
	}
	if !strings.Contains(*email, "@") {
		problems = append(problems, "--admin-email must be an e-mail address")
	}
	if len(problems) > 0 || fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "gateway company create: %s\n", strings.Join(append(problems, fs.Args()...), "; "))
		return exitUsage
	}
	pw, generated, err := newPassword(*fromStdin, e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company create: %v\n", err)
		return exitUsage
	}
	a, _, code := openApp(ctx, "company create", e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	st := a.Store
	hash, err := password.Hash(pw, e.passwords)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company create: %v\n", err)
		return exitFailure
	}
	c, admin, err := st.CreateCompany(ctx, *name, *email, hash)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company create: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "created company %q (id %d) with administrator %s\n", c.Name, c.ID, admin.Email)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", pw)
	}
	return exitOK
}

// cmdAdmin runs `gateway admin reset-password`.
func cmdAdmin(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] != "reset-password" {
		fmt.Fprintf(e.stderr, "usage: gateway admin reset-password --email EMAIL [--password-stdin]\n")
		return exitUsage
	}
	fs := flag.NewFlagSet("admin reset-password", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	email := fs.String("email", "", "the administrator's e-mail")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if !strings.Contains(*email, "@") || fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: --email must be an e-mail address\n")
		return exitUsage
	}
	pw, generated, err := newPassword(*fromStdin, e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: %v\n", err)
		return exitUsage
	}
	app, _, code := openApp(ctx, "admin reset-password", e, false)
	if app == nil {
		return code
	}
	defer app.Close()
	st := app.Store
	hash, err := password.Hash(pw, e.passwords)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: %v\n", err)
		return exitFailure
	}
	a, err := st.SetAdminPassword(ctx, *email, hash)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: no administrator with e-mail %s\n", store.NormalizeEmail(*email))
		return exitFailure
	} else if err != nil {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: %v\n", err)
		return exitFailure
	}
	if err := st.Audit(ctx, a.CompanyID, "operator", "admin.password_reset", map[string]string{"email": a.Email}); err != nil {
		fmt.Fprintf(e.stderr, "gateway admin reset-password: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "password of %s reset; their open sessions have ended\n", a.Email)
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", pw)
	}
	return exitOK
}

// openApp loads the configuration of a one-shot command and builds the
// gateway through app.New, as `serve` does; secretKey says the command
// seals or opens secrets, so SECRET_KEY is required. On failure it has
// already reported and returns the exit code.
func openApp(ctx context.Context, name string, e env, secretKey bool) (*app.App, *slog.Logger, int) {
	cfg, err := config.Load(e.getenv, config.ModeCLI)
	if err == nil && secretKey && len(cfg.SecretKey) == 0 {
		err = errors.New("SECRET_KEY: is required by this command (it encrypts and decrypts the Centrex password)")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: invalid configuration:\n%s\n", name, indent(err.Error()))
		return nil, nil, exitUsage
	}
	logger := newLogger(cfg, e.stderr)
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return nil, nil, exitFailure
	}
	return a, logger, exitOK
}

// newPassword reads a password from stdin, or generates one.
func newPassword(fromStdin bool, stdin io.Reader) (pw string, generated bool, err error) {
	if !fromStdin {
		return password.Generate(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if err := password.Validate(pw); err != nil {
		return "", false, err
	}
	return pw, false, nil
}
