package portal

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/captcha"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// Login throttling: this many failures within the window lock further
// attempts for that account, or from that client address, until the oldest
// failure leaves the window.
const (
	throttleWindow      = 15 * time.Minute
	maxAccountFailures  = 5
	maxAddressFailures  = 20
	maxLoginFieldLength = 320
)

// dummyHash is checked when the e-mail is unknown, so that a wrong e-mail
// takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("no such administrator", password.Default)
	return h
})

// handleLogin handles GET /login: the login form with a fresh captcha.
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
	email := truncate(strings.TrimSpace(r.PostFormValue("email")), maxLoginFieldLength)
	s.sessions.Put(r.Context(), "login_email", email)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleLoginPost handles POST /login: checks throttling, the captcha (which
// is single-use), the e-mail and the password, in that order, and answers
// every failure with the same message and a fresh captcha.
func (s *Server) handleLoginPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := store.NormalizeEmail(truncate(r.PostFormValue("email"), maxLoginFieldLength))
	pw := truncate(r.PostFormValue("password"), 1024)
	answer := truncate(r.PostFormValue("captcha"), 64)
	challenge := s.popCaptcha(ctx)
	lang := s.lang(r)

	keys := []string{"account:" + email, "addr:" + s.clientAddr(r)}
	if wait, err := s.lockedFor(ctx, keys); err != nil {
		s.serverError(w, r, err)
		return
	} else if wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		s.renderLogin(w, r, http.StatusTooManyRequests, email, lang.T("login.throttled", minutes))
		return
	}

	if email == "" || pw == "" || strings.TrimSpace(answer) == "" {
		s.renderLogin(w, r, http.StatusUnprocessableEntity, email, lang.T("login.required"))
		return
	}

	admin, err := s.store.AdminByEmail(ctx, email)
	hash := admin.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = dummyHash()
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	captchaOK := captcha.Verify(challenge, answer)
	pwOK, err := password.Check(pw, hash)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !captchaOK || !pwOK || admin.ID == 0 {
		if err := s.store.RecordLoginFailure(ctx, keys...); err != nil {
			s.serverError(w, r, err)
			return
		}
		if admin.ID != 0 {
			reason := "password"
			if !captchaOK {
				reason = "captcha"
			}
			if err := s.store.Audit(ctx, admin.CompanyID, email, "login.failed",
				map[string]string{"reason": reason, "client": s.clientAddr(r)}); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.renderLogin(w, r, http.StatusUnauthorized, email, lang.T("login.failed"))
		return
	}

	if err := s.store.ClearLoginFailures(ctx, keys[0]); err != nil {
		s.serverError(w, r, err)
		return
	}
	// A new token at every privilege change defeats session fixation.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessAdminID, admin.ID)
	s.sessions.Put(ctx, sessEpoch, admin.SessionEpoch)
	if err := s.store.Audit(ctx, admin.CompanyID, email, "login", map[string]string{"client": s.clientAddr(r)}); err != nil {
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

// lockedFor says how long sign-in stays locked for any of keys.
func (s *Server) lockedFor(ctx context.Context, keys []string) (time.Duration, error) {
	var wait time.Duration
	for i, key := range keys {
		limit := maxAccountFailures
		if i > 0 {
			limit = maxAddressFailures
		}
		f, err := s.store.RecentLoginFailures(ctx, key, throttleWindow)
		if err != nil {
			return 0, err
		}
		if f.Count >= limit {
			wait = max(wait, f.Oldest.Add(throttleWindow).Sub(s.now()))
		}
	}
	return wait, nil
}

// renderLogin shows the login form with a new captcha.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	c := s.captchas.New()
	s.sessions.Put(r.Context(), sessCaptchaID, c.ID)
	s.sessions.Put(r.Context(), sessCaptcha, c.Digits)
	p := s.newPage(r, "login.title")
	s.render(w, r, status, web.LoginPage(p, web.LoginView{Email: email, Error: msg, CaptchaID: c.ID}))
}

// popCaptcha takes the session's captcha out, so it can be tried once.
func (s *Server) popCaptcha(ctx context.Context) captcha.Challenge {
	return captcha.Challenge{ID: s.sessions.PopString(ctx, sessCaptchaID), Digits: s.sessions.PopString(ctx, sessCaptcha)}
}

func truncate(v string, n int) string {
	if len(v) > n {
		return v[:n]
	}
	return v
}
