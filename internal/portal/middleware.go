package portal

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/conecta-zoho/gateway/internal/accesslog"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
)

type ctxKey int

const (
	adminKey ctxKey = iota
	sessionKey
)

// withSession loads the scs session before next and saves it when next
// starts its answer, before the answer is written. It stands in for scs's
// LoadAndSave so that a database outage ends in one clean error page: a
// session that cannot be loaded is answered without one (the error page
// does not touch it), and one that cannot be saved has the error page
// instead of the answer, not both.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(s.sessions.Cookie.Name); err == nil {
			token = c.Value
		}
		ctx, err := s.sessions.Load(r.Context(), token)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load session: %w", err))
			return
		}
		sw := &sessionWriter{ResponseWriter: w, s: s, plain: r, ctx: ctx}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(ctx, sessionKey, true)))
		sw.save()
	})
}

// sessionWriter saves the session at the first WriteHeader or Write.
type sessionWriter struct {
	http.ResponseWriter
	s     *Server
	plain *http.Request   // the request without its session, for an error page
	ctx   context.Context // the request's context with its session
	saved bool
	ok    bool // the session was saved: the answer may be written
}

// save commits a changed session and sets its cookie, once; it reports
// whether the answer may be written. When the commit fails it has written
// the error page in the answer's place.
func (sw *sessionWriter) save() bool {
	if sw.saved {
		return sw.ok
	}
	sw.saved = true
	sm := sw.s.sessions
	switch sm.Status(sw.ctx) {
	case scs.Modified:
		token, expiry, err := sm.Commit(sw.ctx)
		if err != nil {
			sw.Header().Del("Location")
			sw.s.serverError(sw.ResponseWriter, sw.plain, fmt.Errorf("save session: %w", err))
			return false
		}
		sm.WriteSessionCookie(sw.ctx, sw.ResponseWriter, token, expiry)
	case scs.Destroyed:
		sm.WriteSessionCookie(sw.ctx, sw.ResponseWriter, "", time.Time{})
	}
	sw.ok = true
	return true
}

func (sw *sessionWriter) WriteHeader(code int) {
	if sw.save() {
		sw.ResponseWriter.WriteHeader(code)
	}
}

func (sw *sessionWriter) Write(b []byte) (int, error) {
	if !sw.save() {
		return len(b), nil // the error page stands instead
	}
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (sw *sessionWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

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

// clientAddr is the client's IP address (accesslog.ClientIP, with
// TrustProxy).
func (s *Server) clientAddr(r *http.Request) string { return accesslog.ClientIP(r, s.trustProxy) }

// Request body limits of the portal. Its forms are a few short fields; the
// largest, the bulk action on a page of 100 seats, stays under 40 KiB even
// with the longest seat ids. No portal route takes files.
const (
	maxPublicFormBytes = 8 << 10  // login, new captcha, language
	maxFormBytes       = 64 << 10 // the signed-in screens
)

// checkQuery refuses, with 400, a request whose path or query values hold
// anything but text (invalid UTF-8 or NUL): bad bytes are the client's
// error, never a database error. (Malformed pairs are ignored, as
// r.URL.Query does.)
func (s *Server) checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !chars.Valid(r.URL.Path) || !chars.ValidForm(r.URL.Query()) {
			s.clientError(w, r, http.StatusBadRequest, "error.badrequest")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// readForm reads a posted form before next runs: multipart bodies are
// refused (415), a body over limit bytes is refused (413) without being read
// further, and a form that is malformed or holds a value that is not text
// (invalid UTF-8 or NUL) is refused (400).
func (s *Server) readForm(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				next.ServeHTTP(w, r)
				return
			}
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
				s.clientError(w, r, http.StatusUnsupportedMediaType, "error.unsupported")
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := r.ParseForm(); err != nil {
				if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
					s.clientError(w, r, http.StatusRequestEntityTooLarge, "error.toolarge")
				} else {
					s.clientError(w, r, http.StatusBadRequest, "error.badrequest")
				}
				return
			}
			if !chars.ValidForm(r.PostForm) {
				s.clientError(w, r, http.StatusBadRequest, "error.badrequest")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
