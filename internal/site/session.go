package site

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionOptions shape a site's session cookie.
type SessionOptions struct {
	// Cookie is the cookie's name and Path the paths it is sent to.
	Cookie, Path string
	// IdleTimeout and Lifetime bound a session.
	IdleTimeout, Lifetime time.Duration
	// PublicURL is the origin browsers reach the site at; Dev relaxes the
	// cookie's Secure flag when it is plain HTTP on loopback, so that
	// `make run` works in a local browser.
	PublicURL *url.URL
	Dev       bool
}

// NewSessions returns a session manager over st, its sessions encoded by
// SessionCodec: an HttpOnly, SameSite=Lax
// cookie, Secure unless in dev mode on plain-HTTP loopback. st runs no
// cleanup of its own: the app's janitor deletes expired sessions.
func NewSessions(st scs.Store, o SessionOptions) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.Codec = SessionCodec{}
	sm.IdleTimeout = o.IdleTimeout
	sm.Lifetime = o.Lifetime
	sm.Cookie.Name = o.Cookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = o.Path
	sm.Cookie.Secure = !(o.Dev && isLoopback(o.PublicURL) && o.PublicURL.Scheme == "http")
	return sm
}

func isLoopback(u *url.URL) bool {
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

type ctxKey int

const sessionKey ctxKey = iota

// SessionLoaded reports whether WithSession ran for this request (error
// pages can be rendered outside it, for instance for a 404).
func SessionLoaded(ctx context.Context) bool {
	loaded, _ := ctx.Value(sessionKey).(bool)
	return loaded
}

// WithSession loads sm's session before next and saves it when next
// starts its answer, before the answer is written (with a QuietStore, only
// if it changed; see PreloadSession for a row read beforehand). It stands in for scs's
// LoadAndSave so that a database outage ends in one clean error page: a
// session that cannot be loaded is answered without one (fail, the error
// page, does not touch it), and one that cannot be saved has the error
// page instead of the answer, not both.
func WithSession(sm *scs.SessionManager, fail func(w http.ResponseWriter, r *http.Request, err error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Cookie")
			var token string
			if c, err := r.Cookie(sm.Cookie.Name); err == nil {
				token = c.Value
			}
			ctx := r.Context()
			if loadedFrom(ctx) == nil {
				ctx = context.WithValue(ctx, loadedKey, &loadedSession{})
			}
			ctx, err := sm.Load(ctx, token)
			if err != nil {
				fail(w, r, fmt.Errorf("load session: %w", err))
				return
			}
			sw := &sessionWriter{ResponseWriter: w, sm: sm, fail: fail, plain: r, ctx: ctx}
			next.ServeHTTP(sw, r.WithContext(context.WithValue(ctx, sessionKey, true)))
			sw.save()
		})
	}
}

// sessionWriter saves the session at the first WriteHeader or Write.
type sessionWriter struct {
	http.ResponseWriter
	sm    *scs.SessionManager
	fail  func(w http.ResponseWriter, r *http.Request, err error)
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
	switch sw.sm.Status(sw.ctx) {
	case scs.Modified:
		token, expiry, err := sw.sm.Commit(sw.ctx)
		if err != nil {
			sw.Header().Del("Location")
			sw.Header().Del("Content-Length") // the page's, not the error page's
			sw.fail(sw.ResponseWriter, sw.plain, fmt.Errorf("save session: %w", err))
			return false
		}
		if !sessionUnsaved(sw.ctx) { // else the cookie the browser has still holds
			sw.sm.WriteSessionCookie(sw.ctx, sw.ResponseWriter, token, expiry)
		}
	case scs.Destroyed:
		sw.sm.WriteSessionCookie(sw.ctx, sw.ResponseWriter, "", time.Time{})
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
