package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/web"
)

// Session keys.
const (
	sessAdminID   = "admin_id"
	sessEpoch     = "session_epoch"
	sessLang      = "lang"
	sessFlashKind = "flash_kind"
	sessFlashKey  = "flash_key"
	sessFlashArg  = "flash_arg"
)

// render writes a component with status, through a buffer so that a render
// error still produces a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
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
	p := s.newPage(r, "error.title")
	var buf bytes.Buffer
	if err := web.ErrorPage(p, web.ErrorView{Message: p.T(key)}).Render(r.Context(), &buf); err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
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
	if s.sessionLoaded(ctx) {
		if key := s.sessions.PopString(ctx, sessFlashKey); key != "" {
			kind := web.FlashKind(s.sessions.PopString(ctx, sessFlashKind))
			args := decodeFlashArgs(s.sessions.PopString(ctx, sessFlashArg))
			p.Flash = web.Flash{Kind: kind, Message: p.T(key, args...)}
		}
	}
	return p
}

// flash stores a one-time message for the next page; args fill in the
// translated text (integers stay integers, so counts get their plural).
func (s *Server) flash(ctx context.Context, kind web.FlashKind, key string, args ...any) {
	s.sessions.Put(ctx, sessFlashKind, string(kind))
	s.sessions.Put(ctx, sessFlashKey, key)
	s.sessions.Remove(ctx, sessFlashArg)
	if len(args) > 0 {
		if b, err := json.Marshal(args); err == nil {
			s.sessions.Put(ctx, sessFlashArg, string(b))
		}
	}
}

// decodeFlashArgs reads flash arguments back: whole numbers as int, the
// rest as strings.
func decodeFlashArgs(raw string) []any {
	if raw == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil
	}
	for i, v := range vals {
		switch v := v.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				vals[i] = int(n)
			} else {
				vals[i] = v.String()
			}
		case string:
		default:
			vals[i] = fmt.Sprint(v)
		}
	}
	return vals
}

// lang is the session's chosen language, else the browser's preference.
func (s *Server) lang(r *http.Request) i18n.Lang {
	if s.sessionLoaded(r.Context()) {
		if l, ok := i18n.Parse(s.sessions.GetString(r.Context(), sessLang)); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// sessionLoaded reports whether the session middleware ran for this request
// (error pages can be rendered outside it, for instance for a 404).
func (s *Server) sessionLoaded(ctx context.Context) bool {
	loaded, _ := ctx.Value(sessionKey).(bool)
	return loaded
}

// staticFiles serves the embedded assets; their URLs carry a content hash,
// so they may be cached for a year.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}
