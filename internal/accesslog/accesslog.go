// Package accesslog is the gateway's one access log, for every HTTP surface
// (the portal and the telephony bridge alike): each request gets an id
// (chi's RequestID: the caller's X-Request-Id, or a new one), one log line
// when it is done (request id, method, path, route, status, bytes,
// duration, client address) and one observation of its duration by route
// pattern for the metrics.
//
// Nothing secret reaches the log: query strings are left out (OAuth
// callbacks carry codes, Zoho may send the link's secret as a parameter),
// and a path under one of Options.Secret prefixes is logged with the rest
// replaced by "[redacted]" (the Centrex's events token). Probes
// (Options.Quiet paths) are logged only when they fail, not on every call
// of an orchestrator.
//
// WithRequestID wraps a slog.Handler so that everything logged with a
// request's context (the services' …Context calls) carries its request_id.
package accesslog

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Options configures the middleware.
type Options struct {
	Logger *slog.Logger
	// TrustProxy takes the client address from X-Forwarded-For (ClientIP).
	TrustProxy bool
	// Surface names the part of the gateway a request is for ("portal",
	// "bridge"), a label of the duration metric.
	Surface func(r *http.Request) string
	// Secret lists path prefixes whose remainder is a secret.
	Secret []string
	// Quiet lists paths logged only when they do not answer 200 (probes).
	Quiet []string
	// Observe receives every request's outcome (metrics.Metrics.HTTPRequest);
	// route is chi's route pattern, "" when nothing matched. Nil: none.
	Observe func(surface, method, route string, status int, d time.Duration)
}

// Middleware returns the access-log middleware. It must run inside chi's
// router (r.Use on the top router), so that the route pattern is known once
// the request has been served, and it sets the request id itself.
func Middleware(o Options) func(http.Handler) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Surface == nil {
		o.Surface = func(*http.Request) string { return "" }
	}
	return func(next http.Handler) http.Handler {
		logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			d := time.Since(start)
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			route := chi.RouteContext(r.Context()).RoutePattern()
			surface := o.Surface(r)
			if o.Observe != nil {
				o.Observe(surface, r.Method, route, status, d)
			}
			if status == http.StatusOK && slices.Contains(o.Quiet, r.URL.Path) {
				return
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			// The request id is given here rather than through the
			// context (WithRequestID would add it a second time), so the
			// line has it whatever the logger's handler.
			o.Logger.LogAttrs(context.Background(), level, "http request",
				slog.String("request_id", middleware.GetReqID(r.Context())),
				slog.String("surface", surface),
				slog.String("method", r.Method),
				slog.String("path", redact(r.URL.Path, o.Secret)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", d),
				slog.String("client", ClientIP(r, o.TrustProxy)),
			)
		})
		withID := middleware.RequestID(logged)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id := r.Header.Get(middleware.RequestIDHeader); id != "" && !validRequestID(id) {
				r.Header.Del(middleware.RequestIDHeader) // a new one is made
			}
			withID.ServeHTTP(w, r)
		})
	}
}

// validRequestID accepts a caller's request id of at most 128 letters,
// digits and "-._:/", so that a caller cannot fill the log with text.
func validRequestID(id string) bool {
	if len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._:/", c)) {
			return false
		}
	}
	return true
}

// redact replaces what follows a secret prefix.
func redact(path string, secret []string) string {
	for _, p := range secret {
		if strings.HasPrefix(path, p) && len(path) > len(p) {
			return p + "[redacted]"
		}
	}
	return path
}

// ClientIP is the client's IP address: the peer's, or with trustProxy the
// last X-Forwarded-For entry, the one the trusted proxy in front added. The
// proxy appends to whatever the client sent, on the last header line or on
// a line of its own, so only the last entry of the last line is the
// proxy's: every earlier one, on any line, is the client's to choose.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if lines := r.Header.Values("X-Forwarded-For"); len(lines) > 0 {
			parts := strings.Split(lines[len(lines)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// WithRequestID wraps h so that a record logged with a context that carries
// a request id (chi's middleware.RequestID) gets a request_id attribute.
func WithRequestID(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := middleware.GetReqID(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
