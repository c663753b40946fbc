package portal

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/a-h/templ"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/web"
)

// Session keys.
const (
	sessAdminID = "admin_id"
	sessEpoch   = "session_epoch"
	sessLang    = "lang"
)

// render writes a component with status, through a buffer so that a render
// error still produces a clean 500.
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
	s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

// clientError shows an error page with status and a translated message.
func (s *Server) clientError(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.errorPage(w, r, status, key)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error.notfound")
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	site.ErrorPage(w, r, status, s.newPage(r, "error.title"), key)
}

// newPage builds the chrome of a page: language, signed-in administrator
// and the company's time zone, one pending flash message, the year for the
// footer.
func (s *Server) newPage(r *http.Request, titleKey string) web.Page {
	ctx := r.Context()
	p := web.Page{Lang: s.lang(r), Path: r.URL.Path, Year: s.now().Year(), Zone: time.UTC}
	p.Title = p.T(titleKey)
	if a, ok := adminFrom(ctx); ok {
		p.Admin = &web.Admin{Email: a.Admin.Email, CompanyName: a.Company.Name}
		p.Zone = zone(a.Company.TimeZone)
	}
	if site.SessionLoaded(ctx) {
		p.Flash = site.PopFlash(ctx, s.sessions, p.Lang)
	}
	return p
}

// flash stores a one-time message for the next page; args fill in the
// translated text (integers stay integers, so counts get their plural).
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
