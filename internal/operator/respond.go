package operator

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/conecta-zoho/gateway/internal/accesslog"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/web"
)

// Session keys of the console.
const (
	sessOperatorID = "operator_id"
	sessEpoch      = "operator_epoch"
	sessLang       = "lang"
	// The first step of a sign-in that passed, until the code is typed.
	sessPendingID    = "pending_operator_id"
	sessPendingEpoch = "pending_epoch"
	sessPendingUntil = "pending_until"
	sessLoginEmail   = "login_email"
)

// render writes a component with status, through a buffer so that a
// render error still produces a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	site.Render(w, r, status, c, s.serverError)
}

// serverError logs err and shows a generic error page. It is the only
// handler path that logs; the request id comes with the context.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.LogAttrs(r.Context(), slog.LevelError, "server error",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()))
	s.clientError(w, r, http.StatusInternalServerError, "error.internal")
}

// clientError shows an error page with status and a translated message.
func (s *Server) clientError(w http.ResponseWriter, r *http.Request, status int, key string) {
	site.ErrorPage(w, r, status, s.newPage(r, "error.title"), key)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.clientError(w, r, http.StatusNotFound, "error.notfound")
}

// newPage builds the chrome of a console page: language, signed-in
// operator, one pending flash message, the year for the footer. Times are
// shown in Madrid's time zone, the carrier's.
func (s *Server) newPage(r *http.Request, titleKey string) web.Page {
	ctx := r.Context()
	p := web.Page{Lang: s.lang(r), Path: r.URL.Path, Site: Prefix, Year: s.now().Year(), Zone: madrid}
	p.Title = p.T(titleKey)
	if o, ok := operatorFrom(ctx); ok {
		p.Operator = &web.Operator{Email: o.Email}
	}
	if site.SessionLoaded(ctx) {
		p.Flash = site.PopFlash(ctx, s.sessions, p.Lang)
	}
	return p
}

// madrid is the time zone the console shows times in (UTC if the system
// has no zone database).
var madrid = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Madrid"); err == nil {
		return l
	}
	return time.UTC
}()

// flash stores a one-time message for the next page.
func (s *Server) flash(ctx context.Context, kind web.FlashKind, key string, args ...any) {
	site.PutFlash(ctx, s.sessions, kind, key, args...)
}

// lang is the session's chosen language, else the browser's preference.
func (s *Server) lang(r *http.Request) i18n.Lang {
	if site.SessionLoaded(r.Context()) {
		if l, ok := i18n.Parse(s.sessions.GetString(r.Context(), sessLang)); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// handleLang handles POST /operator/lang: keeps the chosen language in the
// session and goes back to the console page the switch was on.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		s.clientError(w, r, http.StatusBadRequest, "error.notfound")
		return
	}
	s.sessions.Put(r.Context(), sessLang, string(l))
	http.Redirect(w, r, consolePath(r.PostFormValue("next")), http.StatusSeeOther)
}

// consolePath returns p if it is a path of the console, else the console's
// start: a "return to" value never leads elsewhere.
func consolePath(p string) string {
	if p = site.LocalPath(p, Prefix+"/"); strings.HasPrefix(p, Prefix+"/") {
		return p
	}
	return Prefix + "/"
}

// clientAddr is the client's IP address (accesslog.ClientIP, with
// TrustProxy).
func (s *Server) clientAddr(r *http.Request) string { return accesslog.ClientIP(r, s.trustProxy) }
