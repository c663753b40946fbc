// Package portal is the administrators' web portal: its routes, middleware,
// handlers (one file per screen of the user guide) and the glue between the
// store and the templ views in web/. Sign-ins are counted by result, and
// the throttled ones, in Options.Metrics; the access log and the request
// ids are the app's (internal/accesslog).
package portal

import (
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Options is what the portal is built from; main wires it.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	// Integration runs the Zoho PhoneBridge integration's operations.
	Integration *integration.Service
	// Seats synchronises the company's seats with its Centrex.
	Seats *seats.Service
	// PublicURL is the origin browsers reach the portal at.
	PublicURL *url.URL
	// Dev relaxes the cookie's Secure flag when PublicURL is plain HTTP on
	// loopback, so `make run` works in a local browser.
	Dev bool
	// Login checks the sign-ins (captcha, throttling, bounded password
	// checks), the same gate as the operator console's. Required.
	Login *login.Gate
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// SessionIdleTimeout and SessionLifetime bound a login session.
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// FormActions are extra origins the browser may be sent to after a form
	// is posted (Zoho's accounts servers, for the OAuth consent).
	FormActions []string
	// Metrics counts the sign-ins by result; nil counts nothing.
	Metrics *metrics.Metrics
	// Tables holds the copies in memory of the seat tables; nil reads
	// every page of the table from the database.
	Tables *seattable.Tables
}

// Server holds the portal's dependencies. Handlers are its methods.
type Server struct {
	store      *store.Store
	logger     *slog.Logger
	integ      *integration.Service
	seats      *seats.Service
	sessions   *scs.SessionManager
	login      *login.Gate
	publicURL  *url.URL
	trustProxy bool
	now        func() time.Time
	csp        string
	hsts       bool
	metrics    *metrics.Metrics
	tables     *seattable.Tables
}

// New builds the portal.
func New(o Options) *Server {
	s := &Server{
		store:      o.Store,
		logger:     o.Logger,
		integ:      o.Integration,
		seats:      o.Seats,
		login:      o.Login,
		publicURL:  o.PublicURL,
		trustProxy: o.TrustProxy,
		now:        o.Now,
		csp:        site.ContentSecurityPolicy(o.FormActions),
		hsts:       o.PublicURL.Scheme == "https",
		metrics:    o.Metrics,
		tables:     o.Tables,
	}
	if s.now == nil {
		s.now = time.Now
	}
	// The session is written only when it changed (site.QuietStore); the
	// app's janitor deletes expired sessions through the store.
	qs := &site.QuietStore{Table: sessionTable{o.Store}, Owner: sessionOwner}
	sm := site.NewSessions(qs, site.SessionOptions{
		Cookie: "dc_session", Path: "/", IdleTimeout: o.SessionIdleTimeout, Lifetime: o.SessionLifetime,
		PublicURL: o.PublicURL, Dev: o.Dev,
	})
	qs.Codec = sm.Codec
	s.sessions = sm
	return s
}
