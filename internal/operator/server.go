// Package operator is the carrier's operator console under /operator/: the
// support desk's view over every company and what it can do to one.
//
// Operators are their own kind of account (store.Operator, `gateway
// operator create`), with their own kind of session: another cookie
// (dc_operator, sent to /operator only) over another table
// (operator_sessions), so that an administrator's session never reaches a
// console route and an operator's never reaches the portal, whatever the
// URL. They sign in in two steps: e-mail, password and captcha through the
// same login gate as the administrators (internal/login: the same
// throttling, captcha and bounded password checks), then a TOTP code
// (RFC 6238), which every failure counts against the same limits. At their
// first sign-in they enrol: a QR code (a PNG of this site, which the
// Content Security Policy allows) and its key in text.
//
// The companies list reads every company's figures from the database
// (internal/status, the same as `gateway status` and the metrics), so every
// instance shows the same; it searches, sorts, pages and filters those
// needing attention in memory, which is one statement per page view, good
// for some thousands of companies. A company's page shows the same figures
// in detail with its recent errors, and its actions go through
// internal/provision, the service the command line and the provisioning API
// use: each writes the company's audit log under the operator's e-mail and
// the operator audit log. Every page works without JavaScript, in Spanish
// and English, in the portal's look (web/).
package operator

import (
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Prefix is where the console lives.
const Prefix = "/operator"

// Options is what the console is built from; app.New wires it.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	// Login checks the first step of a sign-in: the gate the portal uses.
	Login *login.Gate
	// Status reads the companies' figures; Provision acts on a company.
	Status    *status.Service
	Provision *provision.Service
	// PublicURL is the origin browsers reach the console at; Dev relaxes
	// the cookie's Secure flag on plain-HTTP loopback (`make run`).
	PublicURL *url.URL
	Dev       bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// SessionIdleTimeout and SessionLifetime bound an operator session.
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	// Issuer names the service in the operators' authenticator apps.
	Issuer string
	// Metrics counts the sign-ins; nil counts nothing.
	Metrics *metrics.Metrics
	// Now is the clock of the TOTP codes and the figures; nil means
	// time.Now.
	Now func() time.Time
}

// Server holds the console's dependencies. Handlers are its methods.
type Server struct {
	store      *store.Store
	logger     *slog.Logger
	login      *login.Gate
	status     *status.Service
	provision  *provision.Service
	metrics    *metrics.Metrics
	sessions   *scs.SessionManager
	trustProxy bool
	issuer     string
	now        func() time.Time
	csp        string
	hsts       bool
}

// New builds the console.
func New(o Options) *Server {
	s := &Server{
		store:      o.Store,
		logger:     o.Logger,
		login:      o.Login,
		status:     o.Status,
		provision:  o.Provision,
		metrics:    o.Metrics,
		trustProxy: o.TrustProxy,
		issuer:     o.Issuer,
		now:        o.Now,
		csp:        site.ContentSecurityPolicy(nil),
		hsts:       o.PublicURL.Scheme == "https",
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.issuer == "" {
		s.issuer = "Digital Centrex"
	}
	qs := &site.QuietStore{Table: sessionTable{o.Store}}
	s.sessions = site.NewSessions(qs, site.SessionOptions{
		Cookie: "dc_operator", Path: Prefix, IdleTimeout: o.SessionIdleTimeout, Lifetime: o.SessionLifetime,
		PublicURL: o.PublicURL, Dev: o.Dev,
	})
	qs.Codec = s.sessions.Codec
	return s
}
