// Package login is the one sign-in check of the gateway, for the company
// administrators of the portal and the carrier's operators of the console
// alike: a captcha used once across every instance, throttling per account
// and per client address that holds under concurrency (counted in
// PostgreSQL, so across instances too), password checks bounded in number
// and never queued, and an unknown e-mail that costs as much as a wrong
// password. It knows nothing of pages or sessions: the portal and the
// console render its outcome and start their own kind of session.
package login

import (
	"cmp"
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/captcha"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
)

// Throttling: this many attempts within the window lock further attempts
// for that account, or from that client address, until the oldest leaves
// the window. A password check counts from the moment it starts; a failed
// captcha counts against the address only.
const (
	ThrottleWindow     = 15 * time.Minute
	MaxAccountFailures = 5
	MaxAddressFailures = 20
)

// Lengths a login form's fields are cut to, in characters.
const (
	MaxEmailChars    = 320
	maxPasswordChars = 1024
	maxCaptchaChars  = 64
)

// BusyRetryAfter is the Retry-After, in seconds, of a sign-in refused
// because every password-hashing slot is taken (a check takes under a
// second).
const BusyRetryAfter = "1"

// Options builds a Gate.
type Options struct {
	Store *store.Store
	// Box seals the captchas (SECRET_KEY), so that every instance can read
	// them. Required.
	Box *secretbox.Box
	// CaptchaSolution fixes the captcha's digits (dev mode, browser tests).
	CaptchaSolution string
	// HashSlots bounds the password checks that run at once (argon2id, 64
	// MiB each); 0 means the number of CPUs.
	HashSlots int
	// CheckPassword checks a password against its stored hash; nil means
	// password.Check. Tests hold or count the checks with it.
	CheckPassword func(pw, hash string) (bool, error)
	// PasswordParams is the argon2id cost of the accounts' hashes, which a
	// sign-in with an unknown e-mail pays too (zero: password.Default).
	PasswordParams password.Params
	// Now is the clock of the captchas; nil means time.Now.
	Now func() time.Time
}

// Gate checks sign-ins. One Gate serves the whole process, so that its
// hashing slots bound every password check, whichever kind of account.
type Gate struct {
	store     *store.Store
	captchas  *captcha.Maker
	slots     *password.Limiter
	check     func(pw, hash string) (bool, error)
	dummyHash func() string
}

// New returns a Gate.
func New(o Options) *Gate {
	g := &Gate{
		store:    o.Store,
		captchas: captcha.NewMaker(o.Box, o.CaptchaSolution, o.Now),
		slots:    password.NewLimiter(cmp.Or(o.HashSlots, runtime.GOMAXPROCS(0))),
		check:    o.CheckPassword,
	}
	if o.CheckPassword == nil {
		g.check = password.Check
	}
	params := o.PasswordParams
	if params == (password.Params{}) {
		params = password.Default
	}
	g.dummyHash = sync.OnceValue(func() string {
		h, _ := password.Hash("no such account", params)
		return h
	})
	return g
}

// NewCaptcha returns a fresh captcha's sealed token, for a login form:
// nothing is stored for it until it is answered.
func (g *Gate) NewCaptcha() string {
	_, token := g.captchas.New()
	return token
}

// Captcha opens a captcha token (its picture and sound are drawn from it).
func (g *Gate) Captcha(token string) (captcha.Challenge, bool) { return g.captchas.Open(token) }

// Form is what a login form posts, cut to bounded lengths.
type Form struct {
	Email        string // normalized (store.NormalizeEmail)
	Password     string
	CaptchaToken string
	Captcha      string
}

// ReadForm reads a login form.
func ReadForm(r *http.Request) Form {
	return Form{
		Email:        store.NormalizeEmail(chars.Truncate(r.PostFormValue("email"), MaxEmailChars)),
		Password:     chars.Truncate(r.PostFormValue("password"), maxPasswordChars),
		CaptchaToken: r.PostFormValue("captcha_token"),
		Captcha:      chars.Truncate(r.PostFormValue("captcha"), maxCaptchaChars),
	}
}

// Kind names a kind of account: its throttling keys are its own, the
// address's are shared by every kind.
type Kind string

// The kinds of account.
const (
	Admins    Kind = "account"
	Operators Kind = "operator"
)

// Outcome is how a sign-in check ended.
type Outcome int

// The outcomes.
const (
	// Success: the password is right; the attempt was taken back.
	Success Outcome = iota
	// Throttled: the account or the address is locked for Result.Wait.
	Throttled
	// Incomplete: a field was left empty.
	Incomplete
	// CaptchaFailed: the captcha was wrong, used or expired.
	CaptchaFailed
	// PasswordFailed: a wrong password, or an unknown account.
	PasswordFailed
	// Busy: every hashing slot is taken; try again in BusyRetryAfter.
	Busy
	// SecondFailed: the later step's answer (CheckSecond) was wrong.
	SecondFailed
)

// Result is a sign-in check's outcome.
type Result struct {
	Outcome Outcome
	// Wait is how long sign-in stays locked (Throttled).
	Wait time.Duration
}

// Lookup finds the account of an e-mail: its password hash, and whether
// there is one that may sign in (false for an unknown, disabled or
// switched-off one, which is then checked against a dummy hash at the
// same cost).
type Lookup func(ctx context.Context, email string) (hash string, ok bool, err error)

// Check runs a sign-in in this order, each step cheaper than the next and
// none of them skipped:
//
//  1. a locked account or address is told so;
//  2. the captcha is used up, once across every instance, and only the
//     request that used it has its answer compared; a wrong answer counts
//     against the client address alone (it proves nothing about the
//     password) and is never followed by a password hash;
//  3. a password-hashing slot is taken, or the caller is told to have the
//     client try again in a moment: hashes are never queued;
//  4. the attempt is counted against the account and the address before the
//     password is checked, so that guesses in flight count;
//  5. the password is checked (an account lookup refuses against a dummy
//     hash, at the same cost); a right one takes back its own attempt,
//     nothing else.
func (g *Gate) Check(ctx context.Context, kind Kind, f Form, client string, lookup Lookup) (Result, error) {
	account := store.LoginLimit{Key: string(kind) + ":" + f.Email, Max: MaxAccountFailures}
	addr := store.LoginLimit{Key: "addr:" + client, Max: MaxAddressFailures}
	if wait, err := g.store.LoginWait(ctx, ThrottleWindow, account, addr); err != nil || wait > 0 {
		return Result{Outcome: Throttled, Wait: wait}, err
	}
	if f.Email == "" || f.Password == "" || strings.TrimSpace(f.Captcha) == "" {
		return Result{Outcome: Incomplete}, nil
	}
	if ok, err := g.useCaptcha(ctx, f.CaptchaToken, f.Captcha); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{Outcome: CaptchaFailed}, g.store.RecordLoginFailure(ctx, addr.Key)
	}
	if !g.slots.TryAcquire() {
		return Result{Outcome: Busy}, nil
	}
	defer g.slots.Release()
	attempt, wait, err := g.store.ReserveLoginAttempt(ctx, ThrottleWindow, account, addr)
	if err != nil || wait > 0 {
		return Result{Outcome: Throttled, Wait: wait}, err
	}
	hash, known, err := lookup(ctx, f.Email)
	if err != nil {
		return Result{}, err
	}
	if !known {
		hash = g.dummyHash()
	}
	ok, err := g.check(f.Password, hash)
	if err != nil {
		return Result{}, err
	}
	if !ok || !known {
		return Result{Outcome: PasswordFailed}, nil
	}
	return Result{Outcome: Success}, g.store.ForgetLoginAttempt(ctx, attempt)
}

// CheckSecond runs a later step of a sign-in that passed Check (an
// operator's TOTP code) under the same throttling as the password: a
// locked account or address is told so (Throttled); the attempt is counted
// against both before verify runs, so that guesses in flight count; a
// wrong answer stays counted (SecondFailed), a right one takes back its
// own attempt (Success).
func (g *Gate) CheckSecond(ctx context.Context, kind Kind, email, client string, verify func(context.Context) (bool, error)) (Result, error) {
	account := store.LoginLimit{Key: string(kind) + ":" + email, Max: MaxAccountFailures}
	addr := store.LoginLimit{Key: "addr:" + client, Max: MaxAddressFailures}
	attempt, wait, err := g.store.ReserveLoginAttempt(ctx, ThrottleWindow, account, addr)
	if err != nil || wait > 0 {
		return Result{Outcome: Throttled, Wait: wait}, err
	}
	ok, err := verify(ctx)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{Outcome: SecondFailed}, nil
	}
	return Result{Outcome: Success}, g.store.ForgetLoginAttempt(ctx, attempt)
}

// useCaptcha opens the posted captcha token and records its use, once
// across every instance, before it compares the answer: of any number of
// requests carrying one captcha, at most one has its answer evaluated.
func (g *Gate) useCaptcha(ctx context.Context, token, answer string) (bool, error) {
	c, ok := g.captchas.Open(token)
	if !ok {
		return false, nil
	}
	first, err := g.store.UseCaptcha(ctx, c.ID, c.Expires)
	if err != nil || !first {
		return false, err
	}
	return captcha.Verify(c, answer), nil
}
