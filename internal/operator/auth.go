package operator

import (
	"context"
	"errors"
	"image/png"
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

// pendingTTL is how long the code may be typed once the password was
// right; then the sign-in starts again.
const pendingTTL = 5 * time.Minute

type ctxKey int

const operatorKey ctxKey = iota

func operatorFrom(ctx context.Context) (store.Operator, bool) {
	o, ok := ctx.Value(operatorKey).(store.Operator)
	return o, ok
}

// handleLogin handles GET /operator/login: the first step's form, with a
// fresh captcha.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetInt64(r.Context(), sessOperatorID) != 0 {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, strings.TrimSpace(s.sessions.PopString(r.Context(), sessLoginEmail)), "")
}

// handleCaptchaNew handles POST /operator/login/captcha: a new picture,
// keeping the typed e-mail.
func (s *Server) handleCaptchaNew(w http.ResponseWriter, r *http.Request) {
	email := chars.Truncate(strings.TrimSpace(r.PostFormValue("email")), login.MaxEmailChars)
	s.sessions.Put(r.Context(), sessLoginEmail, email)
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}

// handleLoginPost handles POST /operator/login: the e-mail, password and
// captcha through the login gate (login.Gate.Check), under the operators'
// own throttling keys and the client address's shared one. A disabled
// operator is checked as an unknown e-mail. When the password is right the
// session is renewed and remembers, for pendingTTL, whose code to ask for;
// an operator who has not enrolled gets a new secret to enrol with.
func (s *Server) handleLoginPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := s.lang(r)
	f := login.ReadForm(r)
	client := s.clientAddr(r)
	var op store.Operator
	res, err := s.login.Check(ctx, login.Operators, f, client, func(ctx context.Context, email string) (string, bool, error) {
		o, err := s.store.OperatorByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		op = o
		return o.PasswordHash, !o.Disabled, nil
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
		s.metrics.Login(metrics.AccountOperator, metrics.LoginIncomplete)
		s.renderLogin(w, r, http.StatusUnprocessableEntity, f.Email, lang.T("login.required"))
		return
	case login.CaptchaFailed:
		s.metrics.Login(metrics.AccountOperator, metrics.LoginCaptcha)
		s.renderLogin(w, r, http.StatusUnauthorized, f.Email, lang.T("login.failed"))
		return
	case login.Busy:
		s.metrics.Login(metrics.AccountOperator, metrics.LoginBusy)
		w.Header().Set("Retry-After", login.BusyRetryAfter)
		s.renderLogin(w, r, http.StatusServiceUnavailable, f.Email, lang.T("login.busy"))
		return
	case login.PasswordFailed:
		s.metrics.Login(metrics.AccountOperator, metrics.LoginFailed)
		if op.ID != 0 {
			if err := s.auditSelf(ctx, op, "operator.login_failed", map[string]string{"reason": "password", "client": client}); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.renderLogin(w, r, http.StatusUnauthorized, f.Email, lang.T("login.failed"))
		return
	}
	if !op.Enrolled {
		secret, err := newTOTPSecret(s.issuer, op.Email)
		if err == nil {
			err = s.store.SetOperatorPendingTOTP(ctx, op.ID, secret)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// A new token at every privilege change defeats session fixation.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Remove(ctx, sessOperatorID)
	s.sessions.Put(ctx, sessPendingID, op.ID)
	s.sessions.Put(ctx, sessPendingEpoch, op.SessionEpoch)
	s.sessions.Put(ctx, sessPendingUntil, s.now().Add(pendingTTL).Unix())
	http.Redirect(w, r, Prefix+"/login/code", http.StatusSeeOther)
}

// pending returns the operator whose password was right in this session,
// within pendingTTL, still enabled and under the same session epoch; false
// when there is none (the pending sign-in is then forgotten).
func (s *Server) pending(ctx context.Context) (store.Operator, bool, error) {
	id := s.sessions.GetInt64(ctx, sessPendingID)
	if id == 0 {
		return store.Operator{}, false, nil
	}
	o, err := s.store.OperatorByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	if err != nil {
		return store.Operator{}, false, err
	}
	if o.ID == 0 || o.Disabled || o.SessionEpoch != s.sessions.GetInt(ctx, sessPendingEpoch) ||
		!s.now().Before(time.Unix(s.sessions.GetInt64(ctx, sessPendingUntil), 0)) {
		s.forgetPending(ctx)
		return store.Operator{}, false, nil
	}
	return o, true, nil
}

func (s *Server) forgetPending(ctx context.Context) {
	for _, k := range []string{sessPendingID, sessPendingEpoch, sessPendingUntil} {
		s.sessions.Remove(ctx, k)
	}
}

// handleCode handles GET /operator/login/code: the code's form, after the
// QR code to enrol with when the operator has not enrolled.
func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	o, ok, err := s.pending(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.flash(r.Context(), web.FlashInfo, "op.code.expired")
		http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
		return
	}
	s.renderCode(w, r, http.StatusOK, o, "")
}

// handleCodePost handles POST /operator/login/code. The code is checked
// through the login gate's second step (login.Gate.CheckSecond): each
// wrong code counts against the operator and the client address like a
// wrong password, and a locked sign-in starts again from the password. A
// code is taken once (store.UseTOTPStep), across every instance; at the
// first sign-in the right code enrols the secret shown. Then the session
// is renewed and signed in.
func (s *Server) handleCodePost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := s.lang(r)
	o, ok, err := s.pending(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.flash(ctx, web.FlashInfo, "op.code.expired")
		http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
		return
	}
	code := chars.Truncate(strings.TrimSpace(r.PostFormValue("code")), maxCodeChars)
	if code == "" {
		s.renderCode(w, r, http.StatusUnprocessableEntity, o, lang.T("op.code.required"))
		return
	}
	client := s.clientAddr(r)
	enrolling := !o.Enrolled
	res, err := s.login.CheckSecond(ctx, login.Operators, o.Email, client, func(ctx context.Context) (bool, error) {
		if enrolling {
			secret, err := s.store.OperatorPendingTOTP(ctx, o.ID)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			} else if err != nil {
				return false, err
			}
			step, ok := checkTOTP(secret, code, s.now())
			if !ok {
				return false, nil
			}
			err = s.store.EnrollOperatorTOTP(ctx, o.ID, secret, step)
			if errors.Is(err, store.ErrConflict) {
				return false, nil
			}
			return err == nil, err
		}
		secret, err := s.store.OperatorTOTPSecret(ctx, o.ID)
		if err != nil {
			return false, err
		}
		step, ok := checkTOTP(secret, code, s.now())
		if !ok {
			return false, nil
		}
		return s.store.UseTOTPStep(ctx, o.ID, step)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch res.Outcome {
	case login.Throttled:
		s.forgetPending(ctx)
		s.renderThrottled(w, r, o.Email, res.Wait)
		return
	case login.SecondFailed:
		s.metrics.Login(metrics.AccountOperator, metrics.LoginCodeFailed)
		if err := s.auditSelf(ctx, o, "operator.login_failed", map[string]string{"reason": "code", "client": client}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderCode(w, r, http.StatusUnauthorized, o, lang.T("op.code.failed"))
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.forgetPending(ctx)
	s.sessions.Put(ctx, sessOperatorID, o.ID)
	s.sessions.Put(ctx, sessEpoch, o.SessionEpoch)
	s.metrics.Login(metrics.AccountOperator, metrics.LoginSuccess)
	if enrolling {
		if err := s.auditSelf(ctx, o, "operator.enrolled", map[string]string{"client": client}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.flash(ctx, web.FlashSuccess, "op.enrol.done")
	}
	if err := s.auditSelf(ctx, o, "operator.login", map[string]string{"client": client}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

// handleQR handles GET /operator/login/qr.png: the QR code of the secret
// the pending operator enrols with (an image of this site, which the
// Content Security Policy allows; never cached).
func (s *Server) handleQR(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	o, ok, err := s.pending(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok || o.Enrolled {
		s.notFound(w, r)
		return
	}
	secret, err := s.store.OperatorPendingTOTP(ctx, o.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	qr, err := totpQR(s.issuer, o.Email, secret, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	if err := png.Encode(w, qr); err != nil {
		s.logger.WarnContext(ctx, "TOTP QR code", "error", err)
	}
}

// requireOperator lets a request through only with a signed-in operator's
// session: the operator exists, is enabled and enrolled, and the session
// was started under their current session epoch (a password reset or a
// disable ends older sessions).
func (s *Server) requireOperator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessOperatorID)
		if id == 0 {
			http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
			return
		}
		o, err := s.store.OperatorByID(ctx, id)
		if err == nil && (o.Disabled || !o.Enrolled || o.SessionEpoch != s.sessions.GetInt(ctx, sessEpoch)) {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			if err := s.sessions.RenewToken(ctx); err != nil {
				s.serverError(w, r, err)
				return
			}
			s.sessions.Remove(ctx, sessOperatorID)
			s.sessions.Remove(ctx, sessEpoch)
			s.flash(ctx, web.FlashInfo, "op.expired")
			http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, operatorKey, o)))
	})
}

// handleLogout handles POST /operator/logout: ends the session, keeps the
// language.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	o, _ := operatorFrom(ctx)
	if err := s.auditSelf(ctx, o, "operator.logout", nil); err != nil {
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
	s.flash(ctx, web.FlashInfo, "op.logout.done")
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}

// auditSelf writes what an operator did to their own account (signed in,
// enrolled, failed a sign-in) to the operator audit log.
func (s *Server) auditSelf(ctx context.Context, o store.Operator, action string, detail map[string]string) error {
	return s.store.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: store.ActorOperator, Actor: o.Email,
		Action: action, Detail: detail})
}

// renderThrottled shows the sign-in form saying for how long sign-in is
// locked.
func (s *Server) renderThrottled(w http.ResponseWriter, r *http.Request, email string, wait time.Duration) {
	s.metrics.LoginThrottled(metrics.AccountOperator)
	minutes := int(math.Ceil(wait.Minutes()))
	s.renderLogin(w, r, http.StatusTooManyRequests, email, s.lang(r).T("login.throttled", minutes))
}

// renderLogin shows the first step's form with a new captcha: the
// portal's form, posting to the console.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	p := s.newPage(r, "op.login.title")
	s.render(w, r, status, web.LoginPage(p, web.LoginView{Email: email, Error: msg, CaptchaToken: s.login.NewCaptcha()}))
}

// renderCode shows the code's form, with the enrolment for an operator who
// has not enrolled.
func (s *Server) renderCode(w http.ResponseWriter, r *http.Request, status int, o store.Operator, msg string) {
	vm := web.CodeView{Email: o.Email, Error: msg, Enrol: !o.Enrolled}
	title := "op.code.title"
	if vm.Enrol {
		secret, err := s.store.OperatorPendingTOTP(r.Context(), o.ID)
		if errors.Is(err, store.ErrNotFound) {
			// Enrolled meanwhile, or reset: the sign-in starts again.
			s.forgetPending(r.Context())
			s.flash(r.Context(), web.FlashInfo, "op.code.expired")
			http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		vm.QRURL = Prefix + "/login/qr.png"
		vm.Secret = groupSecret(secret)
		title = "op.enrol.title"
	}
	s.render(w, r, status, web.CodePage(s.newPage(r, title), vm))
}
