package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/conecta-zoho/gateway/internal/store"
)

type ctxKey int

const (
	adminKey ctxKey = iota
	sessionKey
)

// withSession loads and saves the scs session around next and marks the
// context, so shared helpers know whether the session is there.
func (s *Server) withSession(next http.Handler) http.Handler {
	inner := s.sessions.LoadAndSave(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, true)))
	})
}

// currentAdmin is the signed-in administrator and company of the request.
type currentAdmin struct {
	Admin   store.Admin
	Company store.Company
}

func adminFrom(ctx context.Context) (currentAdmin, bool) {
	a, ok := ctx.Value(adminKey).(currentAdmin)
	return a, ok
}

// requireAdmin lets a request through only with a live login session: the
// administrator exists and the session was started under the current
// session epoch (a password reset ends older sessions).
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessAdminID)
		if id == 0 {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		a, c, err := s.store.AdminWithCompany(ctx, id)
		if err == nil && a.SessionEpoch != s.sessions.GetInt(ctx, sessEpoch) {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			if err := s.sessions.RenewToken(ctx); err != nil {
				s.serverError(w, r, err)
				return
			}
			s.sessions.Remove(ctx, sessAdminID)
			s.sessions.Remove(ctx, sessEpoch)
			s.flash(ctx, "info", "login.expired")
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		ctx = context.WithValue(ctx, adminKey, currentAdmin{Admin: a, Company: c})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// secureHeaders sets the security headers of every response.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere,
// except that a form may lead to the given origins (the OAuth consent).
func contentSecurityPolicy(formActions []string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"media-src 'self'",
		"connect-src 'self'",
		"form-action " + strings.Join(append([]string{"'self'"}, formActions...), " "),
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// noStore keeps pages that depend on the session out of caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one line per request with its id. Query strings are
// left out: OAuth callbacks carry codes in them.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		level := slog.LevelInfo
		if ww.Status() >= 500 {
			level = slog.LevelError
		}
		s.logger.LogAttrs(r.Context(), level, "http request",
			slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", s.clientAddr(r)),
		)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serverError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the client's IP address: the peer's, or with TrustProxy the
// last X-Forwarded-For entry (the one the trusted proxy added).
func (s *Server) clientAddr(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
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
