package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/devenv"
	"github.com/conecta-zoho/gateway/internal/store"
)

// cmdDev runs `gateway dev` (what `make run` runs): the whole product on one
// machine with nothing to configure. `gateway dev totp` prints the demo
// operator's current TOTP code.
func cmdDev(ctx context.Context, args []string, e env) int {
	if len(args) > 0 && args[0] == "totp" {
		return cmdDevTOTP(args[1:], e)
	}
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", ".dev", "folder for the private PostgreSQL cluster and the generated secrets")
	events := fs.String("events", "", "how the demo company's call events arrive: http or channel (default: as last time, http at first)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *events != "" && *events != store.EventsHTTP && *events != store.EventsChannel {
		fmt.Fprintf(e.stderr, "gateway dev: --events must be http or channel, not %q\n", *events)
		return exitUsage
	}
	cfg, err := config.Load(e.getenv, config.ModeDev)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway dev: invalid configuration:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	logger := newLogger(cfg, e.stderr)

	denv, err := devenv.Prepare(ctx, *dir, &cfg)
	if err != nil {
		logger.Error("cannot prepare the development environment", "error", err)
		return exitFailure
	}
	defer func() {
		if err := denv.Close(); err != nil {
			logger.Error("stopping PostgreSQL", "error", err)
		} else if denv.StartedPostgres {
			logger.Info("private PostgreSQL stopped")
		}
	}()
	if denv.StartedPostgres {
		logger.Info("private PostgreSQL started", "dir", *dir+"/postgres")
	}

	var zsim *devenv.ZohoSim
	if !cfg.ZohoAccountsURLSet {
		if zsim, err = devenv.StartZohoSim(ctx, &cfg, logger); err != nil {
			logger.Error("cannot start the Zoho simulator", "error", err)
			return exitFailure
		}
		defer zsim.Close()
	}

	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return exitFailure
	}
	defer a.Close()
	st := a.Store
	if _, err := st.Migrate(ctx, logger); err != nil {
		logger.Error("migration failed", "error", err)
		return exitFailure
	}
	if zsim != nil {
		if n, err := devenv.ForgetSimulatedIntegrations(ctx, st); err != nil {
			logger.Error("cannot reset simulated integrations", "error", err)
			return exitFailure
		} else if n > 0 {
			logger.Info("Zoho integrations of a previous run were disabled: the simulator starts empty", "companies", n)
		}
	}
	pw, err := denv.Seed(ctx, st)
	if err != nil {
		logger.Error("cannot seed the demo data", "error", err)
		return exitFailure
	}
	op, err := denv.SeedOperator(ctx, st)
	if err != nil {
		logger.Error("cannot seed the demo operator", "error", err)
		return exitFailure
	}
	var xsim *devenv.XsiSim
	if need, err := devenv.NeedsXsiSim(ctx, st); err != nil {
		logger.Error("cannot read the demo company's Centrex connection", "error", err)
		return exitFailure
	} else if need {
		if xsim, err = devenv.StartXsiSim(ctx, st, logger); err != nil {
			logger.Error("cannot start the Xsi simulator", "error", err)
			return exitFailure
		}
		defer xsim.Close()
	}
	if *events != "" {
		if err := devenv.SetEvents(ctx, st, *events); err != nil {
			logger.Error("cannot set how the demo company's call events arrive", "error", err)
			return exitFailure
		}
	}
	mode, err := devenv.Events(ctx, st)
	if err != nil {
		logger.Error("cannot read the demo company's Centrex connection", "error", err)
		return exitFailure
	}
	return serve(ctx, a, cfg, logger, func(addr string) {
		fmt.Fprintf(e.stdout, "\n  Conecta–Zoho gateway (dev mode) is ready.\n\n"+
			"  Open:      %s/\n"+
			"  Log in as: %s\n"+
			"  Password:  %s\n", cfg.PublicURL, devenv.DemoAdminEmail, pw)
		fmt.Fprintf(e.stdout, "\n  Operator console: %s/operator/\n"+
			"    sign in as %s / %s, then a TOTP code:\n", cfg.PublicURL, op.Email, op.Password)
		if op.Yours {
			fmt.Fprintf(e.stdout, "    the one of your authenticator app (it enrolled with its own key)\n")
		} else {
			totpCmd := "bin/gateway dev totp"
			if *dir != ".dev" {
				totpCmd += " --dir " + *dir
			}
			fmt.Fprintf(e.stdout, "    `%s` prints the current one, or add the key %s to an authenticator app\n",
				totpCmd, op.TOTPKey)
		}
		if zsim != nil {
			fmt.Fprintf(e.stdout, "\n%s", zsim.Describe())
		}
		if xsim != nil {
			fmt.Fprintf(e.stdout, "%s", xsim.Describe())
		}
		fmt.Fprintf(e.stdout, "  Call events: %s (gateway dev --events http|channel, or make run EVENTS=…)\n", mode)
		if cfg.DevCaptchaSolution != "" {
			fmt.Fprintf(e.stdout, "  Captcha:   fixed to %s (DEV_CAPTCHA_SOLUTION)\n", cfg.DevCaptchaSolution)
		}
		fmt.Fprintf(e.stdout, "\n  Ctrl-C stops the gateway and its private PostgreSQL.\n\n")
	})
}

// cmdDevTOTP runs `gateway dev totp [--dir .dev]`: the demo operator's
// current TOTP code, from the key `gateway dev` keeps.
func cmdDevTOTP(args []string, e env) int {
	fs := flag.NewFlagSet("dev totp", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", ".dev", "the folder `gateway dev` keeps its secrets in")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	code, err := devenv.DemoOperatorCode(*dir, time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway dev totp: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, code)
	return exitOK
}
