package operator_test

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

const (
	opEmail    = "ana@orange.example"
	opPassword = "operator password 1"
)

// TestSignInWithTOTP: the password through the login gate, then the
// enrolment at the first sign-in (a QR code image and the key in text;
// the code computed from it), a code good once, and the code asked at
// every later sign-in, without the QR code.
func TestSignInWithTOTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.operator(t, opEmail, opPassword)
	c := e.client(t)

	wantRedirect(t, c.get("/operator/"), "/operator/login")
	wantStatus(t, c.password(opEmail, "wrong password"), http.StatusUnauthorized)
	wantRedirect(t, c.get("/operator/login/code"), "/operator/login")

	wantRedirect(t, c.password(opEmail, opPassword), "/operator/login/code")
	// The first step alone reaches no console page.
	wantRedirect(t, c.get("/operator/"), "/operator/login")
	page := c.get("/operator/login/code")
	wantStatus(t, page, http.StatusOK)
	src, _ := page.doc(t).Find("[data-testid=totp-qr]").Attr("src")
	if src != "/operator/login/qr.png" {
		t.Fatalf("QR code at %q", src)
	}
	qr := c.get(src)
	wantStatus(t, qr, http.StatusOK)
	if ct := qr.header.Get("Content-Type"); ct != "image/png" || qr.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("QR code served as %q, Cache-Control %q", ct, qr.header.Get("Cache-Control"))
	}
	if img, err := png.Decode(bytes.NewReader([]byte(qr.body))); err != nil || img.Bounds().Dx() != 200 {
		t.Fatalf("QR code image: %v", err)
	}
	secret := page.text(t, "[data-testid=totp-secret]")
	if len(secret) < 32 {
		t.Fatalf("secret shown: %q", secret)
	}
	c.secret = strings.ReplaceAll(secret, " ", "")

	now := time.Now()
	wantStatus(t, c.post("/operator/login/code", url.Values{"code": {wrongCode(t, c.secret, now)}}), http.StatusUnauthorized)
	wantRedirect(t, c.post("/operator/login/code", url.Values{"code": {code(t, c.secret, now)}}), "/operator/")
	home := c.get("/operator/")
	wantStatus(t, home, http.StatusOK)
	if got := home.text(t, "[data-testid=operator-email]"); got != opEmail {
		t.Fatalf("signed in as %q", got)
	}
	wantStatus(t, c.get("/operator/login/qr.png"), http.StatusNotFound)

	// Another sign-in: the code is asked, no QR code is shown, and the code
	// that enrolled is not taken again.
	d := e.client(t)
	wantRedirect(t, d.password(opEmail, opPassword), "/operator/login/code")
	page = d.get("/operator/login/code")
	if page.doc(t).Find("[data-testid=totp-qr]").Length() != 0 || page.text(t, "[data-testid=totp-secret]") != "" {
		t.Fatal("the enrolment is shown again")
	}
	wantStatus(t, d.get("/operator/login/qr.png"), http.StatusNotFound)
	wantStatus(t, d.post("/operator/login/code", url.Values{"code": {code(t, c.secret, now)}}), http.StatusUnauthorized)
	wantRedirect(t, d.post("/operator/login/code", url.Values{"code": {code(t, c.secret, now.Add(30*time.Second))}}), "/operator/")
	wantStatus(t, d.get("/operator/"), http.StatusOK)

	log, err := e.store.OperatorAuditLog(context.Background(), 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range log {
		if l.Actor != opEmail || l.ActorKind != store.ActorOperator {
			t.Errorf("audit line by %s %q", l.ActorKind, l.Actor)
		}
		actions = append(actions, l.Action)
	}
	want := []string{"operator.login", "operator.login_failed", "operator.login", "operator.enrolled", "operator.login_failed", "operator.login_failed"}
	if !slices.Equal(actions, want) {
		t.Errorf("operator audit = %v, want %v", actions, want)
	}

	// The metrics counted the operator's sign-ins beside the
	// administrators': one wrong password, two wrong codes, two sign-ins.
	f := metricstest.Gather(t, e.app.Metrics.Gatherer())
	for result, want := range map[string]float64{"failed": 1, "code_failed": 2, "success": 2} {
		if got := f.Value("gateway_logins_total", map[string]string{"account": "operator", "result": result}); got != want {
			t.Errorf("gateway_logins_total{account=operator,result=%s} = %v, want %v", result, got, want)
		}
	}
	if got := f.Value("gateway_logins_total", map[string]string{"account": "administrator"}); got != 0 {
		t.Errorf("the operator's sign-ins counted as an administrator's: %v", got)
	}

	// Signing out ends the session.
	wantRedirect(t, d.post("/operator/logout", nil), "/operator/login")
	wantRedirect(t, d.get("/operator/"), "/operator/login")
}

// TestCodeGuessesAreThrottled: wrong codes count against the operator like
// wrong passwords, guesses sent at once included; once locked, even the
// right code is refused and the sign-in starts again from the password.
func TestCodeGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.operator(t, opEmail, opPassword)
	enrolled := e.client(t)
	enrolled.signIn(opEmail, opPassword, time.Now())

	c := e.client(t)
	wantRedirect(t, c.password(opEmail, opPassword), "/operator/login/code")
	const guesses = 12
	wrong := wrongCode(t, enrolled.secret, time.Now())
	statuses := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Go(func() {
			r, err := c.try("POST", "/operator/login/code", url.Values{"code": {wrong}})
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = r.status
		})
	}
	wg.Wait()
	checked := 0
	for _, s := range statuses {
		switch s {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests, http.StatusSeeOther:
		default:
			t.Errorf("a guess answered %d", s)
		}
	}
	// Five attempts per account in the window: the successful sign-in took
	// its own back, so five wrong codes are checked and no more.
	if checked != 5 {
		t.Fatalf("%d wrong codes checked, want 5 (%v)", checked, statuses)
	}
	r := c.post("/operator/login/code", url.Values{"code": {code(t, enrolled.secret, time.Now().Add(30*time.Second))}})
	if r.status != http.StatusTooManyRequests && (r.status != http.StatusSeeOther || r.location != "/operator/login") {
		t.Fatalf("the right code after the lock: %d %q", r.status, r.location)
	}
	wantRedirect(t, c.get("/operator/"), "/operator/login")
	wantStatus(t, c.password(opEmail, opPassword), http.StatusTooManyRequests)
}

// TestCodeTakenOnceAtOnce: one code sent by two sign-ins at the same time,
// each on its own instance, signs in one of them only.
func TestCodeTakenOnceAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.operator(t, opEmail, opPassword)
	enrolled := e.client(t)
	enrolled.signIn(opEmail, opPassword, time.Now())
	other := e.secondInstance(t)

	a, b := e.client(t), other.client(t)
	wantRedirect(t, a.password(opEmail, opPassword), "/operator/login/code")
	wantRedirect(t, b.password(opEmail, opPassword), "/operator/login/code")
	same := url.Values{"code": {code(t, enrolled.secret, time.Now().Add(30*time.Second))}}
	var wg sync.WaitGroup
	var ra, rb response
	var ea, eb error
	wg.Go(func() { ra, ea = a.try("POST", "/operator/login/code", same) })
	wg.Go(func() { rb, eb = b.try("POST", "/operator/login/code", same) })
	wg.Wait()
	if ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	in := 0
	for _, r := range []response{ra, rb} {
		switch {
		case r.status == http.StatusSeeOther && r.location == "/operator/":
			in++
		case r.status != http.StatusUnauthorized:
			t.Errorf("answer %d %q", r.status, r.location)
		}
	}
	if in != 1 {
		t.Fatalf("%d sign-ins with one code, want 1", in)
	}
}

// TestSessionsEndOnResetAndDisable: an operator's sessions end when their
// password is reset or they are disabled; a disabled operator cannot sign
// in (they are refused as an unknown e-mail).
func TestSessionsEndOnResetAndDisable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.operator(t, opEmail, opPassword)
	c := e.client(t)
	c.signIn(opEmail, opPassword, time.Now())
	wantStatus(t, c.get("/operator/"), http.StatusOK)

	if _, err := e.store.SetOperatorPassword(ctx, opEmail, mustHash(t, "a new password 22"), false); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.get("/operator/"), "/operator/login")
	c.signIn(opEmail, "a new password 22", time.Now().Add(30*time.Second))
	wantStatus(t, c.get("/operator/"), http.StatusOK)

	if _, err := e.store.DisableOperator(ctx, opEmail); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.get("/operator/"), "/operator/login")
	wantStatus(t, c.password(opEmail, "a new password 22"), http.StatusUnauthorized)
}

// wrongCode is a six-digit code that is none of secret's codes around at.
func wrongCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	taken := map[string]bool{}
	for d := -2; d <= 2; d++ {
		taken[code(t, secret, at.Add(time.Duration(d)*30*time.Second))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !taken[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := password.Hash(pw, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestOperatorSessionWrittenOnlyWhenChanged: reading console pages does not
// write the operator's session back (site.QuietStore, as the portal's); a
// change of its data (the language) does.
func TestOperatorSessionWrittenOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.operator(t, opEmail, opPassword)
	c := e.client(t)
	c.signIn(opEmail, opPassword, time.Now())
	type row struct {
		data   []byte
		expiry time.Time
	}
	read := func() row {
		t.Helper()
		var r row
		if err := e.store.Pool().QueryRow(ctx, `SELECT data, expiry FROM operator_sessions`).Scan(&r.data, &r.expiry); err != nil {
			t.Fatalf("the operator's one session: %v", err)
		}
		return r
	}
	wantStatus(t, c.get("/operator/"), http.StatusOK) // may take the sign-in's flash out of the session
	before := read()
	for _, path := range []string{"/operator/", "/operator/?q=fermax", "/operator/"} {
		wantStatus(t, c.get(path), http.StatusOK)
	}
	if after := read(); !after.expiry.Equal(before.expiry) || string(after.data) != string(before.data) {
		t.Fatalf("reading pages wrote the session: expiry %v → %v", before.expiry, after.expiry)
	}
	wantRedirect(t, c.post("/operator/lang", url.Values{"lang": {"en"}, "next": {"/operator/"}}), "/operator/")
	if after := read(); string(after.data) == string(before.data) {
		t.Fatal("the language switch was not saved")
	}
	if got := c.get("/operator/").doc(t).Find("html").AttrOr("lang", ""); got != "en" {
		t.Fatalf("language after the switch = %q", got)
	}
}
