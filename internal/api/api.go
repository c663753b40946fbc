// Package api is the provisioning API for the carrier's ordering and
// support systems: JSON under /api/v1/, described by the OpenAPI 3
// document it serves at /api/v1/openapi.json (openapi.json beside this
// file; the tests check it against these handlers, both ways, and every
// answer against its schemas).
//
// Every call but the document's carries an API key (`gateway apikey
// create`) as `Authorization: Bearer …`. Keys are stored as SHA-256 only,
// and revocable. Each key may make Options.RateLimit requests a minute,
// counted in PostgreSQL so that the limit holds over every instance
// together (429 with Retry-After beyond it). Every call is written to the
// operator audit log with the key's name, method, route and status; what a
// call changes goes to the company's audit log too, signed "api:NAME".
//
// The work is done by internal/provision, the same service the command
// line and the operator console use. Errors are RFC 9457 problem details
// (application/problem+json) with a stable type per error
// (ProblemTypePrefix + a name); a request that does not validate lists
// every refused field at once.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// OpenAPI is the API's OpenAPI 3 document.
//
//go:embed openapi.json
var OpenAPI []byte

// Options builds a Server.
type Options struct {
	Store     *store.Store
	Provision *provision.Service
	Status    *status.Service
	Logger    *slog.Logger
	// RateLimit is how many requests a key may make per minute (over every
	// instance); 0 means 120.
	RateLimit int
}

// Server serves the API.
type Server struct {
	store     *store.Store
	provision *provision.Service
	status    *status.Service
	logger    *slog.Logger
	rateLimit int
}

// New returns a Server.
func New(o Options) *Server {
	if o.RateLimit == 0 {
		o.RateLimit = 120
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{store: o.Store, provision: o.Provision, status: o.Status, logger: o.Logger, rateLimit: o.RateLimit}
}

// Handler returns every route of the API in one place (mounted at /api by
// the app):
//
//	GET    /api/v1/openapi.json                          the OpenAPI document (no key needed)
//	POST   /api/v1/companies                             create a company and its administrator
//	GET    /api/v1/companies                             the companies, paged by id
//	GET    /api/v1/companies/{id}                        a company and its health figures
//	DELETE /api/v1/companies/{id}                        switch it off (kept for the retention period)
//	PUT    /api/v1/companies/{id}/centrex                set its Centrex connection
//	POST   /api/v1/companies/{id}/seats/sync             read its seats from the Centrex now
//	POST   /api/v1/companies/{id}/admin/reset-password   a new one-time password for its administrator
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.writeProblem(w, r, probNotFound, "", nil) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { s.writeProblem(w, r, probMethod, "", nil) })
	r.Route("/v1", func(r chi.Router) {
		r.Get("/openapi.json", s.handleOpenAPI)
		r.Group(func(r chi.Router) {
			r.Use(s.authenticate, s.auditCall, s.limitRate)
			r.Post("/companies", s.handleCreate)
			r.Get("/companies", s.handleList)
			r.Get("/companies/{id}", s.handleGet)
			r.Delete("/companies/{id}", s.handleDelete)
			r.Put("/companies/{id}/centrex", s.handleSetCentrex)
			r.Post("/companies/{id}/seats/sync", s.handleSync)
			r.Post("/companies/{id}/admin/reset-password", s.handleResetPassword)
		})
	})
	return r
}

// Routes lists h's routes as "METHOD /api/v1/…" (h is Handler's, mounted
// at /api), for the test that compares them with the OpenAPI document.
func Routes(h http.Handler) []string {
	var out []string
	_ = chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" /api"+strings.TrimSuffix(route, "/"))
		return nil
	})
	return out
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(OpenAPI)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// rfc3339 formats t for JSON, nil for the zero time.
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.UTC().Format(time.RFC3339)
	return &v
}

// background is ctx without its cancellation, for the audit line written
// after the answer.
func background(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
