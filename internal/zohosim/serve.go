package zohosim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DemoPassword is the password of every seeded demo user.
const DemoPassword = "demo1234"

// Demo org and users created by SeedDemo.
const (
	DemoOrgName    = "Fermax"
	DemoOrgDC      = "eu"
	DemoAdminEmail = "miguel.martin@satec.es"
	DemoUserEmail  = "gema.castro@satec.es"
	DemoBulkUsers  = 450
)

// SeedDemo creates the demo org "Fermax" in the EU data centre with the
// admin miguel.martin@satec.es ("Miguel Martín Buil"), the non-admin
// gema.castro@satec.es ("Gema Castro") and DemoBulkUsers generated users
// (so users needs three pages of 200), all with DemoPassword.
func SeedDemo(s *Sim) *Org {
	o := s.AddOrg(DemoOrgName, DemoOrgDC)
	o.AddUser(DemoAdminEmail, "Miguel Martín Buil", DemoPassword, true)
	o.AddUser(DemoUserEmail, "Gema Castro", DemoPassword, false)
	o.AddUsers(DemoBulkUsers)
	return o
}

// ListenAndServe runs a seeded simulator on addr (e.g. "127.0.0.1:9090")
// until ctx is done, then shuts down gracefully. The base URL is
// http://{listen address}.
func ListenAndServe(ctx context.Context, addr string, opts Options, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("zohosim: listen: %w", err)
	}
	s := New(opts)
	s.SetBaseURL("http://" + ln.Addr().String())
	SeedDemo(s)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	logger.Info("zoho simulator listening", "base_url", s.BaseURL(), "demo_admin", DemoAdminEmail, "demo_org_dc", DemoOrgDC)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("zohosim: serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("zohosim: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("zohosim: serve: %w", err)
	}
	return nil
}
