package portal

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// handleLogin handles GET /login: the login form with a fresh captcha. A
// visitor without a session gets none: the captcha travels in the form.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetInt64(r.Context(), sessAdminID) != 0 {
		http.Redirect(w, r, "/home", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, strings.TrimSpace(s.sessions.PopString(r.Context(), "login_email")), "")
}

// handleCaptchaNew handles POST /login/captcha: the "new picture" button of
// the login form, which keeps what was typed in the e-mail field.
func (s *Server) handleCaptchaNew(w http.ResponseWriter, r *http.Request) {
	email := chars.Truncate(strings.TrimSpace(r.PostFormValue("email")), login.MaxEmailChars)
	s.sessions.Put(r.Context(), "login_email", email)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleLoginPost handles POST /login through the login gate (see
// login.Gate.Check for its steps). An administrator of a switched-off
// company cannot sign in: they are checked as an unknown e-mail. Every
// failure shows the same message and a fresh captcha; the known
// administrator's failures are in their company's audit log.
func (s *Server) handleLoginPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := s.lang(r)
	f := login.ReadForm(r)
	client := s.clientAddr(r)
	var admin store.Admin
	res, err := s.login.Check(ctx, login.Admins, f, client, func(ctx context.Context, email string) (string, bool, error) {
		a, err := s.store.AdminByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		acct, err := s.store.AccountByID(ctx, a.CompanyID)
		if err != nil {
			return "", false, err
		}
		admin = a
		return a.PasswordHash, !acct.Off(), nil
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch res.Outcome {
	case login.Throttled:
		s.renderThrottled(w, r, f.Email, res.Wait)
		return
	case login.Incomplete:
		s.metrics.Login(metrics.AccountAdministrator, metrics.LoginIncomplete)
		s.renderLogin(w, r, http.StatusUnprocessableEntity, f.Email, lang.T("login.required"))
		return
	case login.CaptchaFailed:
		s.metrics.Login(metrics.AccountAdministrator, metrics.LoginCaptcha)
		s.renderLogin(w, r, http.StatusUnauthorized, f.Email, lang.T("login.failed"))
		return
	case login.Busy:
		s.metrics.Login(metrics.AccountAdministrator, metrics.LoginBusy)
		w.Header().Set("Retry-After", login.BusyRetryAfter)
		s.renderLogin(w, r, http.StatusServiceUnavailable, f.Email, lang.T("login.busy"))
		return
	case login.PasswordFailed:
		s.metrics.Login(metrics.AccountAdministrator, metrics.LoginFailed)
		if admin.ID != 0 {
			if err := s.store.Audit(ctx, admin.CompanyID, f.Email, "login.failed",
				map[string]string{"reason": "password", "client": client}); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.renderLogin(w, r, http.StatusUnauthorized, f.Email, lang.T("login.failed"))
		return
	}
	// A new token at every privilege change defeats session fixation.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessAdminID, admin.ID)
	s.sessions.Put(ctx, sessEpoch, admin.SessionEpoch)
	s.metrics.Login(metrics.AccountAdministrator, metrics.LoginSuccess)
	if err := s.store.Audit(ctx, admin.CompanyID, f.Email, "login", map[string]string{"client": client}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/home", http.StatusSeeOther)
}

// handleLogout handles POST /logout: ends the login, keeps the language.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "logout", nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	lang := s.sessions.GetString(ctx, sessLang)
	if err := s.sessions.Destroy(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if lang != "" {
		s.sessions.Put(ctx, sessLang, lang)
	}
	s.flash(ctx, web.FlashInfo, "logout.done")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// renderThrottled shows the login form saying for how long sign-in is
// locked.
func (s *Server) renderThrottled(w http.ResponseWriter, r *http.Request, email string, wait time.Duration) {
	s.metrics.LoginThrottled(metrics.AccountAdministrator)
	minutes := int(math.Ceil(wait.Minutes()))
	s.renderLogin(w, r, http.StatusTooManyRequests, email, s.lang(r).T("login.throttled", minutes))
}

// renderLogin shows the login form with a new captcha, whose sealed token
// goes in the form: nothing is stored for it until it is answered.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	p := s.newPage(r, "login.title")
	s.render(w, r, status, web.LoginPage(p, web.LoginView{Email: email, Error: msg, CaptchaToken: s.login.NewCaptcha()}))
}
