package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	r := gateway(t, nil, "", "version")
	want := buildinfo.Read()
	if r.code != exitOK || strings.TrimSpace(r.stdout) != want.String() {
		t.Fatalf("version: %+v, want %q", r, want.String())
	}
	for _, part := range []string{"gateway " + want.Version, "commit " + want.Commit, "built " + want.Date} {
		if !strings.Contains(r.stdout, part) {
			t.Errorf("version output %q lacks %q", r.stdout, part)
		}
	}
	if r := gateway(t, nil, "", "version", "extra"); r.code != exitUsage {
		t.Errorf("version with an argument: %+v", r)
	}
}

// serverLog collects a running server's log and tells its readers when
// more has been written.
type serverLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed at the next Write
}

func newServerLog() *serverLog { return &serverLog{written: make(chan struct{})} }

func (b *serverLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.written)
	b.written = make(chan struct{})
	return b.buf.Write(p)
}

// line returns the first JSON log line whose msg is msg, once written; it
// gives up after 15 s (a hang guard).
func (b *serverLog) line(t *testing.T, msg string) map[string]any {
	t.Helper()
	giveUp := time.After(15 * time.Second)
	for {
		b.mu.Lock()
		text, written := b.buf.String(), b.written
		b.mu.Unlock()
		for _, l := range strings.Split(text, "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
				return m
			}
		}
		select {
		case <-written:
		case <-giveUp:
			t.Fatalf("no %q in the log:\n%s", msg, text)
			return nil
		}
	}
}

// TestHealthcheckAgainstServe runs `gateway serve` on a real database and
// asks it with `gateway healthcheck`: ready (0), schema behind (1),
// stopped (1). The server says its version when it starts and serves its
// metrics on METRICS_ADDR only.
func TestHealthcheckAgainstServe(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url, "PUBLIC_URL": "https://gw.example.com", "SECRET_KEY": testSecretKey,
		"LISTEN_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0", "LOG_FORMAT": "json"}
	if r := gateway(t, vars, "", "migrate"); r.code != exitOK {
		t.Fatalf("migrate: %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newServerLog()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""),
			stdout: io.Discard, stderr: logs})
	}()
	started := logs.line(t, "gateway listening")
	addr := started["addr"].(string)
	metricsAddr := logs.line(t, "metrics and profiles listening (internal only)")["addr"].(string)
	if build, _ := started["build"].(map[string]any); build["version"] != buildinfo.Read().Version || build["commit"] != buildinfo.Read().Commit {
		t.Errorf("start line's build = %v", started["build"])
	}

	check := map[string]string{"LISTEN_ADDR": addr}
	if r := gateway(t, check, "", "healthcheck"); r.code != exitOK || !strings.Contains(r.stdout, "ready") {
		t.Fatalf("healthcheck of a ready server: %+v", r)
	}
	for base, want := range map[string]int{"http://" + addr: http.StatusNotFound, "http://" + metricsAddr: http.StatusOK} {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusOK && !bytes.Contains(body, []byte("gateway_build_info"))) {
			t.Errorf("GET %s/metrics: %s", base, resp.Status)
		}
	}

	st := testdb.Connect(t, url, nil)
	if _, err := st.Pool().Exec(context.Background(), `DELETE FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if r := gateway(t, check, "", "healthcheck"); r.code != exitFailure || !strings.Contains(r.stderr, "503") {
		t.Errorf("healthcheck with the schema behind: %+v", r)
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve exited %d after SIGTERM", code)
	}
	if r := gateway(t, check, "", "healthcheck", "--timeout", "2s"); r.code != exitFailure || !strings.Contains(r.stderr, "refused") {
		t.Errorf("healthcheck of a stopped server: %+v", r)
	}
	if r := gateway(t, map[string]string{"LISTEN_ADDR": "8080"}, "", "healthcheck"); r.code != exitUsage {
		t.Errorf("healthcheck with a bad LISTEN_ADDR: %+v", r)
	}
}

func TestLocalAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:80": "127.0.0.1:80", "[::]:8080": "[::1]:8080",
		"10.0.0.4:8080": "10.0.0.4:8080"} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStatus reads what `gateway status` prints from a real database: a
// table of every company, one company in detail, and an unknown name.
func TestStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	vars := map[string]string{"DATABASE_URL": url}
	if r := gateway(t, vars, "", "status"); r.code != exitOK || !strings.Contains(r.stdout, "no companies yet") {
		t.Fatalf("status of an empty database: %+v", r)
	}
	for _, name := range []string{"Fermax", "Acme"} {
		if r := gateway(t, vars, "", "company", "create", "--name", name, "--admin-email", "admin@"+strings.ToLower(name)+".com"); r.code != exitOK {
			t.Fatalf("company create: %+v", r)
		}
	}
	st := testdb.Connect(t, url, testdb.Box(t))
	c, err := st.CompanyByName(ctx, "Fermax")
	if err != nil {
		t.Fatal(err)
	}
	// Fermax: the refresh token died, its seats were imported, and one
	// notification has been waiting for two minutes.
	must(t, st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoNeedsConsent,
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "dead", LastError: "needs_consent"}))
	_, err = st.SyncSeats(ctx, c.ID, []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, store.SourceImport)
	must(t, err)
	seat, err := st.SeatByUserID(ctx, c.ID, "910726329@conecta.orange.es")
	must(t, err)
	st.SetClock(func() time.Time { return time.Now().Add(-2 * time.Minute) })
	must(t, st.InCallTx(ctx, c.ID, func(ctx context.Context, tx store.CallTx) error {
		call, err := tx.LockCall(ctx, seat.ID, "call-1", "zu-1")
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, call.ID, "zoho-call-1", []store.OutboxItem{{Kind: store.OutboxCallNotify, Payload: json.RawMessage(`{}`)}})
	}))

	r := gateway(t, vars, "", "status")
	if r.code != exitOK {
		t.Fatalf("status: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "COMPANY") || !strings.HasPrefix(lines[1], "Acme") || !strings.HasPrefix(lines[2], "Fermax") {
		t.Fatalf("status table:\n%s", r.stdout)
	}
	acme, fermax := strings.Fields(lines[1]), strings.Fields(lines[2])
	if strings.Join(acme, " ") != "Acme disabled none off never 0 0 - -" {
		t.Errorf("Acme's row: %q", lines[1])
	}
	if len(fermax) < 9 || fermax[1] != "needs_consent" || fermax[2] != "needs_consent" || fermax[3] != "off" ||
		fermax[6] != "1" || fermax[7] != "0" || !strings.HasPrefix(fermax[8], "2m") || !strings.Contains(lines[2], "zoho: needs_consent") {
		t.Errorf("Fermax's row: %q", lines[2])
	}

	r = gateway(t, vars, "", "status", "--company", "fermax")
	for _, want := range []string{"Fermax (id ", "Zoho integration:  needs_consent (last error: needs_consent)",
		"Access token:      needs_consent", "Centrex:           no connection", "Seats:             synced ",
		"from the import (1 present, 0 gone)", "Outbox:            1 pending (oldest 2m", "Last error:        zoho: needs_consent"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status --company lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := gateway(t, vars, "", "status", "--company", "Nobody"); r.code != exitFailure || !strings.Contains(r.stderr, `no company named "Nobody"`) {
		t.Errorf("status of an unknown company: %+v", r)
	}
	if r := gateway(t, vars, "", "status", "extra"); r.code != exitUsage {
		t.Errorf("status with an argument: %+v", r)
	}
}

// TestStatusTableCutsLongErrors: the table shows at most maxErrorChars of
// a last error, cut between characters and marked with an ellipsis.
func TestStatusTableCutsLongErrors(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	printTable(&out, []status.Company{
		{CompanyFigures: store.CompanyFigures{Name: "Fermax"}, LastError: "zoho: " + strings.Repeat("é", 100)},
		{CompanyFigures: store.CompanyFigures{Name: "Acme"}},
	})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := "zoho: " + strings.Repeat("é", maxErrorChars-1-len("zoho: ")) + "…"
	if len(lines) != 3 || !strings.HasSuffix(lines[1], want) || !utf8.ValidString(out.String()) {
		t.Errorf("table:\n%s\nwant Fermax's line to end in %q", out.String(), want)
	}
	if !strings.HasSuffix(lines[2], " -") {
		t.Errorf("a company without an error: %q", lines[2])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
