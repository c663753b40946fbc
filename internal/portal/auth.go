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
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// Login throttling: this many attempts within the window lock further
// attempts for that account, or from that client address, until the oldest
// leaves the window. A password check counts from the moment it starts; a
// failed captcha counts against the address only.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
)

// Lengths the login form's fields are cut to, in characters.
const (
	maxEmailChars    = 320
	maxPasswordChars = 1024
	maxCaptchaChars  = 64
)

// busyRetryAfter is the Retry-After, in seconds, of a login refused because
// every password-hashing slot is taken (a check takes under a second).
const busyRetryAfter = "1"

// newDummyHash returns the hash checked when the e-mail is unknown, so
// that a wrong e-mail takes as long as a wrong password: it is made with the
// cost of the administrators' hashes (Options.PasswordParams), once.
func newDummyHash(p password.Params) func() string {
	return sync.OnceValue(func() string {
		h, _ := password.Hash("no such administrator", p)
		return h
	})
}

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
	email := chars.Truncate(strings.TrimSpace(r.PostFormValue("email")), maxEmailChars)
	s.sessions.Put(r.Context(), "login_email", email)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleLoginPost handles POST /login. In this order, each step cheaper
// than the next and none of them skipped:
//
//  1. a locked account or address is told so;
//  2. the captcha is used up, once across every instance, and only the
//     request that used it has its answer compared; a wrong answer counts
//     against the client address alone (it proves nothing about the
//     password) and is never followed by a password hash;
//  3. a password-hashing slot is taken, or the client is told to try again
//     in a moment (503 with Retry-After): hashes are never queued;
//  4. the attempt is counted against the account and the address before the
//     password is checked, so that guesses in flight count;
//  5. the password is checked (an unknown e-mail against a dummy hash, at
//     the same cost); a right one takes back its own attempt, nothing else.
//
// Every failure shows the same message and a fresh captcha.
func (s *Server) handleLoginPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := s.lang(r)
	email := store.NormalizeEmail(chars.Truncate(r.PostFormValue("email"), maxEmailChars))
	pw := chars.Truncate(r.PostFormValue("password"), maxPasswordChars)
	answer := chars.Truncate(r.PostFormValue("captcha"), maxCaptchaChars)
	client := s.clientAddr(r)
	account := store.LoginLimit{Key: "account:" + email, Max: maxAccountFailures}
	addr := store.LoginLimit{Key: "addr:" + client, Max: maxAddressFailures}

	if wait, err := s.store.LoginWait(ctx, throttleWindow, account, addr); err != nil {
		s.serverError(w, r, err)
		return
	} else if wait > 0 {
		s.renderThrottled(w, r, email, wait)
		return
	}
	if email == "" || pw == "" || strings.TrimSpace(answer) == "" {
		s.metrics.Login(metrics.LoginIncomplete)
		s.renderLogin(w, r, http.StatusUnprocessableEntity, email, lang.T("login.required"))
		return
	}

	if ok, err := s.useCaptcha(ctx, r.PostFormValue("captcha_token"), answer); err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.metrics.Login(metrics.LoginCaptcha)
		if err := s.store.RecordLoginFailure(ctx, addr.Key); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderLogin(w, r, http.StatusUnauthorized, email, lang.T("login.failed"))
		return
	}

	if !s.hashSlots.TryAcquire() {
		s.metrics.Login(metrics.LoginBusy)
		w.Header().Set("Retry-After", busyRetryAfter)
		s.renderLogin(w, r, http.StatusServiceUnavailable, email, lang.T("login.busy"))
		return
	}
	defer s.hashSlots.Release()
	attempt, wait, err := s.store.ReserveLoginAttempt(ctx, throttleWindow, account, addr)
	if err != nil {
		s.serverError(w, r, err)
		return
	} else if wait > 0 {
		s.renderThrottled(w, r, email, wait)
		return
	}
	admin, err := s.store.AdminByEmail(ctx, email)
	hash := admin.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = s.dummyHash()
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	pwOK, err := s.checkPassword(pw, hash)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !pwOK || admin.ID == 0 {
		s.metrics.Login(metrics.LoginFailed)
		if admin.ID != 0 {
			if err := s.store.Audit(ctx, admin.CompanyID, email, "login.failed",
				map[string]string{"reason": "password", "client": client}); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.renderLogin(w, r, http.StatusUnauthorized, email, lang.T("login.failed"))
		return
	}

	if err := s.store.ForgetLoginAttempt(ctx, attempt); err != nil {
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
	s.metrics.Login(metrics.LoginSuccess)
	if err := s.store.Audit(ctx, admin.CompanyID, email, "login", map[string]string{"client": client}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/home", http.StatusSeeOther)
}

// useCaptcha opens the posted captcha token and records its use, once
// across every instance, before it compares the answer: of any number of
// requests carrying one captcha, at most one has its answer evaluated.
func (s *Server) useCaptcha(ctx context.Context, token, answer string) (bool, error) {
	c, ok := s.captchas.Open(token)
	if !ok {
		return false, nil
	}
	first, err := s.store.UseCaptcha(ctx, c.ID, c.Expires)
	if err != nil || !first {
		return false, err
	}
	return captcha.Verify(c, answer), nil
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
	s.metrics.LoginThrottled()
	minutes := int(math.Ceil(wait.Minutes()))
	s.renderLogin(w, r, http.StatusTooManyRequests, email, s.lang(r).T("login.throttled", minutes))
}

// renderLogin shows the login form with a new captcha, whose sealed token
// goes in the form: nothing is stored for it until it is answered.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	_, token := s.captchas.New()
	p := s.newPage(r, "login.title")
	s.render(w, r, status, web.LoginPage(p, web.LoginView{Email: email, Error: msg, CaptchaToken: token}))
}
