package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

const testSecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func TestSetCentrexAndSeatsSync(t *testing.T) {
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
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
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
