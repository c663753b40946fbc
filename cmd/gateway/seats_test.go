package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

const testSecretKey = testdb.SecretKey

func TestSetCentrexAndSeatsSync(t *testing.T) {
	t.Parallel()
	sim := xsisim.New(xsisim.Options{})
	defer sim.Close()
	xsisim.SeedDemo(sim).SeedSeats(1500)
	xsp := httptest.NewServer(sim)
	defer xsp.Close()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url, "SECRET_KEY": testSecretKey}
	if r := gateway(t, vars, "", "company", "create", "--name", "Fermax", "--admin-email", "admin@fermax.com"); r.code != exitOK {
		t.Fatalf("company create: %+v", r)
	}
	set := []string{"company", "set-centrex", "--company", "fermax", "--xsi-url", xsp.URL + "/", "--user", xsisim.DemoAdminUserID,
		"--group", xsisim.DemoGroup, "--enterprise", xsisim.DemoEnterprise, "--directory-user", xsisim.DemoSeat1,
		"--allow-insecure-url", "--password-stdin"} // the simulator is plain http on loopback

	usage := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no SECRET_KEY", map[string]string{"DATABASE_URL": url}, set, "SECRET_KEY"},
		{"bad URL", vars, replace(set, xsp.URL+"/", "ftp://xsp"), "--xsi-url must be an http(s) URL"},
		{"URL with the actions path", vars, replace(set, xsp.URL+"/", xsp.URL+"/com.broadsoft.xsi-actions/v2.0"), "leave out"},
		{"user with a space", vars, replace(set, xsisim.DemoAdminUserID, "fermax admin"), "--user is not a valid"},
		{"missing group and company", vars, []string{"company", "set-centrex", "--xsi-url", xsp.URL, "--user", "u", "--enterprise", "E", "--password-stdin"},
			"--company is required; --group is required"},
		{"password on no stdin", vars, set[:len(set)-1], "--password-stdin is required"},
		// The Centrex password is sent to the URL: only https to a public
		// address, unless the operator says otherwise.
		{"plain http", vars, without(set, "--allow-insecure-url"), "--xsi-url must be https"},
		{"loopback", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://127.0.0.1:8443"), "is a loopback address"},
		{"loopback IPv6", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://[::1]"), "is a loopback address"},
		{"loopback by name", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://localhost/xsp"), "is a loopback address"},
		{"IPv4 in IPv6", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://[::ffff:10.1.2.3]"), "is a private address"},
		{"cloud metadata", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://169.254.169.254"), "is a link-local address"},
		{"link-local IPv6", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://[fe80::1]"), "is a link-local address"},
		{"private", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://192.168.1.20"), "is a private address"},
		{"private IPv6", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://[fd00::5]"), "is a private address"},
		{"carrier-grade NAT", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://100.64.0.1"), "is a private address"},
		{"unspecified", vars, replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://0.0.0.0"), "is an unspecified address"},
	}
	for _, tt := range usage {
		t.Run(tt.name, func(t *testing.T) {
			r := gateway(t, tt.vars, xsisim.DemoAdminPassword+"\n", tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr+r.stdout, xsisim.DemoAdminPassword) {
				t.Fatalf("%+v, want exit 2 and %q", r, tt.want)
			}
		})
	}
	if r := gateway(t, vars, "", set...); r.code != exitUsage || !strings.Contains(r.stderr, "no password") {
		t.Fatalf("empty stdin: %+v", r)
	}
	if r := gateway(t, vars, "x\n", replace(set, "fermax", "nobody")...); r.code != exitFailure || !strings.Contains(r.stderr, `no company named "nobody"`) {
		t.Fatalf("unknown company: %+v", r)
	}

	// https on a public address needs no flag.
	public := replace(without(set, "--allow-insecure-url"), xsp.URL+"/", "https://192.0.2.10/xsp")
	if r := gateway(t, vars, xsisim.DemoAdminPassword+"\n", public...); r.code != exitOK {
		t.Fatalf("set-centrex to a public https URL: %+v", r)
	}

	r := gateway(t, vars, xsisim.DemoAdminPassword+"\n", set...)
	if r.code != exitOK || !strings.Contains(r.stdout, "Centrex connection of \"Fermax\" set") || strings.Contains(r.stdout+r.stderr, xsisim.DemoAdminPassword) {
		t.Fatalf("set-centrex: %+v", r)
	}
	r = gateway(t, vars, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitOK || !strings.Contains(r.stdout, "Fermax: 1502 seats (1502 added, 0 changed, 0 back, 0 gone)") {
		t.Fatalf("seats sync: %+v", r)
	}
	sim.RemoveSeat(xsisim.DemoSeat2)
	r = gateway(t, vars, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitOK || !strings.Contains(r.stdout, "1501 seats (0 added, 0 changed, 0 back, 1 gone)") {
		t.Fatalf("second sync: %+v", r)
	}

	r = gateway(t, vars, "wrong-password\n", set...)
	if r.code != exitOK {
		t.Fatalf("set-centrex again: %+v", r)
	}
	r = gateway(t, vars, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitFailure || !strings.Contains(r.stderr, "unauthorized") || strings.Contains(r.stderr, "wrong-password") {
		t.Fatalf("sync with a wrong password: %+v", r)
	}
	r = gateway(t, map[string]string{"DATABASE_URL": url, "SECRET_KEY": "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="}, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitFailure || !strings.Contains(r.stderr, "secretbox") {
		t.Fatalf("sync with another SECRET_KEY: %+v", r)
	}
}

func TestSeatsImport(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}
	gateway(t, vars, "", "company", "create", "--name", "Fermax", "--admin-email", "admin@fermax.com")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(good, []byte("Usuario Conecta;Puesto Teléfono\n910726329@conecta.orange.es;910726329\n910726330@conecta.orange.es;910726330\n"), 0o600)
	_ = os.WriteFile(bad, []byte("user id,number\n910726331@conecta.orange.es,910726331\n,600000001\nx@y.z,abc\n"), 0o600)

	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		out, err string
	}{
		{"good file", "", []string{"--company", "Fermax", good}, exitOK, "Fermax: 2 seats (2 added", ""},
		{"bad rows, every line named", "", []string{"--company", "Fermax", bad}, exitFailure, "", "line 3: the user id is empty\n  line 4: number \"abc\""},
		{"stdin", "user id,number\n910726329@conecta.orange.es,910726329\n", []string{"--company", "Fermax", "-"}, exitOK, "1 seats (0 added, 0 changed, 0 back, 1 gone)", ""},
		{"missing file", "", []string{"--company", "Fermax", filepath.Join(dir, "nope.csv")}, exitFailure, "", "no such file"},
		{"no file", "", []string{"--company", "Fermax"}, exitUsage, "", "import takes one FILE.csv"},
		{"no company", "", []string{good}, exitUsage, "", "--company is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gateway(t, vars, tt.stdin, append([]string{"seats", "import"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.out) || !strings.Contains(r.stderr, tt.err) {
				t.Fatalf("%+v, want exit %d, stdout %q, stderr %q", r, tt.code, tt.out, tt.err)
			}
		})
	}
	st := testdb.Connect(t, url, nil)
	c, _ := st.CompanyByName(context.Background(), "Fermax")
	if _, err := st.SeatByUserID(context.Background(), c.ID, "910726331@conecta.orange.es"); err == nil {
		t.Fatal("a seat of the refused file was stored")
	}
	if r := gateway(t, vars, "", "seats", "frob"); r.code != exitUsage || !strings.Contains(r.stderr, "gateway seats sync") {
		t.Fatalf("unknown subcommand: %+v", r)
	}
}

// replace returns args with every old value replaced by new.
// without returns args less every a equal to drop.
func without(args []string, drop string) []string {
	var out []string
	for _, a := range args {
		if a != drop {
			out = append(out, a)
		}
	}
	return out
}

func replace(args []string, old, new string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == old {
			a = new
		}
		out[i] = a
	}
	return out
}

// TestSeatsSyncSwitchesOffGoneSeatsInZoho: `gateway seats sync` builds the
// same services as `serve`, so a seat that left the Centrex has its Zoho
// registrations removed by the command itself; with Zoho down the command
// says which links are still registered and exits 1, and the next run
// finishes the job.
func TestSeatsSyncSwitchesOffGoneSeatsInZoho(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	xsim := xsisim.New(xsisim.Options{})
	defer xsim.Close()
	xsisim.SeedDemo(xsim)
	xsp := httptest.NewServer(xsim)
	defer xsp.Close()

	const clientID, clientSecret, redirect = "1000.CLI", "cli-secret", "https://gw.example.com/zoho/callback"
	zsim := zohosim.New(zohosim.Options{ClientID: clientID, ClientSecret: clientSecret})
	zsrv := httptest.NewServer(zsim.Handler())
	defer zsrv.Close()
	zsim.SetBaseURL(zsrv.URL)
	org := zsim.AddOrg("Fermax", "eu")
	zu := org.AddUser("miguel.martin@satec.es", "Miguel", "pw", true)

	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url, "SECRET_KEY": testSecretKey,
		"ZOHO_CLIENT_ID": clientID, "ZOHO_CLIENT_SECRET": clientSecret, "ZOHO_ACCOUNTS_URL": zsrv.URL}
	if r := gateway(t, vars, "", "company", "create", "--name", "Fermax", "--admin-email", "admin@fermax.com"); r.code != exitOK {
		t.Fatalf("company create: %+v", r)
	}
	if r := gateway(t, vars, xsisim.DemoAdminPassword+"\n", "company", "set-centrex", "--company", "Fermax", "--xsi-url", xsp.URL,
		"--user", xsisim.DemoAdminUserID, "--group", xsisim.DemoGroup, "--enterprise", xsisim.DemoEnterprise,
		"--directory-user", xsisim.DemoSeat1, "--allow-insecure-url", "--password-stdin"); r.code != exitOK {
		t.Fatalf("set-centrex: %+v", r)
	}
	if r := gateway(t, vars, "", "seats", "sync", "--company", "Fermax"); r.code != exitOK {
		t.Fatalf("first sync: %+v", r)
	}

	// The integration is enabled, and the second seat linked and registered.
	st := testdb.Connect(t, url, testdb.Box(t))
	c, err := st.CompanyByName(ctx, "Fermax")
	if err != nil {
		t.Fatal(err)
	}
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirect,
		HomeAccountsURL: zsrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	code, loc, as, err := zsim.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oauth.Exchange(ctx, as, "", code)
	if err != nil {
		t.Fatal(err)
	}
	pb := zoho.NewPhoneBridge(zsrv.Client(), zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken})
	if err := pb.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoEnabled,
		ConsentEmail: "miguel.martin@satec.es", Location: loc, AccountsServer: as, APIDomain: tok.APIDomain,
		RefreshToken: tok.RefreshToken, AccessToken: tok.AccessToken, AccessExpiresAt: tok.Expiry,
		RefreshedAt: time.Now(), EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	seat, err := st.SeatByUserID(ctx, c.ID, xsisim.DemoSeat2)
	if err != nil {
		t.Fatal(err)
	}
	link, _, err := st.CreateLink(ctx, c.ID, seat.ID, store.ZohoUser{ID: zu, Email: "miguel.martin@satec.es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetLinkEnabled(ctx, c.ID, link.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: zu, URI: "https://gw.example.com/bridge/zoho/clicktodial"}); err != nil {
		t.Fatal(err)
	}
	if err := pb.EnableCallControl(ctx, zoho.CallControl{ZohoUser: zu, HungupURI: "https://gw.example.com/bridge/zoho/call/hangup"}); err != nil {
		t.Fatal(err)
	}

	xsim.RemoveSeat(xsisim.DemoSeat2)
	zsim.FailNext(100, http.StatusServiceUnavailable)
	r := gateway(t, vars, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitFailure || !strings.Contains(r.stdout, "(0 added, 0 changed, 0 back, 1 gone)") ||
		!strings.Contains(r.stderr, "still registered in Zoho: gone seat "+xsisim.DemoSeat2) {
		t.Fatalf("sync with Zoho down: %+v", r)
	}
	if _, ok := org.ClickToDial(zu); !ok {
		t.Fatal("the registration went although Zoho was down")
	}
	zsim.FailNext(0, 0)
	r = gateway(t, vars, "", "seats", "sync", "--company", "Fermax")
	if r.code != exitOK || !strings.Contains(r.stdout, "switched off in Zoho: gone seat "+xsisim.DemoSeat2+" linked to miguel.martin@satec.es") {
		t.Fatalf("sync with Zoho back: %+v", r)
	}
	if _, ok := org.ClickToDial(zu); ok {
		t.Error("click-to-dial still registered for the gone seat")
	}
	if _, ok := org.CallControl(zu); ok {
		t.Error("call control still registered for the gone seat")
	}
	if l, err := st.LinkByID(ctx, c.ID, link.ID); err != nil || l.Enabled {
		t.Fatalf("link after the sync: %+v, %v", l, err)
	}
}

// TestSetCentrexEvents: --events chooses how a company's call events
// arrive, with the whole connection or alone.
func TestSetCentrexEvents(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url, "SECRET_KEY": testSecretKey}
	for _, name := range []string{"Fermax", "Acme"} {
		if r := gateway(t, vars, "", "company", "create", "--name", name, "--admin-email", "admin@"+strings.ToLower(name)+".com"); r.code != exitOK {
			t.Fatalf("company create: %+v", r)
		}
	}
	if r := gateway(t, vars, "", "company", "set-centrex", "--company", "Acme", "--events", "channel"); r.code != exitFailure ||
		!strings.Contains(r.stderr, "no Centrex connection") {
		t.Fatalf("events of a company without a connection: %+v", r)
	}
	set := []string{"company", "set-centrex", "--company", "Fermax", "--xsi-url", "https://192.0.2.10/xsp", "--user", xsisim.DemoAdminUserID,
		"--group", xsisim.DemoGroup, "--enterprise", xsisim.DemoEnterprise, "--password-stdin", "--events", "channel"}
	if r := gateway(t, vars, "pw\n", set...); r.code != exitOK {
		t.Fatalf("set-centrex --events channel: %+v", r)
	}
	events := func() string {
		st := testdb.Connect(t, url, testdb.Box(t))
		c, err := st.CompanyByName(context.Background(), "Fermax")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := st.CentrexConnection(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return conn.Events
	}
	if got := events(); got != "channel" {
		t.Fatalf("events %q after set-centrex --events channel", got)
	}
	if r := gateway(t, vars, "", "company", "set-centrex", "--company", "Fermax", "--events", "http"); r.code != exitOK ||
		!strings.Contains(r.stdout, "now arrive by http") {
		t.Fatalf("set-centrex --events http: %+v", r)
	}
	if got := events(); got != "http" {
		t.Fatalf("events %q after --events http", got)
	}
	// Setting the connection again keeps the mode.
	if r := gateway(t, vars, "pw\n", set[:len(set)-2]...); r.code != exitOK || events() != "http" {
		t.Fatalf("set-centrex without --events: %+v, events %q", r, events())
	}
	if r := gateway(t, vars, "", "company", "set-centrex", "--company", "Fermax", "--events", "smoke"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "http or channel") {
		t.Fatalf("bad --events: %+v", r)
	}
}
