package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/conecta-zoho/gateway/internal/devenv"
)

// cmdSimulate runs `gateway simulate zoho|xsi`: one simulator on its own,
// for evaluating the gateway against it or for load tests.
func cmdSimulate(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || (args[0] != "zoho" && args[0] != "xsi") {
		fmt.Fprintf(e.stderr, "usage: gateway simulate zoho [--addr 127.0.0.1:9001] [--client-id ID --client-secret SECRET]\n"+
			"       gateway simulate xsi [--addr 127.0.0.1:9002] [--seats N]\n")
		return exitUsage
	}
	fs := flag.NewFlagSet("simulate "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", map[string]string{"zoho": "127.0.0.1:9001", "xsi": "127.0.0.1:9002"}[args[0]], "loopback address to listen on")
	clientID := fs.String("client-id", "1000.DEVGATEWAY", "OAuth client id the Zoho simulator accepts")
	clientSecret := fs.String("client-secret", "dev-secret", "OAuth client secret the Zoho simulator accepts")
	seats := fs.Int("seats", 0, "extra seats in the simulated group (load tests)")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	var err error
	if args[0] == "zoho" {
		err = devenv.SimulateZoho(ctx, *addr, *clientID, *clientSecret, e.stdout, logger)
	} else {
		err = devenv.SimulateXsi(ctx, *addr, *seats, e.stdout, logger)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway simulate %s: %v\n", args[0], err)
		return exitFailure
	}
	return exitOK
}
