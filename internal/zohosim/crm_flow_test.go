package zohosim

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("page shows %q", b)
		}
	}
}

func TestCRMSignInAndContacts(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	b := newBrowser(t, e.f)
	mustContain(t, b.page(), "Iniciar sesión", `name="password"`)
	st, body := b.do(http.MethodPost, "/crm/", url.Values{"action": {"login"}, "email": {DemoAdminEmail}, "password": {"nope"}}, nil)
	if st != 200 || !strings.Contains(body, "Contraseña o correo electrónico incorrectos") {
		t.Fatalf("wrong password: %d", st)
	}
	body = b.signIn(DemoAdminEmail)
	mustContain(t, body, "Miguel Martín Buil", "Pepe Sanchez", "910 000 111", "Lucía Fernández", "Todavía no hay llamadas", `http-equiv="refresh"`)
	mustNotContain(t, body, "no está activada")
	resp, err := b.c.Get(b.base + "/crm/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, script, _ := strings.Cut(resp.Header.Get("Content-Security-Policy"), "script-src ")
	script, _, _ = strings.Cut(script, ";")
	if !strings.HasPrefix(script, "'sha256-") || strings.Contains(script, "unsafe") {
		t.Errorf("CSP script-src %q", script)
	}
	if !strings.Contains(body, "<script>"+crmReload+"</script>") {
		t.Error("the inline script differs from the one whose hash the CSP allows")
	}
	if len(e.f.sim.RequestsTo("/crm/")) != 0 {
		t.Error("CRM page views were recorded as API requests")
	}
	st, body = b.do(http.MethodPost, "/crm/", url.Values{"action": {"logout"}}, nil)
	if st != 200 || !strings.Contains(body, "Iniciar sesión") {
		t.Errorf("logout: %d", st)
	}
}

func TestCRMClickToDial(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	b := newBrowser(t, e.f)
	b.signIn(DemoAdminEmail)
	_, body := b.do(http.MethodPost, "/crm/dial", url.Values{"number": {"910 000 111"}}, nil)
	mustContain(t, body, "Llamando a 910 000 111")
	dialing := b.last
	// The page reloads itself: "Llamando a…" stays while the call rings and
	// goes once the call has ended.
	e.notify(t, "dialed", "ringing", "out1", "+34910726329", "+34910000111")
	_, body = b.do(http.MethodGet, dialing, nil, nil)
	mustContain(t, body, "Llamando a 910 000 111", "Saliente · Sonando")
	e.notify(t, "dialed", "ended", "out1", "+34910726329", "+34910000111", "start_time", "2026-03-02 09:00:00", "duration", "0")
	_, body = b.do(http.MethodGet, dialing, nil, nil)
	mustNotContain(t, body, "Llamando a")
	mustContain(t, body, "Finalizada")
	reqs := e.providerCalls()
	if len(reqs) != 1 || reqs[0].URL.Path != "/c2d" || reqs[0].PostForm.Get("tonumber") != "910 000 111" || reqs[0].Header.Get("X-Key") != "k3y" {
		t.Fatalf("provider requests: %d %v", len(reqs), reqs)
	}

	gema := newBrowser(t, e.f)
	mustContain(t, gema.signIn(DemoUserEmail), "no está activada para su usuario")
	_, body = gema.do(http.MethodPost, "/crm/dial", url.Values{"number": {"910 000 111"}}, nil)
	mustContain(t, body, "La llamada por clic no está activada")
	_, body = b.do(http.MethodPost, "/crm/dial", url.Values{"number": {"  "}}, nil)
	mustContain(t, body, "Indique un número")
	if n := len(e.providerCalls()); n != 1 {
		t.Errorf("provider got %d requests, want 1", n)
	}

	anon := newBrowser(t, e.f)
	_, body = anon.do(http.MethodPost, "/crm/dial", url.Values{"number": {"910 000 111"}}, nil)
	mustContain(t, body, "Iniciar sesión")
	st, _ := b.do(http.MethodPost, "/crm/dial", url.Values{"number": {"910 000 111"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if st != http.StatusForbidden || len(e.providerCalls()) != 1 {
		t.Errorf("cross-site dial: %d, %d provider requests", st, len(e.providerCalls()))
	}
}

func TestCRMDialProviderFailure(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	reg := url.Values{"clicktodialuri": {e.f.srv.URL + "/nowhere"}, "zohouser": {e.admin}}
	if st, body := e.f.post(t, e.api+"clicktodial", reg, auth(e.access)); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	b := newBrowser(t, e.f)
	b.signIn(DemoAdminEmail)
	_, body := b.do(http.MethodPost, "/crm/dial", url.Values{"number": {"600111222"}}, nil)
	mustContain(t, body, "no pudo iniciar la llamada a 600111222")
}

func TestCRMIncomingCallBarAndLog(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	b := newBrowser(t, e.f)
	b.signIn(DemoAdminEmail)
	e.notify(t, "received", "ringing", "abc123", "+34910000111", "+34910726329")
	body := b.page()
	mustContain(t, body, "Llamada entrante de +34910000111 (Pepe Sanchez)", "CONTESTAR", "RECHAZAR", "FINALIZAR LLAMADA", "Sonando")
	mustNotContain(t, body, "Retener")

	_, body = b.do(http.MethodPost, "/crm/control", url.Values{"action": {"answer"}, "callrefid": {"abc123"}}, nil)
	mustContain(t, body, "Orden enviada")
	e.notify(t, "received", "answered", "abc123", "+34910000111", "+34910726329")
	body = b.page()
	mustNotContain(t, body, "Llamada entrante de", "CONTESTAR")
	mustContain(t, body, "En curso", "Retener", "FINALIZAR LLAMADA", `name="digit" value="#"`)
	mustNotContain(t, body, "Reanudar", "En espera")
	// Held, the call bar says so and offers to resume, not to hold again.
	b.do(http.MethodPost, "/crm/control", url.Values{"action": {"hold"}, "callrefid": {"abc123"}}, nil)
	body = b.page()
	mustContain(t, body, "Entrante · En espera", "Reanudar")
	mustNotContain(t, body, "Retener", "En curso")
	b.do(http.MethodPost, "/crm/control", url.Values{"action": {"unhold"}, "callrefid": {"abc123"}}, nil)
	body = b.page()
	mustContain(t, body, "Entrante · En curso", "Retener")
	mustNotContain(t, body, "Reanudar", "En espera")
	for _, f := range []url.Values{
		{"action": {"keypress"}, "callrefid": {"abc123"}, "digit": {"5"}},
		{"action": {"hungup"}, "callrefid": {"abc123"}},
	} {
		b.do(http.MethodPost, "/crm/control", f, nil)
	}
	_, body = b.do(http.MethodPost, "/crm/control", url.Values{"action": {"mute"}, "callrefid": {"abc123"}}, nil)
	mustContain(t, body, "no está activado para esta acción")
	_, body = b.do(http.MethodPost, "/crm/control", url.Values{"action": {"hungup"}, "callrefid": {"other"}}, nil)
	mustContain(t, body, "Llamada desconocida")
	if st, _ := b.do(http.MethodPost, "/crm/control", url.Values{"action": {"explode"}, "callrefid": {"abc123"}}, nil); st != http.StatusBadRequest {
		t.Errorf("unknown action: %d", st)
	}

	var got []string
	for _, r := range e.providerCalls() {
		got = append(got, r.URL.Path+" "+r.PostForm.Get("callrefid")+" "+r.PostForm.Get("digit"))
	}
	want := []string{"/answer abc123 ", "/hold abc123 ", "/unhold abc123 ", "/keypress abc123 5", "/hungup abc123 "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("provider got %q, want %q", got, want)
	}

	e.notify(t, "received", "ended", "abc123", "+34910000111", "+34910726329", "start_time", "2026-03-02 09:00:00", "duration", "42")
	e.notify(t, "dialed", "busy", "def456", "+34910726329", "+34600111222", "start_time", "2026-03-02 09:05:00")
	body = b.page()
	mustNotContain(t, body, "Barra de llamada", "FINALIZAR LLAMADA")
	mustContain(t, body, "Entrante", "Finalizada", "0:42", "2026-03-02 09:00:00 GMT", "Pepe Sanchez",
		"Saliente", "Ocupado", "+34600111222", "Lucía Fernández")
	if i, j := strings.Index(body, "def456"), strings.Index(body, "abc123"); i < 0 || i > j {
		t.Error("call log is not newest first")
	}
}

func TestCRMOtherUsersCannotSeeCalls(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	e.notify(t, "received", "ringing", "abc123", "+34910000111", "+34910726329")
	other := e.f.sim.AddOrg("Otra Empresa", "eu")
	other.AddUser("ana@otra.example", "Ana Otra", DemoPassword, true)
	for _, email := range []string{"ana@otra.example", DemoUserEmail} {
		b := newBrowser(t, e.f)
		body := b.signIn(email)
		mustNotContain(t, body, "abc123", "+34910000111", "Llamada entrante")
		mustContain(t, body, "Todavía no hay llamadas")
		_, body = b.do(http.MethodPost, "/crm/control", url.Values{"action": {"hungup"}, "callrefid": {"abc123"}}, nil)
		mustContain(t, body, "Llamada desconocida")
	}
	if n := len(e.providerCalls()); n != 0 {
		t.Errorf("provider got %d requests from other users", n)
	}
}

func TestCRMRoutes(t *testing.T) {
	t.Parallel()
	e := newCRMEnv(t)
	b := newBrowser(t, e.f)
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/crm", http.StatusOK}, // redirected to /crm/
		{http.MethodGet, "/crm/nope", http.StatusNotFound},
		{http.MethodGet, "/crm/dial", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/crm/", http.StatusMethodNotAllowed},
	} {
		if st, _ := b.do(tt.method, tt.path, nil, nil); st != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, st, tt.want)
		}
	}
}
