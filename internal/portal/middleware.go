package portal

import (
	"context"
	"errors"
	"net/http"

	"github.com/conecta-zoho/gateway/internal/accesslog"
	"github.com/conecta-zoho/gateway/internal/store"
)

type ctxKey int

const adminKey ctxKey = iota

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
		var a store.Admin
		var c store.Company
		var err error
		if p, ok := seatsPageFrom(ctx); ok && p.Admin.ID == id {
			a, c = p.Admin, p.Company // read with the session
		} else {
			a, c, err = s.store.AdminWithCompany(ctx, id)
		}
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
