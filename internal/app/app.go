// Package app builds the gateway from its configuration and runs it.
//
// New is the one constructor: `gateway serve`, `gateway dev`, every CLI
// command (`seats sync`, `seats import`, `company set-centrex`, …), the
// end-to-end tests and the benchmark's gateway process all build the
// gateway through it, so a command works on the same services, wired the
// same way, as the server does. It opens the store (the one owner of the
// secrets at rest, with SECRET_KEY) and builds the portal and the operator
// console (over one login gate), the provisioning API and the provision
// service, the Zoho integration, the seats service, the call use case, the
// telephony bridge, the subscription manager and the outbox; Close closes
// the store.
//
// Serve runs the HTTP server, the internal metrics listener when there is
// one, and every background loop (outbox delivery, subscriptions and event
// channels, the sweeper, the recovery of calls after a gap, the periodic
// seat sync, the janitor, the cache lease) in one errgroup: the first to fail cancels the
// others, and Serve returns its error once they all stopped (requests in
// flight get up to ten seconds).
//
// Observability is wired here too: one *metrics.Metrics per App, handed to
// the parts that count (the bridge, the outbox, the integration, the
// portal) and wrapped around the HTTP clients that talk to Zoho and the
// Centrex; the database gauges read through the status service; one access
// log (internal/accesslog) around the portal and the bridge alike; and a
// logger that adds the request id to whatever is logged with a request's
// context.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/sync/errgroup"

	"github.com/conecta-zoho/gateway/internal/accesslog"
	"github.com/conecta-zoho/gateway/internal/api"
	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/operator"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/portal"
	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// App is one gateway instance: its store and services. The exported
// services are what the CLI commands use.
type App struct {
	// Store is the database, opened by New and closed by Close.
	Store *store.Store
	// Integration runs the Zoho integration's operations.
	Integration *integration.Service
	// Seats synchronises and imports seats, and reconciles gone ones.
	Seats *seats.Service
	// Status reads every company's state from the database (`gateway
	// status`, the database gauges of the metrics).
	Status *status.Service
	// Metrics is this instance's registry and collectors.
	Metrics *metrics.Metrics
	// Provision is what the carrier does to companies: the command line,
	// the operator console and the provisioning API all go through it.
	Provision *provision.Service

	cfg    config.Config
	logger *slog.Logger
	portal *portal.Server
	tables *seattable.Tables // the seat tables' copies in memory
	// console is the operator console (internal/operator).
	console *operator.Server
	bridge  *bridge.Bridge
	subs    *subscriptions.Manager
	api     *api.Server
	loops   []loop
}

// loop is one background loop Serve runs: run returns nil once ctx ended,
// and an error only for a failure the gateway cannot go on with.
type loop struct {
	name string
	run  func(ctx context.Context) error
}

// New opens the store at cfg.DatabaseURL and wires every service. It does
// not touch the schema: `serve` checks it, `migrate` applies it. Without
// SECRET_KEY the store opens, and what needs a secret fails with
// store.ErrNoSecretKey. What is logged with a request's context carries
// the request's id.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	logger = slog.New(accesslog.WithRequestID(logger.Handler()))
	m := metrics.New(buildinfo.Read())
	// Every request to Zoho and to a Centrex is counted and timed.
	zohoTransport := m.ZohoTransport(nil, zoho.Endpoint)
	xsiTransport := m.XsiTransport(nil, xsi.Operation)
	var box *secretbox.Box
	if len(cfg.SecretKey) > 0 {
		var err error
		if box, err = secretbox.New(cfg.SecretKey); err != nil {
			return nil, fmt.Errorf("app: SECRET_KEY: %w", err)
		}
	}
	var oauth *zoho.OAuth
	if cfg.ZohoClientID != "" {
		var err error
		oauth, err = zoho.NewOAuth(zoho.OAuthConfig{
			ClientID:        cfg.ZohoClientID,
			ClientSecret:    cfg.ZohoClientSecret,
			ClientSecrets:   cfg.ZohoClientSecrets,
			RedirectURL:     publicURL(cfg) + "/zoho/callback",
			HomeAccountsURL: cfg.ZohoAccountsURL.String(),
			HTTPClient:      &http.Client{Timeout: 30 * time.Second, Transport: zohoTransport},
		})
		if err != nil {
			return nil, fmt.Errorf("app: Zoho OAuth client: %w", err)
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, box)
	if err != nil {
		return nil, err
	}
	instance := store.InstanceID()
	wake := subscriptions.NewWake()
	integ := integration.New(integration.Options{
		Store:         st,
		OAuth:         oauth,
		Links:         integration.StoreLinks{Store: st},
		URIs:          zohoapi.URIsFor(publicURL(cfg)),
		Logger:        logger,
		Subscriptions: wake,
		HTTP:          &http.Client{Timeout: 20 * time.Second, Transport: zohoTransport},
		Metrics:       m,
	})
	seatSvc := seats.New(seats.Options{
		Store:      st,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: xsiTransport},
		SwitchOff:  integ.SwitchOffGone,
		Interval:   cfg.SeatSyncInterval,
		Instance:   instance,
		Logger:     logger.With("component", "seats"),
	})
	statusSvc := status.New(st, nil)
	if err := m.Register(metrics.NewStatusCollector(statusSvc, cfg.MetricsCompanyLimit, logger)); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: metrics: %w", err)
	}
	prov := provision.New(provision.Options{
		Store:          st,
		Seats:          seatSvc,
		Integration:    integ,
		PasswordParams: cfg.PasswordParams,
		Retention:      cfg.CompanyRetention,
		Logger:         logger.With("component", "provision"),
	})
	a := &App{Store: st, Integration: integ, Seats: seatSvc, Status: statusSvc, Metrics: m, Provision: prov,
		cfg: cfg, logger: logger}
	a.api = api.New(api.Options{Store: st, Provision: prov, Status: statusSvc, Logger: logger.With("component", "api"),
		RateLimit: cfg.APIRateLimit})
	// One login gate for the portal and the operator console: its hashing
	// slots bound every password check of the process.
	gate := login.New(login.Options{
		Store:           st,
		Box:             box,
		CaptchaSolution: cfg.DevCaptchaSolution,
		PasswordParams:  cfg.PasswordParams,
	})
	// Deliveries have a keep-alive pool of their own, as large as the number
	// of them under way at once.
	deliveryTransport := m.ZohoTransport(zoho.DeliveryTransport(cfg.OutboxInFlight), zoho.Endpoint)
	tel := newTelephony(cfg, st, integ, wake, instance, m, &http.Client{Timeout: 10 * time.Second, Transport: xsiTransport},
		&http.Client{Timeout: outbox.DefaultAttemptTimeout + 5*time.Second, Transport: deliveryTransport}, logger)
	a.bridge, a.subs = tel.bridge, tel.subscriptions
	if err := m.WatchCacheLease(tel.lease.Trusted); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: metrics: %w", err)
	}
	if err := m.WatchChannels(tel.subscriptions.Channels); err != nil {
		st.Close()
		return nil, fmt.Errorf("app: metrics: %w", err)
	}
	tables := seattable.New(seattable.Options{Load: st.SeatTableAll, Logger: logger.With("component", "seattable")})
	a.tables = tables
	if cfg.PublicURL != nil {
		a.portal = portal.New(portal.Options{
			Tables:             tables,
			Store:              st,
			Logger:             logger,
			Integration:        integ,
			Seats:              seatSvc,
			FormActions:        []string{origin(cfg.ZohoAccountsURL)},
			PublicURL:          cfg.PublicURL,
			Dev:                cfg.Dev,
			Login:              gate,
			TrustProxy:         cfg.TrustProxy,
			SessionIdleTimeout: cfg.SessionIdleTimeout,
			SessionLifetime:    cfg.SessionLifetime,
			Metrics:            m,
		})
		a.console = operator.New(operator.Options{
			Store:              st,
			Logger:             logger.With("component", "operator"),
			Login:              gate,
			Status:             statusSvc,
			Provision:          prov,
			PublicURL:          cfg.PublicURL,
			Dev:                cfg.Dev,
			TrustProxy:         cfg.TrustProxy,
			SessionIdleTimeout: cfg.SessionIdleTimeout,
			SessionLifetime:    cfg.SessionLifetime,
			Metrics:            m,
		})
	}
	a.loops = []loop{
		{"cache lease", tel.lease.Run},
		{"outbox", tel.outbox.Run},
		{"subscriptions", tel.subscriptions.Run},
		{"sweeper", tel.calls.RunSweeper},
		{"recovery", tel.calls.RunRecovery},
		{"dial records", tel.calls.RunDialRecords},
		{"seat sync", seatSvc.RunPeriodic},
		{"janitor", a.janitor},
		{"seat tables", tables.Run},
	}
	return a, nil
}

// Close stops the seat tables' builds and closes the store.
func (a *App) Close() {
	if a.tables != nil {
		a.tables.Close()
	}
	a.Store.Close()
}

// publicURL is PUBLIC_URL as a string ("" for a command run without it).
func publicURL(cfg config.Config) string {
	if cfg.PublicURL == nil {
		return ""
	}
	return cfg.PublicURL.String()
}

// origin is scheme://host[:port] of u.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// Handler is the gateway's whole public HTTP surface, behind one access
// log: the telephony bridge under /bridge/ (called by Zoho and the Centrex,
// outside the portal's sessions and CSRF checks), the provisioning API
// under /api/, the operator console under /operator (its own sessions),
// the portal everywhere else. The metrics are not here: they are on the internal listener
// (MetricsHandler).
func (a *App) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(accesslog.Middleware(accesslog.Options{
		Logger:     a.logger,
		TrustProxy: a.cfg.TrustProxy,
		Surface: func(r *http.Request) string {
			switch {
			case strings.HasPrefix(r.URL.Path, bridge.Prefix):
				return "bridge"
			case strings.HasPrefix(r.URL.Path, api.Prefix+"/"):
				return "api"
			case r.URL.Path == operator.Prefix || strings.HasPrefix(r.URL.Path, operator.Prefix+"/"):
				return "operator"
			}
			return "portal"
		},
		Secret:  []string{bridge.EventsPrefix},
		Quiet:   []string{"/healthz", "/readyz"},
		Observe: a.Metrics.HTTPRequest,
	}))
	a.bridge.Routes(r)
	r.Mount("/api", a.api.Handler())
	console := a.console.Handler()
	r.Handle(operator.Prefix, console)
	r.Handle(operator.Prefix+"/*", console)
	r.Mount("/", a.portal.Handler())
	return r
}

// MetricsHandler is the internal listener's handler: /metrics and
// /debug/pprof/.
func (a *App) MetricsHandler() http.Handler { return a.Metrics.Handler() }

// Serve answers HTTP on ln (and the metrics on metricsLn, unless it is nil)
// and runs every background loop until ctx ends or one of them fails,
// whichever comes first; then it stops the others, gives requests in
// flight up to ten seconds, hands the companies whose events it managed
// over to the other instances (their channels closed, their leases
// released), and returns: nil after ctx ended, else the first failure (an
// HTTP server's, say when its listener broke, or a loop's).
func (a *App) Serve(ctx context.Context, ln, metricsLn net.Listener) error {
	if a.portal == nil {
		return errors.New("app: serve: PUBLIC_URL is not set")
	}
	g, ctx := errgroup.WithContext(ctx)
	errorLog := slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn)
	serveHTTP(ctx, g, "http server", ln, &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errorLog,
	})
	if metricsLn != nil {
		serveHTTP(ctx, g, "metrics server", metricsLn, &http.Server{
			Handler:           a.MetricsHandler(),
			ReadHeaderTimeout: 5 * time.Second,
			// A CPU profile or trace runs 30 s by default (?seconds=).
			WriteTimeout: 2 * time.Minute,
			IdleTimeout:  2 * time.Minute,
			ErrorLog:     errorLog,
		})
	}
	g.Go(func() error {
		<-ctx.Done()
		a.logger.Info("shutting down")
		return nil
	})
	for _, l := range a.loops {
		g.Go(func() error {
			if err := l.run(ctx); err != nil {
				return fmt.Errorf("app: %s: %w", l.name, err)
			}
			if ctx.Err() == nil {
				return fmt.Errorf("app: %s stopped on its own", l.name)
			}
			return nil
		})
	}
	err := g.Wait()
	releaseCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rerr := a.subs.Release(releaseCtx); rerr != nil {
		a.logger.Warn("releasing the companies' event subscriptions", "error", rerr)
	}
	return err
}

// serveHTTP runs srv on ln in g until ctx ends, then shuts it down, giving
// requests in flight up to ten seconds (they are not cancelled when
// shutdown begins). A server that fails is g's error.
func serveHTTP(ctx context.Context, g *errgroup.Group, name string, ln net.Listener, srv *http.Server) {
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("app: %s: %w", name, err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("app: %s shutdown: %w", name, err)
		}
		return nil
	})
}

// janitor deletes expired sessions and captchas, old login failures,
// processed event ids, delivered notifications (the days of history over
// 30 days ago), closed calls, API rate windows (after an hour) and
// idempotency keys (after a day), and the switched-off companies whose
// retention ended, and creates the coming days' history partitions, every
// ten minutes until ctx ends; a failed step is logged and tried again next
// time.
func (a *App) janitor(ctx context.Context) error {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := time.Now()
		if _, err := a.Store.DeleteExpired(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor", "error", err)
		}
		if _, err := a.Store.PruneEvents(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: events", "error", err)
		}
		if _, err := a.Store.PruneOutbox(ctx, now.Add(-30*24*time.Hour)); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: outbox", "error", err)
		}
		if err := a.Store.EnsureOutboxHistory(ctx, now, now.Add(48*time.Hour)); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: outbox history", "error", err)
		}
		if _, err := a.Store.PruneCalls(ctx, now.Add(-90*24*time.Hour)); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: calls", "error", err)
		}
		if err := a.Store.PruneAPI(ctx, now.Add(-time.Hour), now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: API", "error", err)
		}
		if _, err := a.Provision.DeleteExpired(ctx, now); err != nil && ctx.Err() == nil {
			a.logger.Warn("janitor: switched-off companies", "error", err)
		}
	}
}
