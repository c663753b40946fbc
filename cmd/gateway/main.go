// Command gateway is the Conecta–Zoho gateway: the administrators' portal and
// the telephony bridge between BroadWorks Xsi and Zoho PhoneBridge.
//
// Run `gateway help` for the subcommands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The zone database, so that companies' time zones work in the
	// distroless image, which has none.
	_ "time/tzdata"

	"github.com/conecta-zoho/gateway/internal/password"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `Usage: gateway <command> [flags]

Commands:
  serve                              run the gateway (production)
  dev                                run the gateway with a private PostgreSQL and demo data
  dev totp [--dir .dev]              the demo operator's current TOTP code (for the console's sign-in)
  migrate                            apply pending database migrations
  company create --name NAME --admin-email EMAIL [--password-stdin]
                                     create a company and its single administrator;
                                     prints a generated password unless --password-stdin
  company set-centrex --company NAME --xsi-url URL --user USERID --group GROUP --enterprise ID
                      [--service-provider] [--directory-user SEAT] [--allow-insecure-url] --password-stdin
                                     set the company's Centrex (Xsi) connection; needs SECRET_KEY;
                                     https to a public address unless --allow-insecure-url
  seats sync --company NAME          read the company's seats from its Centrex directory
                                     and switch off in Zoho the links of seats that left
  seats import --company NAME FILE.csv
                                     replace the company's seats with a CSV file (and
                                     switch off the links of seats that left)
  company set-language --company NAME --lang es|en
                                     language of the messages sent to the company's Zoho users
  admin reset-password --email EMAIL [--password-stdin]
                                     set a new password (generated unless --password-stdin)
                                     and end the administrator's sessions
  operator create|reset-password|disable --email EMAIL [--password-stdin] [--reset-totp]
                                     the carrier's operators, who sign in to /operator/ (password + TOTP)
  apikey create|revoke --name NAME | apikey list
                                     keys of the provisioning API (/api/v1/); a new key is shown once
  status [--company NAME]            every company's integration, token, subscription, seat sync,
                                     outbox and last error, from the database
  healthcheck [--timeout 5s]         exit 0 when the server at LISTEN_ADDR is ready (/readyz)
  version                            print the version, commit and build date
  simulate zoho|xsi [--addr ADDR]    run the Zoho or the BroadWorks Xsi simulator on its own
  help                               show this text

Configuration comes from environment variables; see README.md.
`

// env is what a command may touch of the outside world, and the cost of
// the password hashes it makes (password.Default; tests make cheap ones).
type env struct {
	getenv    func(string) string
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	passwords password.Params
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		passwords: password.Default})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], e)
	case "dev":
		return cmdDev(ctx, args[1:], e)
	case "migrate":
		return cmdMigrate(ctx, args[1:], e)
	case "company":
		return cmdCompany(ctx, args[1:], e)
	case "admin":
		return cmdAdmin(ctx, args[1:], e)
	case "seats":
		return cmdSeats(ctx, args[1:], e)
	case "operator":
		return cmdOperator(ctx, args[1:], e)
	case "apikey":
		return cmdAPIKey(ctx, args[1:], e)
	case "status":
		return cmdStatus(ctx, args[1:], e)
	case "healthcheck":
		return cmdHealthcheck(ctx, args[1:], e)
	case "version", "--version":
		return cmdVersion(args[1:], e)
	case "simulate":
		return cmdSimulate(ctx, args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "gateway: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
