package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/conecta-zoho/gateway/internal/store"
)

type ctxKey int

const keyKey ctxKey = 0

// keyFrom is the request's API key (set by authenticate).
func keyFrom(ctx context.Context) store.APIKey {
	k, _ := ctx.Value(keyKey).(store.APIKey)
	return k
}

// maxKeyChars bounds the bearer token before it is hashed (keys are 47
// characters).
const maxKeyChars = 128

// authenticate lets through a request whose `Authorization: Bearer KEY`
// names a live API key. A missing or malformed header is 401 unauthorized,
// an unknown or revoked key 401 invalid-api-key (RFC 6750's
// WWW-Authenticate either way).
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxKeyChars {
			w.Header().Set("WWW-Authenticate", `Bearer realm="conecta-zoho"`)
			s.writeProblem(w, r, probUnauthorized, "Send the API key as Authorization: Bearer KEY.", nil)
			return
		}
		k, err := s.store.APIKeyByKey(r.Context(), token)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="conecta-zoho", error="invalid_token"`)
			s.writeProblem(w, r, probInvalidKey, "", nil)
			return
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyKey, k)))
	})
}

// auditCall writes every authenticated call to the operator audit log with
// the key's name, the method, the route, the company it named and the
// answer's status, once the answer is written.
func (s *Server) auditCall(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		k := keyFrom(r.Context())
		pattern := chi.RouteContext(r.Context()).RoutePattern()
		route := r.Method + " " + Prefix + pattern[strings.Index(pattern, "/v1/")+len("/v1"):]
		e := store.OperatorAuditEntry{ActorKind: store.ActorAPIKey, Actor: k.Name, Action: "api.call",
			Detail: map[string]string{"route": route, "status": strconv.Itoa(ww.Status())}}
		if id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64); err == nil {
			e.CompanyID = id
		}
		if err := s.store.OperatorAudit(background(r.Context()), e); err != nil {
			s.logger.ErrorContext(r.Context(), "api: audit", "key", k.Name, "route", route, "error", err)
		}
	})
}

// rateWindow is the length of a rate-limit window.
const rateWindow = time.Minute

// limitRate counts the call against its key's window, shared by every
// instance, and refuses it with 429 beyond the limit. The RateLimit-*
// headers say where the key stands.
func (s *Server) limitRate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, left, err := s.store.CountAPIRequest(r.Context(), keyFrom(r.Context()).ID, rateWindow)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		reset := max(int(math.Ceil(left.Seconds())), 1)
		h := w.Header()
		h.Set("RateLimit-Limit", strconv.Itoa(s.rateLimit))
		h.Set("RateLimit-Remaining", strconv.Itoa(max(s.rateLimit-n, 0)))
		h.Set("RateLimit-Reset", strconv.Itoa(reset))
		if n > s.rateLimit {
			h.Set("Retry-After", strconv.Itoa(reset))
			s.writeProblem(w, r, probRateLimited, "Wait for the number of seconds in Retry-After.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
