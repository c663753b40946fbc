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
	st, logger, code := openForCLI(ctx, "migrate", e)
	if st == nil {
		return code
	}
	defer st.Close()
	n, err := st.Migrate(ctx, logger)
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
	st, _, code := openForCLI(ctx, "company create", e)
	if st == nil {
		return code
	}
	defer st.Close()
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company create: %v\n", err)
		return exitFailure
	}
	c, a, err := st.CreateCompany(ctx, *name, *email, hash)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company create: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "created company %q (id %d) with administrator %s\n", c.Name, c.ID, a.Email)
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
	st, _, code := openForCLI(ctx, "admin reset-password", e)
	if st == nil {
		return code
	}
	defer st.Close()
	hash, err := password.Hash(pw, password.Default)
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

// openForCLI loads the configuration of a one-shot command and opens the
// store; on failure it has already reported and returns the exit code.
func openForCLI(ctx context.Context, name string, e env) (*store.Store, *slog.Logger, int) {
	cfg, err := config.Load(e.getenv, config.ModeCLI)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: invalid configuration:\n%s\n", name, indent(err.Error()))
		return nil, nil, exitUsage
	}
	logger := newLogger(cfg, e.stderr)
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return nil, nil, exitFailure
	}
	return st, logger, exitOK
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
