package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// startConsent posts the activation dialog and returns the state the
// browser carries to Zoho.
func startConsent(t testing.TB, c *client, email string) string {
	t.Helper()
	r := c.post("/zoho/enable", url.Values{"zoho_email": {email}})
	wantStatus(t, r, http.StatusSeeOther)
	u, err := url.Parse(r.location)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

// zohoCallback is Zoho sending the browser back after user consented.
func (e *testEnv) zohoCallback(t testing.TB, c *client, consenter, state string) response {
	t.Helper()
	code, loc, accounts, err := e.zsim.IssueCode(consenter, "http://127.0.0.1/zoho/callback", zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"code": {code}, "location": {loc}, "accounts-server": {accounts}, "state": {state}}
	return c.get("/zoho/callback?" + q.Encode())
}

func (e *testEnv) signedIn(t testing.TB) *client {
	t.Helper()
	c := e.client(t)
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	return c
}

func flashOf(t testing.TB, c *client) string {
	t.Helper()
	return c.get("/zoho").doc(t).Find("[data-testid=flash]").Text()
}

func TestZohoEnableScreen(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	d := c.get("/zoho").doc(t)
	if got := d.Find("[data-testid=zoho-title]").Text(); got != "Integración Zoho - Conecta - Fermax." {
		t.Errorf("title = %q", got)
	}
	if got := d.Find("[data-testid=enable]").Text(); got != "Habilitar Integración de Digital Centrex para Fermax con Zoho PhoneBridge" {
		t.Errorf("button = %q", got)
	}
	dialog := d.Find("#enable-dialog")
	for _, want := range []string{"Confirmación de Activación", "¿Desea confirmar la operación?", "Cerrar", "Comenzar la activación"} {
		if !strings.Contains(dialog.Text(), want) {
			t.Errorf("dialog lacks %q", want)
		}
	}
	// Without JavaScript the button leads to the same confirmation as a page.
	if d := c.get("/zoho/enable").doc(t); d.Find("[data-testid=enable-confirm] input[name=zoho_email]").Length() != 1 {
		t.Error("no confirmation page for browsers without JavaScript")
	}
	r := c.post("/zoho/enable", url.Values{"zoho_email": {"not an e-mail"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if got := r.doc(t).Find("[data-testid=enable-confirm] [data-testid=email-error]").Text(); got != "Escriba la dirección de correo de su cuenta de Zoho." {
		t.Errorf("page version: message for a bad e-mail = %q", got)
	}
	// Sent from the dialog, the page comes back with the dialog open and
	// the message inside it.
	r = c.post("/zoho/enable", url.Values{"zoho_email": {"miguel@"}, "in_dialog": {"1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	d = r.doc(t)
	if _, open := d.Find("#enable-dialog").Attr("open"); !open {
		t.Error("the dialog is not open")
	}
	if got := d.Find("#enable-dialog [data-testid=email-error]").Text(); got != "Escriba la dirección de correo de su cuenta de Zoho." {
		t.Errorf("dialog: message for a bad e-mail = %q", got)
	}
	if got := d.Find("#enable-dialog #zoho_email").AttrOr("value", ""); got != "miguel@" {
		t.Errorf("the typed address is lost: %q", got)
	}
	wantStatus(t, e.client(t).get("/zoho"), http.StatusSeeOther) // signed out
}

func TestZohoConsentRedirect(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	r := c.post("/zoho/enable", url.Values{"zoho_email": {zohosim.DemoAdminEmail}})
	wantStatus(t, r, http.StatusSeeOther)
	u, _ := url.Parse(r.location)
	q := u.Query()
	if !strings.HasPrefix(r.location, e.zsim.BaseURL()+"/oauth/v2/auth?") {
		t.Fatalf("redirect to %s", r.location)
	}
	for k, want := range map[string]string{
		"response_type": "code", "client_id": "cid", "access_type": "offline", "prompt": "consent",
		"redirect_uri": "http://127.0.0.1/zoho/callback",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.Contains(q.Get("scope"), "PhoneBridge.call.log,PhoneBridge.zohoone.search") {
		t.Errorf("scope = %q", q.Get("scope"))
	}
	// crypto/rand.Text: 26 base32 characters, 130 random bits (RFC 6749
	// §10.10 asks for at least 128).
	if len(q.Get("state")) < 26 {
		t.Errorf("state %q is too short to be unguessable", q.Get("state"))
	}
}

func TestZohoRoundTrip(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	r := e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
	wantStatus(t, r, http.StatusSeeOther)
	d := c.get("/zoho").doc(t)
	if got := d.Find("[data-testid=flash]").Text(); got != "La integración con Zoho PhoneBridge está habilitada." {
		t.Errorf("flash = %q", got)
	}
	if got := d.Find("[data-testid=zoho-title]").Text(); got != "Gestión de integración Conecta - Zoho - Fermax." {
		t.Errorf("title = %q", got)
	}
	if got := d.Find("[data-testid=panel-dc]").Text(); got != "Europa (eu)" {
		t.Errorf("data centre = %q", got)
	}
	if got := d.Find("[data-testid=panel-account]").Text(); got != zohosim.DemoAdminEmail {
		t.Errorf("account = %q", got)
	}
	if got := d.Find("[data-testid=panel-token]").Text(); !strings.HasPrefix(got, "vigente") {
		t.Errorf("token state = %q", got)
	}
	if !e.zorg.Integrated() {
		t.Fatal("not integrated at Zoho")
	}
	if !strings.Contains(d.Find("#disable-dialog").Text(), "Confirmar Desactivación") {
		t.Error("no deactivation dialog")
	}

	wantStatus(t, c.post("/zoho/disable", url.Values{}), http.StatusSeeOther)
	d = c.get("/zoho").doc(t)
	if got := d.Find("[data-testid=flash]").Text(); got != "La integración con Zoho PhoneBridge se ha deshabilitado para todos los usuarios." {
		t.Errorf("flash after disable = %q", got)
	}
	if d.Find("[data-testid=enable]").Length() != 1 {
		t.Error("not back at the enable screen")
	}
	if e.zorg.Integrated() {
		t.Error("still integrated at Zoho")
	}
	log, _ := e.store.AuditLog(context.Background(), e.company.ID, 20)
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{"zoho.consent_started", "zoho.enabled", "zoho.disabled"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
}

func TestZohoCallbackRefusals(t *testing.T) {
	t.Parallel()
	stateMsg := "no corresponde a una activación iniciada en esta sesión"
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, e *testEnv, c *client) response
		want string
	}{
		{"missing state", func(t *testing.T, e *testEnv, c *client) response {
			startConsent(t, c, zohosim.DemoAdminEmail)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, "")
		}, stateMsg},
		{"wrong state", func(t *testing.T, e *testEnv, c *client) response {
			startConsent(t, c, zohosim.DemoAdminEmail)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, "forged")
		}, stateMsg},
		{"reused state", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
			c.post("/zoho/disable", url.Values{})
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, stateMsg},
		{"expired state", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			e.clock.Advance(11 * time.Minute)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, stateMsg},
		{"state of another session", func(t *testing.T, e *testEnv, c *client) response {
			other := e.signedIn(t)
			state := startConsent(t, other, zohosim.DemoAdminEmail)
			startConsent(t, c, zohosim.DemoAdminEmail)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, stateMsg},
		{"consent refused", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			return c.get("/zoho/callback?" + url.Values{"error": {"access_denied"}, "state": {state}}.Encode())
		}, "Ha rechazado el consentimiento en Zoho"},
		{"another account consented", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, "gema.castro@satec.es")
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, "El consentimiento se dio con la cuenta de Zoho miguel.martin@satec.es, pero usted indicó gema.castro@satec.es."},
		{"foreign accounts server", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			code, loc, _, _ := e.zsim.IssueCode(zohosim.DemoAdminEmail, "http://127.0.0.1/zoho/callback", zoho.Scopes)
			q := url.Values{"code": {code}, "location": {loc}, "accounts-server": {"https://accounts.evil.example"}, "state": {state}}
			return c.get("/zoho/callback?" + q.Encode())
		}, "servidor de cuentas que no es de Zoho"},
		{"no PhoneBridge permission", func(t *testing.T, e *testEnv, c *client) response {
			state := startConsent(t, c, "gema.castro@satec.es")
			return e.zohoCallback(t, c, "gema.castro@satec.es", state)
		}, "no tiene permiso para administrar PhoneBridge"},
		{"another provider", func(t *testing.T, e *testEnv, c *client) response {
			e.zorg.SetOtherProviderEnabled(true)
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, "ya tiene integrado otro proveedor de telefonía"},
		{"provider not registered", func(t *testing.T, e *testEnv, c *client) response {
			e.zsim.SetProviderRegistered(false)
			state := startConsent(t, c, zohosim.DemoAdminEmail)
			return e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
		}, "no tiene registrado a Digital Centrex como proveedor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			c := e.signedIn(t)
			r := tc.run(t, e, c)
			wantStatus(t, r, http.StatusSeeOther)
			if got := flashOf(t, c); !strings.Contains(got, tc.want) {
				t.Fatalf("flash = %q, want it to contain %q", got, tc.want)
			}
			z, _ := e.store.ZohoIntegration(context.Background(), e.company.ID)
			if z.Status != store.ZohoDisabled {
				t.Fatalf("status = %q after a refusal", z.Status)
			}
		})
	}
}

// TestZohoCallbackWrongStateKeepsConsent: a callback with a wrong state,
// as a link on another site could send the administrator's browser to, is
// refused without touching the consent in progress, which then completes.
func TestZohoCallbackWrongStateKeepsConsent(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	for _, forged := range []string{"forged", "", state + "x"} {
		wantStatus(t, c.get("/zoho/callback?"+url.Values{"state": {forged}, "code": {"stolen"}}.Encode()), http.StatusSeeOther)
		if got := flashOf(t, c); !strings.Contains(got, "no corresponde a una activación") {
			t.Fatalf("flash after a wrong state = %q", got)
		}
	}
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)
	if got := flashOf(t, c); got != "La integración con Zoho PhoneBridge está habilitada." {
		t.Fatalf("the consent did not complete after the wrong states: flash %q", got)
	}
	// Used now: the same state again is refused.
	c.post("/zoho/disable", url.Values{})
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)
	if got := flashOf(t, c); !strings.Contains(got, "no corresponde a una activación") {
		t.Fatalf("a used state was accepted: flash %q", got)
	}
}

func TestZohoInEnglish(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	c.post("/lang", url.Values{"lang": {"en"}})
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	e.zorg.SetOtherProviderEnabled(true)
	e.zohoCallback(t, c, zohosim.DemoAdminEmail, state)
	if got := flashOf(t, c); !strings.Contains(got, "already has another telephony provider integrated") {
		t.Fatalf("English message = %q", got)
	}
}

func TestZohoNeedsConsentAndDisablingStates(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	ctx := context.Background()
	state := startConsent(t, c, zohosim.DemoAdminEmail)
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)

	z, _ := e.store.ZohoIntegration(ctx, e.company.ID)
	z.Status, z.LastError = store.ZohoNeedsConsent, integration.CodeNeedsConsent
	if err := e.store.SaveZohoIntegration(ctx, z); err != nil {
		t.Fatal(err)
	}
	d := c.get("/zoho").doc(t)
	if d.Find("[data-testid=needs-consent]").Length() != 1 || d.Find("[data-testid=reconsent]").Length() != 1 {
		t.Fatal("needs-consent warning or button missing")
	}
	if got := d.Find("[data-testid=panel-token]").Text(); !strings.Contains(got, "hace falta un nuevo consentimiento") {
		t.Errorf("token state = %q", got)
	}
	// Consenting again restores it.
	state = startConsent(t, c, zohosim.DemoAdminEmail)
	wantStatus(t, e.zohoCallback(t, c, zohosim.DemoAdminEmail, state), http.StatusSeeOther)
	if z, _ := e.store.ZohoIntegration(ctx, e.company.ID); z.Status != store.ZohoEnabled {
		t.Fatalf("after new consent: %q", z.Status)
	}

	// A disable that fails half way shows itself and offers a retry.
	e.zsim.FailNext(100, http.StatusInternalServerError)
	wantStatus(t, c.post("/zoho/disable", url.Values{}), http.StatusSeeOther)
	d = c.get("/zoho").doc(t)
	if d.Find("[data-testid=disabling]").Length() != 1 {
		t.Fatal("no warning for an unfinished disable")
	}
	if got := d.Find("#disable-dialog [data-testid=disable-confirm-button]").Text(); !strings.Contains(got, "Reintentar") {
		t.Errorf("confirm button = %q, want a retry", got)
	}
	e.zsim.FailNext(0, 0)
	wantStatus(t, c.post("/zoho/disable", url.Values{}), http.StatusSeeOther)
	if z, _ := e.store.ZohoIntegration(ctx, e.company.ID); z.Status != store.ZohoDisabled {
		t.Fatalf("after retry: %q", z.Status)
	}
}

func TestZohoLanguageForZohoUsers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 0)
	d := c.get("/zoho").doc(t)
	if got := d.Find("#zoho-language option[selected]").AttrOr("value", ""); got != "es" {
		t.Fatalf("default language = %q", got)
	}
	wantStatus(t, c.post("/zoho/language", url.Values{"lang": {"en"}}), http.StatusSeeOther)
	d = c.get("/zoho").doc(t)
	if got := d.Find("[data-testid=flash]").Text(); !strings.Contains(got, "English") {
		t.Errorf("flash = %q", got)
	}
	if lang, _ := e.store.CompanyLanguage(context.Background(), e.company.ID); lang != "en" {
		t.Fatalf("stored language = %q", lang)
	}
	if got := d.Find("#zoho-language option[selected]").AttrOr("value", ""); got != "en" {
		t.Errorf("shown language = %q", got)
	}
	wantStatus(t, c.post("/zoho/language", url.Values{"lang": {"fr"}}), http.StatusBadRequest)
}
