// Package bridge is the telephony bridge's HTTP surface, thin adapters over
// the call use case (internal/calls): the click-to-dial and call-control
// endpoints Zoho calls (their paths and parameter names are
// internal/zohoapi's), and the Xsi-Events HTTP contact the Centrex posts
// call events to. A handler parses and bounds the request, asks calls, and
// maps its errors to a status code; it holds no state of its own.
package bridge

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// EventsPrefix is the prefix of the Xsi-Events HTTP contact; the
// per-company token follows it.
const EventsPrefix = "/bridge/centrex/events/"

// EventsPath returns the Xsi-Events HTTP contact path for a company token.
func EventsPath(token string) string {
	return EventsPrefix + token
}

// Options builds a Bridge.
type Options struct {
	// Store finds the company of an events token.
	Store *store.Store
	// Calls runs what the requests ask for.
	Calls  *calls.Service
	Logger *slog.Logger
}

// Bridge serves the telephony bridge's endpoints.
type Bridge struct {
	store *store.Store
	calls *calls.Service
	log   *slog.Logger
}

// New returns a Bridge.
func New(o Options) *Bridge {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bridge{store: o.Store, calls: o.Calls, log: log}
}

// Routes registers the bridge's endpoints:
//
//	POST /bridge/zoho/clicktodial           Zoho click-to-dial
//	POST /bridge/zoho/call/{action}         Zoho call control
//	POST /bridge/centrex/events/{token}     Xsi-Events HTTP contact
func (b *Bridge) Routes(r chi.Router) {
	r.Post(zohoapi.ClickToDialPath, b.handleClickToDial)
	for _, a := range zohoapi.CallActions() {
		r.Post(zohoapi.CallControlPath(a), b.callControl(a))
	}
	r.Post(EventsPrefix+"{token}", b.handleEvents)
}

// Handler is Routes on a router of its own, to mount under /bridge/.
func (b *Bridge) Handler() http.Handler {
	r := chi.NewRouter()
	b.Routes(r)
	return r
}

// text writes a short plain-text answer.
func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// serverError logs err and answers 500 without detail.
func (b *Bridge) serverError(w http.ResponseWriter, r *http.Request, err error) {
	b.log.Error("bridge: request failed", "method", r.Method, "path", redactPath(r.URL.Path), "error", err)
	text(w, http.StatusInternalServerError, "internal error")
}

// redactPath hides the events token in logs.
func redactPath(p string) string {
	if strings.HasPrefix(p, EventsPrefix) {
		return EventsPrefix + "[token]"
	}
	return p
}
