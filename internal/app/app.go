// Package app assembles the gateway from its parts (store, portal, and the
// telephony bridge with its outbox) and runs its HTTP server and background
// loops with timeouts and a graceful shutdown. `gateway serve`, `gateway dev` and the end-to-end tests
// all start the gateway through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/portal"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// App is one running gateway instance.
type App struct {
	cfg         config.Config
	logger      *slog.Logger
	store       *store.Store
	portal      *portal.Server
	integration *integration.Service
	seats       *seats.Service
	bridge      *bridge.Bridge
	outbox      *outbox.Worker
}

// New wires an App. The store must already be migrated.
func New(cfg config.Config, st *store.Store, logger *slog.Logger) (*App, error) {
	box, err := secretbox.New(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("app: SECRET_KEY: %w", err)
	}
	var oauth *zoho.OAuth
	if cfg.ZohoClientID != "" {
		oauth, err = zoho.NewOAuth(zoho.OAuthConfig{
			ClientID:        cfg.ZohoClientID,
			ClientSecret:    cfg.ZohoClientSecret,
			RedirectURL:     cfg.PublicURL.String() + "/zoho/callback",
			HomeAccountsURL: cfg.ZohoAccountsURL.String(),
		})
		if err != nil {
			return nil, fmt.Errorf("app: Zoho OAuth client: %w", err)
		}
	}
	integ := integration.New(integration.Options{Store: st, Box: box, OAuth: oauth, Logger: logger,
		Links: integration.StoreLinks{Store: st}})
	integ.SetBridgeURIs(bridgeURIs(cfg.PublicURL.String()))
	seatSvc := seats.New(seats.Options{Store: st, Box: box, SwitchOff: integ.SwitchOffGone, Logger: logger})
	p := portal.New(portal.Options{
		Store:              st,
		Logger:             logger,
		Integration:        integ,
		Seats:              seatSvc,
		FormActions:        []string{origin(cfg.ZohoAccountsURL)},
		PublicURL:          cfg.PublicURL,
		Dev:                cfg.Dev,
		Box:                box,
		CaptchaSolution:    cfg.DevCaptchaSolution,
		TrustProxy:         cfg.TrustProxy,
		SessionIdleTimeout: cfg.SessionIdleTimeout,
		SessionLifetime:    cfg.SessionLifetime,
	})
	br, ob := newTelephony(cfg, st, box, integ, logger)
	integ.SetChanged(func(int64) { br.WakeSubscriptions() })
	return &App{cfg: cfg, logger: logger, store: st, portal: p, integration: integ, seats: seatSvc, bridge: br, outbox: ob}, nil
}

// bridgeURIs are the telephony bridge's URLs Zoho calls for linked users.
func bridgeURIs(public string) integration.BridgeURIs {
	return integration.BridgeURIs{
		ClickToDial: public + bridge.ClickToDialPath,
		Answer:      public + bridge.CallControlPath(bridge.ActionAnswer),
		Hangup:      public + bridge.CallControlPath(bridge.ActionHangup),
		Hold:        public + bridge.CallControlPath(bridge.ActionHold),
		Unhold:      public + bridge.CallControlPath(bridge.ActionUnhold),
		Keypress:    public + bridge.CallControlPath(bridge.ActionKeypress),
	}
}

// origin is scheme://host[:port] of u.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// Handler is the gateway's whole HTTP surface: the telephony bridge under
// /bridge/ (called by Zoho and the Centrex, outside the portal's sessions
// and CSRF checks), the portal everywhere else.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/bridge/", a.bridge.Handler())
	mux.Handle("/", a.portal.Handler())
	return mux
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully:
// requests in flight get up to ten seconds to finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	janitorDone := make(chan struct{})
	go func() { defer close(janitorDone); a.janitor(ctx) }()
	defer func() { <-janitorDone }()
	telephonyDone := a.runTelephony(ctx)
	defer func() { <-telephonyDone }()
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); a.seats.RunPeriodic(ctx, a.cfg.SeatSyncInterval) }()
	defer func() { <-syncDone }()
	select {
	case err := <-errc:
		return fmt.Errorf("app: serve: %w", err)
	case <-ctx.Done():
	}
	a.logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// janitor deletes expired sessions and captchas, old login failures, and
// old events, notifications and calls every ten minutes until ctx ends.
func (a *App) janitor(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.store.DeleteExpired(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor", "error", err)
			}
			if _, err := a.store.PruneEvents(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: events", "error", err)
			}
			if _, err := a.store.PruneOutbox(ctx, time.Now().Add(-30*24*time.Hour)); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: outbox", "error", err)
			}
			if _, err := a.store.PruneCalls(ctx, time.Now().Add(-90*24*time.Hour)); err != nil && ctx.Err() == nil {
				a.logger.Warn("janitor: calls", "error", err)
			}
		}
	}
}

// Close releases what New acquired; today nothing outlives Serve.
func (a *App) Close() {}
