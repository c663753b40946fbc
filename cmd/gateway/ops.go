package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
)

// cmdVersion runs `gateway version`: the build's version, commit and date.
func cmdVersion(args []string, e env) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "gateway version: takes no arguments\n")
		return exitUsage
	}
	fmt.Fprintln(e.stdout, buildinfo.Read())
	return exitOK
}

// cmdHealthcheck runs `gateway healthcheck`: exit 0 when the server at
// LISTEN_ADDR (on this machine) answers /readyz with 200, 1 otherwise. It
// is the Dockerfile's HEALTHCHECK: distroless has no shell or curl.
func cmdHealthcheck(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	addr, err := config.ListenAddr(e.getenv, config.ModeServe)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway healthcheck: invalid configuration: %v\n", err)
		return exitUsage
	}
	url := "http://" + localAddr(addr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway healthcheck: %v\n", err)
		return exitUsage
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway healthcheck: %s: %v\n", url, err)
		return exitFailure
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(e.stderr, "gateway healthcheck: %s: %s: %s\n", url, resp.Status, strings.TrimSpace(string(body)))
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", url, strings.TrimSpace(string(body)))
	return exitOK
}

// localAddr turns a listen address into one to connect to on this machine:
// an unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") is loopback.
func localAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

const statusUsage = `usage: gateway status [--company NAME]
       every company's Zoho integration, access token, Centrex subscription, last seat sync,
       outbox (pending, parked, oldest pending) and last error, from the database;
       with --company, that company in detail`

// cmdStatus runs `gateway status`.
func cmdStatus(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, statusUsage) }
	company := fs.String("company", "", "show this company only, in detail")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, statusUsage)
		return exitUsage
	}
	a, _, code := openApp(ctx, "status", e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	cs, err := a.Status.Companies(ctx, strings.TrimSpace(*company))
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway status: no company named %q\n", *company)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway status: %v\n", err)
		return exitFailure
	}
	if *company != "" {
		printCompany(e.stdout, cs[0])
		return exitOK
	}
	if len(cs) == 0 {
		fmt.Fprintln(e.stdout, "no companies yet: gateway company create --name NAME --admin-email EMAIL")
		return exitOK
	}
	printTable(e.stdout, cs)
	return exitOK
}

// maxErrorChars is how much of the last error the table shows, in
// characters.
const maxErrorChars = 60

// printTable prints one line per company.
func printTable(w io.Writer, cs []status.Company) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPANY\tZOHO\tTOKEN\tSUBSCRIPTION\tSEATS SYNCED\tPENDING\tPARKED\tOLDEST PENDING\tLAST ERROR")
	for _, c := range cs {
		// The last error is cut to keep the line short (--company shows it whole).
		lastError := cmp.Or(c.LastError, "-")
		if utf8.RuneCountInString(lastError) > maxErrorChars {
			lastError = chars.Truncate(lastError, maxErrorChars-1) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", c.Name, c.Integration, c.Token, c.SubscriptionState,
			when(c.SeatSync.SyncedAt), c.OutboxPending, c.OutboxParked, age(c.OldestPendingAge), lastError)
	}
	tw.Flush()
}

// printCompany prints one company in detail.
func printCompany(w io.Writer, c status.Company) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t"+format+"\n", append([]any{k}, args...)...)
	}
	fmt.Fprintf(tw, "%s (id %d)\n", c.Name, c.CompanyID)
	row("Zoho integration:", "%s%s", c.Integration, suffix(" (last error: %s)", c.IntegrationError))
	switch c.Token {
	case status.TokenValid:
		row("Access token:", "valid until %s (refreshed %s)", when(c.AccessExpiresAt), when(c.RefreshedAt))
	case status.TokenExpired:
		row("Access token:", "expired %s; refreshed on the next call to Zoho", when(c.AccessExpiresAt))
	default:
		row("Access token:", "%s", c.Token)
	}
	centrex := "no connection (gateway company set-centrex)"
	if c.HasCentrex {
		centrex = "connected"
	}
	row("Centrex:", "%s", centrex)
	sub := c.Subscription
	switch c.SubscriptionState {
	case status.SubscriptionActive:
		row("Subscription:", "active, %s, renewed %s, expires %s", sub.SubscriptionID, when(sub.RenewedAt), when(sub.ExpiresAt))
	case status.SubscriptionFailing:
		row("Subscription:", "failing: %s", sub.LastError)
	case status.SubscriptionNone:
		row("Subscription:", "none yet (a running gateway subscribes within a minute)")
	default:
		row("Subscription:", "off (needs a Centrex connection and an enabled integration)")
	}
	if c.SeatSync.SyncedAt.IsZero() {
		row("Seats:", "never synced")
	} else {
		row("Seats:", "synced %s from the %s (%d present, %d gone)", when(c.SeatSync.SyncedAt), c.SeatSync.Source,
			c.SeatSync.Present, c.SeatSync.Gone)
	}
	row("Outbox:", "%d pending (oldest %s), %d parked%s", c.OutboxPending, age(c.OldestPendingAge), c.OutboxParked,
		suffix("; last error: %s", c.OutboxError))
	row("Last error:", "%s", cmp.Or(c.LastError, "none"))
	tw.Flush()
}

// when prints a time in UTC, "never" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// age prints a wait to the second, "-" for none.
func age(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return d.Round(time.Second).String()
}

func suffix(format, v string) string {
	if v == "" {
		return ""
	}
	return fmt.Sprintf(format, v)
}
