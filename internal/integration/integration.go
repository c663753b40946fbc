// Package integration owns the life cycle of a company's Zoho PhoneBridge
// integration: completing the OAuth consent (exchange, "who consented" check,
// integrate), disabling it (switching every linked user off, DELETE
// integrate, revoking the token), linking seats to Zoho users (registering
// click-to-dial and call control at the URIs of internal/zohoapi), switching
// off the links of seats that left the Centrex, and the access tokens every
// PhoneBridge call uses, which the store keeps sealed and which are
// refreshed at most once at a time per company across every gateway
// instance.
//
// The OAuth state and the browser belong to the portal; this package never
// sees a request. Token refreshes are counted by result (Options.Metrics).
package integration

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// refreshMargin: an access token is refreshed when it has less than this
// left, so a request never starts with a token about to die.
const refreshMargin = 5 * time.Minute

// Links is what the integration needs from the seat–Zoho user links, to
// switch every linked user off when the integration is disabled.
type Links interface {
	// EnabledZohoUsers lists the Zoho users of a company whose click-to-dial
	// and call control are on.
	EnabledZohoUsers(ctx context.Context, companyID int64) ([]string, error)
	// SetZohoUserEnabled records that a Zoho user's registrations are on or off.
	SetZohoUserEnabled(ctx context.Context, companyID int64, zohoUser string, enabled bool) error
}

// Options builds a Service.
type Options struct {
	Store *store.Store
	// OAuth is the provider's Zoho OAuth client; nil when ZOHO_CLIENT_ID is
	// not configured (consent, disable and token refreshes then fail with
	// CodeNotConfigured).
	OAuth *zoho.OAuth
	// Links records which linked Zoho users are switched on, for Disable:
	// StoreLinks in the gateway, a fake in tests (required).
	Links Links
	// URIs are where Zoho calls the gateway for a linked user
	// (zohoapi.URIsFor(PUBLIC_URL)).
	URIs   zohoapi.URIs
	HTTP   *http.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Subscriptions is woken after a company's integration was enabled or
	// disabled, so that the company's call events start (or stop) at once;
	// nil wakes nobody.
	Subscriptions subscriptions.Wake
	// Metrics counts the token refreshes by result; nil counts nothing.
	Metrics *metrics.Metrics
}

// Service runs the integration's operations.
type Service struct {
	store   *store.Store
	oauth   *zoho.OAuth
	links   Links
	http    *http.Client
	logger  *slog.Logger
	now     func() time.Time
	uris    zohoapi.URIs
	subs    subscriptions.Wake
	metrics *metrics.Metrics
	creds   credCache
}

// New returns a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, oauth: o.OAuth, links: o.Links, http: o.HTTP, logger: o.Logger, now: o.Now,
		uris: o.URIs, subs: o.Subscriptions, metrics: o.Metrics}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.http == nil {
		s.http = &http.Client{Timeout: 20 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Configured reports whether the gateway has a Zoho OAuth client.
func (s *Service) Configured() bool { return s.oauth != nil }

// AuthCodeURL is where the browser goes to consent.
func (s *Service) AuthCodeURL(state, loginHint string) string {
	return s.oauth.AuthCodeURL(state, loginHint)
}

// Status returns the company's integration as stored.
func (s *Service) Status(ctx context.Context, companyID int64) (store.ZohoIntegration, error) {
	return s.store.ZohoIntegration(ctx, companyID)
}

// PhoneBridge returns a PhoneBridge client for the company, authenticated
// through the company's stored tokens.
func (s *Service) PhoneBridge(companyID int64) *zoho.PhoneBridge {
	return s.PhoneBridgeVia(s.http, companyID)
}

// PhoneBridgeVia is PhoneBridge over another HTTP client: the outbox's,
// whose timeout is its attempt timeout rather than the portal's.
func (s *Service) PhoneBridgeVia(hc *http.Client, companyID int64) *zoho.PhoneBridge {
	return zoho.NewPhoneBridge(hc, &tokens{svc: s, companyID: companyID})
}

// PhoneBridgeAt is PhoneBridgeVia for a request made on behalf of what was
// read at the company's version (store.OutboxRow.CompanyVersion): the
// access token cached at that version is used without reading the
// integration again. Any change of the integration (a refresh, a token
// Zoho refused, a disable, on any instance) bumps the version, so the next
// claim reads it afresh.
func (s *Service) PhoneBridgeAt(hc *http.Client, companyID, version int64) *zoho.PhoneBridge {
	return zoho.NewPhoneBridge(hc, &tokens{svc: s, companyID: companyID, version: version, versioned: true})
}

// Error is a failure the portal explains to the administrator: Code picks the
// message, Args fill it in. The wrapped error is for the logs.
type Error struct {
	Code string
	Args []string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "integration: " + e.Code + ": " + e.Err.Error()
	}
	return "integration: " + e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Error codes. A Zoho PhoneBridge refusal is "zoho:" + Zoho's code.
const (
	CodeNotConfigured  = "not_configured"
	CodeDenied         = "denied"
	CodeZohoError      = "zoho_error"
	CodeAccountsServer = "accounts_server"
	CodeBadCode        = "bad_code"
	CodeClient         = "client"
	CodeThrottled      = "throttled"
	CodeUnavailable    = "unavailable"
	CodeMismatch       = "mismatch"
	CodeNeedsConsent   = "needs_consent"
	CodeNotEnabled     = "not_enabled"
	CodeNotFound       = "not_found"
	CodeSeatLinked     = "seat_linked"
	CodeZohoUserLinked = "zoho_user_linked"
	CodeSeatGone       = "seat_gone"
	CodeNoSuggestion   = "no_suggestion"
)

// ErrNeedsConsent means the company's refresh token is dead.
var ErrNeedsConsent = &Error{Code: CodeNeedsConsent}

// classify turns a zoho package error into an *Error.
func classify(err error) *Error {
	var e *Error
	var ze *zoho.Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, zoho.ErrInvalidGrant):
		return &Error{Code: CodeNeedsConsent, Err: err}
	case errors.Is(err, zoho.ErrInvalidCode):
		return &Error{Code: CodeBadCode, Err: err}
	case errors.Is(err, zoho.ErrInvalidClient):
		return &Error{Code: CodeClient, Err: err}
	case errors.Is(err, zoho.ErrThrottled):
		return &Error{Code: CodeThrottled, Err: err}
	case errors.Is(err, zoho.ErrAccountsServer):
		return &Error{Code: CodeAccountsServer, Err: err}
	case errors.As(err, &ze) && ze.Code != "":
		return &Error{Code: "zoho:" + ze.Code, Err: err}
	}
	return &Error{Code: CodeUnavailable, Err: err}
}

func (s *Service) audit(ctx context.Context, companyID int64, actor, action string, detail map[string]string) {
	if err := s.store.Audit(ctx, companyID, actor, action, detail); err != nil {
		s.logger.ErrorContext(ctx, "audit", "company_id", companyID, "action", action, "error", err)
	}
}
