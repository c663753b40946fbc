package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/config"
)

// cmdServe runs `gateway serve`: production, every setting from the
// environment, no demo data, and a refusal to start on an old schema unless
// told to migrate.
func cmdServe(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving (also MIGRATE_ON_START=true)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg, err := config.Load(e.getenv, config.ModeServe)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway serve: invalid configuration:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	logger := newLogger(cfg, e.stderr)
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return exitFailure
	}
	defer a.Close()

	if *migrate || cfg.MigrateOnStart {
		if _, err := a.Store.Migrate(ctx, logger); err != nil {
			logger.Error("migration failed", "error", err)
			return exitFailure
		}
	}
	status, err := a.Store.Migrations(ctx)
	if err != nil {
		logger.Error("cannot read the schema version", "error", err)
		return exitFailure
	}
	if status.Behind() {
		logger.Error("the database schema is behind this binary: run `gateway migrate` or start with --migrate",
			"schema_version", status.Current, "latest", status.Latest)
		return exitFailure
	}
	return serve(ctx, a, cfg, logger, nil)
}

// serve runs a on cfg.ListenAddr (and its metrics on cfg.MetricsAddr, when
// set) until ctx ends or a part of it fails; ready, if given, is called
// once the listeners are open.
func serve(ctx context.Context, a *app.App, cfg config.Config, logger *slog.Logger, ready func(addr string)) int {
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.ListenAddr, "error", err)
		return exitFailure
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			logger.Error("cannot listen for the metrics", "addr", cfg.MetricsAddr, "error", err)
			return exitFailure
		}
		logger.Info("metrics and profiles listening (internal only)", "addr", metricsLn.Addr().String())
	}
	logger.Info("gateway listening", "addr", ln.Addr().String(), "build", buildinfo.Read(), "config", cfg)
	if ready != nil {
		ready(ln.Addr().String())
	}
	if err := a.Serve(ctx, ln, metricsLn); err != nil {
		logger.Error("gateway stopped", "error", err)
		return exitFailure
	}
	return exitOK
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func indent(s string) string {
	out := "  "
	for _, r := range s {
		out += string(r)
		if r == '\n' {
			out += "  "
		}
	}
	return out
}
