package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	generic := "El correo, la contraseña o los números de la imagen no son correctos."
	for _, tc := range []struct {
		name, email, pw, captcha string
	}{
		{"wrong captcha", adminEmail, adminPassword, "000000"},
		{"wrong password", adminEmail, "wrong password!!", captchaDigits},
		{"unknown e-mail", "nobody@fermax.com", adminPassword, captchaDigits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t)
			r := c.login(tc.email, tc.pw, tc.captcha)
			wantStatus(t, r, http.StatusUnauthorized)
			d := r.doc(t)
			if msg := d.Find("[data-testid=login-error]").Text(); !strings.Contains(msg, generic) {
				t.Fatalf("error message = %q, want the generic one", msg)
			}
			if v, _ := d.Find("input[name=email]").Attr("value"); v != tc.email {
				t.Errorf("the typed e-mail was not kept: %q", v)
			}
			if src, _ := d.Find("#captcha-image").Attr("src"); !strings.HasPrefix(src, "/captcha/") {
				t.Errorf("no fresh captcha image: %q", src)
			}
			wantStatus(t, c.get("/home"), http.StatusSeeOther)
		})
	}

	t.Run("right credentials", func(t *testing.T) {
		c := e.client(t)
		r := c.login("  ADMIN@fermax.com ", adminPassword, captchaDigits)
		wantStatus(t, r, http.StatusSeeOther)
		if r.location != "/home" {
			t.Fatalf("redirect to %q, want /home", r.location)
		}
		home := c.get("/home")
		wantStatus(t, home, http.StatusOK)
		d := home.doc(t)
		if got := d.Find("[data-testid=admin-email]").Text(); got != adminEmail {
			t.Errorf("header e-mail = %q", got)
		}
		if got := d.Find("[data-testid=company]").Text(); got != "Empresa Fermax" {
			t.Errorf("header company = %q", got)
		}
		if got := d.Find("nav a[href='/zoho']").Text(); got != "Integración Zoho" {
			t.Errorf("side menu entry = %q", got)
		}
	})

	t.Run("captcha is the form's and single-use", func(t *testing.T) {
		c := e.client(t)
		// Without the form's captcha token even the right digits fail.
		r := c.post("/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "captcha": {captchaDigits}})
		wantStatus(t, r, http.StatusUnauthorized)
		// A forged token fails.
		form := c.loginForm(adminEmail, adminPassword, captchaDigits)
		forged := url.Values{"email": {adminEmail}, "password": {adminPassword}, "captcha": {captchaDigits}, "captcha_token": {"x" + form.Get("captcha_token")}}
		wantStatus(t, c.post("/login", forged), http.StatusUnauthorized)
		// A token used once (here by a wrong password) fails the second
		// time, though the answer is right.
		wrong := c.loginForm(adminEmail, "wrong password!!", captchaDigits)
		wantStatus(t, c.post("/login", wrong), http.StatusUnauthorized)
		wrong.Set("password", adminPassword)
		wantStatus(t, c.post("/login", wrong), http.StatusUnauthorized)
		wantStatus(t, c.get("/home"), http.StatusSeeOther)
		// An expired one fails.
		e.clock.Advance(31 * time.Minute)
		wantStatus(t, c.post("/login", form), http.StatusUnauthorized)
	})

	t.Run("empty form", func(t *testing.T) {
		c := e.client(t)
		r := c.login("", "", "")
		wantStatus(t, r, http.StatusUnprocessableEntity)
	})
}

func TestCaptchaImageAndAudio(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	src, _ := c.get("/login").doc(t).Find("#captcha-image").Attr("src")
	img := c.get(src)
	wantStatus(t, img, http.StatusOK)
	if img.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.body, "\x89PNG") {
		t.Fatalf("captcha image: %s, %q", img.header.Get("Content-Type"), img.body[:8])
	}
	wav := c.get(strings.TrimSuffix(src, ".png") + ".wav")
	wantStatus(t, wav, http.StatusOK)
	if !strings.HasPrefix(wav.body, "RIFF") {
		t.Fatal("captcha audio is not a WAV file")
	}
	// A token that is not one of ours has no picture.
	wantStatus(t, c.get("/captcha/x"+strings.TrimPrefix(src, "/captcha/")), http.StatusNotFound)
	wantStatus(t, c.get("/captcha/not-a-token.png"), http.StatusNotFound)
	// "New picture" issues a new captcha and keeps the typed e-mail.
	r := c.post("/login/captcha", url.Values{"email": {"someone@fermax.com"}})
	wantStatus(t, r, http.StatusSeeOther)
	d := c.get("/login").doc(t)
	newSrc, _ := d.Find("#captcha-image").Attr("src")
	if newSrc == src {
		t.Error("the captcha did not change")
	}
	if v, _ := d.Find("input[name=email]").Attr("value"); v != "someone@fermax.com" {
		t.Errorf("e-mail after new captcha = %q", v)
	}
	// The picture expires with its captcha.
	e.clock.Advance(31 * time.Minute)
	wantStatus(t, c.get(src), http.StatusNotFound)
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	for range 5 {
		wantStatus(t, c.login(adminEmail, "wrong password!!", captchaDigits), http.StatusUnauthorized)
	}
	r := c.login(adminEmail, adminPassword, captchaDigits)
	wantStatus(t, r, http.StatusTooManyRequests)
	if msg := r.doc(t).Find("[data-testid=login-error]").Text(); !strings.Contains(msg, "Demasiados intentos fallidos") || !strings.Contains(msg, "15 minutos") {
		t.Fatalf("throttle message = %q", msg)
	}
	// The lock ends by itself.
	e.clock.Advance(15*time.Minute + time.Second)
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)

	t.Run("by client address", func(t *testing.T) {
		c := e.client(t)
		for i := range 20 {
			email := "nobody" + string(rune('a'+i)) + "@x.com"
			wantStatus(t, c.login(email, "whatever whatever", captchaDigits), http.StatusUnauthorized)
		}
		wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusTooManyRequests)
	})

	// The metrics counted each attempt once: 25 wrong, 2 refused unchecked,
	// 1 success.
	f := metricstest.Gather(t, e.metrics.Gatherer())
	failed := map[string]string{"account": "administrator", "result": "failed"}
	success := map[string]string{"account": "administrator", "result": "success"}
	throttled := map[string]string{"account": "administrator"}
	if f.Value("gateway_logins_total", failed) != 25 || f.Value("gateway_logins_total", success) != 1 ||
		f.Value("gateway_logins_throttled_total", throttled) != 2 {
		t.Errorf("logins: failed %v, success %v, throttled %v", f.Value("gateway_logins_total", failed),
			f.Value("gateway_logins_total", success), f.Value("gateway_logins_throttled_total", throttled))
	}
}

func TestSessionRenewedAtLoginAndLogout(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	// A session that exists before the login: the language was chosen.
	wantStatus(t, c.post("/lang", url.Values{"lang": {"es"}, "next": {"/login"}}), http.StatusSeeOther)
	before := c.sessionCookie()
	if before == "" {
		t.Fatal("no session cookie after choosing the language")
	}
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	during := c.sessionCookie()
	if during == before {
		t.Fatal("the session token was not renewed at login")
	}

	// The pre-login token gives no access.
	old := e.client(t)
	old.hdr.Set("Cookie", "dc_session="+before)
	wantStatus(t, old.get("/home"), http.StatusSeeOther)

	r := c.post("/logout", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/" {
		t.Fatalf("logout redirect = %q", r.location)
	}
	if c.sessionCookie() == during {
		t.Fatal("the session token was not renewed at logout")
	}
	wantStatus(t, c.get("/home"), http.StatusSeeOther)
	// The token used while logged in is dead too.
	stolen := e.client(t)
	stolen.hdr.Set("Cookie", "dc_session="+during)
	wantStatus(t, stolen.get("/home"), http.StatusSeeOther)
	if flash := c.get("/").doc(t).Find("[data-testid=flash]").Text(); flash != "Ha cerrado la sesión." {
		t.Errorf("flash after logout = %q", flash)
	}
}

func TestSessionSurvivesRestartAndIsShared(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	// A second instance (or the same after a restart) on the same database.
	e.srv.Close()
	e.srv = httptestServer(t, e.handler(t, "http://127.0.0.1"))
	c.base = e.srv.URL
	cookie := c.sessionCookie()
	other := e.client(t)
	other.hdr.Set("Cookie", "dc_session="+cookie)
	wantStatus(t, other.get("/home"), http.StatusOK)
}

func TestPasswordResetEndsSessions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	wantStatus(t, c.get("/home"), http.StatusOK)
	if _, err := e.store.SetAdminPassword(context.Background(), adminEmail, "new-hash"); err != nil {
		t.Fatal(err)
	}
	r := c.get("/home")
	wantStatus(t, r, http.StatusSeeOther)
	if r.location != "/login" {
		t.Fatalf("redirect = %q", r.location)
	}
}
