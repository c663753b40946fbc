// Package bridge is the telephony bridge's HTTP surface, thin adapters over
// the call use case (internal/calls): the click-to-dial and call-control
// endpoints Zoho calls (their paths and parameter names are
// internal/zohoapi's), and the Xsi-Events HTTP contact the Centrex posts
// call events to. A handler parses and bounds the request, asks calls, and
// maps its errors to a status code; it holds no state of its own. The
// Centrex events it accepts are counted by type, those it refuses by cause
// (Options.Metrics); its requests' access log is the app's
// (internal/accesslog), with the events token redacted.
package bridge

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// Prefix is where every path of the bridge starts.
const Prefix = "/bridge/"

// EventsPrefix is the prefix of the Xsi-Events HTTP contact; the
// per-company token follows it (a secret: logs show it redacted).
const EventsPrefix = "/bridge/centrex/events/"

// EventsPath returns the Xsi-Events HTTP contact path for a company token.
func EventsPath(token string) string {
	return EventsPrefix + token
}

// Options builds a Bridge.
type Options struct {
	// Calls runs what the requests ask for, and finds the company of an
	// events token.
	Calls  *calls.Service
	Logger *slog.Logger
	// Metrics counts the Centrex events accepted and refused; nil counts
	// nothing.
	Metrics *metrics.Metrics
}

// Bridge serves the telephony bridge's endpoints.
type Bridge struct {
	calls   *calls.Service
	log     *slog.Logger
	metrics *metrics.Metrics
}

// New returns a Bridge.
func New(o Options) *Bridge {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bridge{calls: o.Calls, log: log, metrics: o.Metrics}
}

// Routes registers the bridge's endpoints:
//
//	POST /bridge/zoho/clicktodial           Zoho click-to-dial
//	POST /bridge/zoho/call/{action}         Zoho call control
//	POST /bridge/centrex/events/{token}     Xsi-Events HTTP contact
//	*    /bridge/*                          anything else: 404, plain text
func (b *Bridge) Routes(r chi.Router) {
	r.Post(zohoapi.ClickToDialPath, b.handleClickToDial)
	for _, a := range zohoapi.CallActions() {
		r.Post(zohoapi.CallControlPath(a), b.callControl(a))
	}
	r.Post(EventsPrefix+"{token}", b.handleEvents)
	r.Handle(Prefix+"*", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		text(w, http.StatusNotFound, "not found")
	}))
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

// serverError logs err and answers 500 without detail. The line carries
// the request id (from the context), which leads to the request's access
// log line with its method and redacted path.
func (b *Bridge) serverError(w http.ResponseWriter, r *http.Request, err error) {
	b.log.ErrorContext(r.Context(), "bridge: request failed", "error", err)
	text(w, http.StatusInternalServerError, "internal error")
}
