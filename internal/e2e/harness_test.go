package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestMain(m *testing.M) { testdb.Main(m, closeBrowser) }

const (
	adminEmail    = "admin@fermax.com"
	adminPassword = "fermax-demo-password"
	captcha       = "135790"
)

// gateway is one in-process gateway on a fresh database, with its own Zoho
// simulator (the guide's organisation: zohosim.SeedDemo).
type gateway struct {
	url   string
	store *store.Store
	zsim  *zohosim.Sim
	zorg  *zohosim.Org
	xsim  *xsisim.Sim
}

// startGateway runs the gateway as `gateway dev` would, with the demo company
// and a fixed captcha answer (DEV_CAPTCHA_SOLUTION).
func startGateway(t *testing.T) *gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"DATABASE_URL":         testdb.URL(t),
		"LISTEN_ADDR":          ln.Addr().String(),
		"DEV_CAPTCHA_SOLUTION": captcha,
		"SECRET_KEY":           testdb.SecretKey,
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL, _ = url.Parse("http://" + ln.Addr().String())

	zsim := zohosim.New(zohosim.Options{ClientID: "cid", ClientSecret: "csecret", ProviderName: "Digital Centrex",
		RedirectURIs: []string{cfg.PublicURL.String() + "/zoho/callback"}})
	zsrv := httptest.NewServer(zsim.Handler())
	t.Cleanup(zsrv.Close)
	zsim.SetBaseURL(zsrv.URL)
	zorg := zohosim.SeedDemo(zsim)
	cfg.ZohoClientID, cfg.ZohoClientSecret = "cid", "csecret"
	cfg.ZohoAccountsURL, _ = url.Parse(zsrv.URL)

	// The Centrex: the guide's two seats plus 30 more, so the table pages.
	xsim := xsisim.New(xsisim.Options{})
	t.Cleanup(xsim.Close)
	group := xsisim.SeedDemo(xsim)
	group.SeedSeats(30)
	xsrv := httptest.NewServer(xsim)
	t.Cleanup(xsrv.Close)
	logs := &gatewayLog{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the gateway's log, last lines:\n%s", logs.tail(80))
		}
	})
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st := a.Store
	hash, err := password.Hash(adminPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	company, _, err := st.CreateCompany(ctx, "Fermax", adminEmail, hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetCentrexConnection(ctx, company.ID, centrex.Connection{BaseURL: xsrv.URL,
		UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword, GroupID: xsisim.DemoGroup,
		EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true, DirectoryUserID: xsisim.DemoSeat1}); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway: %v", err)
		}
		a.Close()
	})
	return &gateway{url: cfg.PublicURL.String(), store: st, zsim: zsim, zorg: zorg, xsim: xsim}
}

// gatewayLog keeps what a test's gateway logged (its access log
// included), shown when the test fails: a click that led nowhere is told
// apart from a request that never ended or failed.
type gatewayLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *gatewayLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// tail is the last n lines logged.
func (l *gatewayLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// browsers bounds how many tests drive the shared Chromium at once: on a
// small machine more of them only queue for the CPU.
var browsers = make(chan struct{}, 2)

// chromium is the shared browser's process and profile, for closeBrowser.
var chromium struct {
	stop func()
	dir  string
}

// closeBrowser stops the shared Chromium, if one was started, and removes
// its profile.
func closeBrowser() {
	if chromium.stop != nil {
		chromium.stop()
	}
	if chromium.dir != "" {
		_ = os.RemoveAll(chromium.dir)
	}
}

// sharedBrowser is the one Chromium the tests share, started by the first
// test that needs it and stopped by TestMain (the kernel would kill it with
// the test binary anyway: chromedp's Pdeathsig). Each test drives it in a
// browser context of its own (cookies and storage apart, like a fresh
// profile), so a test pays for a tab, not for starting a browser.
var sharedBrowser = sync.OnceValues(func() (context.Context, error) {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		return nil, fmt.Errorf("Chromium not found at %s: install Debian's chromium package (make test does it) or set CHROMIUM", path)
	}
	dir, err := os.MkdirTemp("", "gateway-e2e-chromium-")
	if err != nil {
		return nil, err
	}
	chromium.dir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "es-ES"),
		chromedp.Flag("accept-lang", "es-ES,es"),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	chromium.stop = func() { cancelCtx(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("start Chromium: %w", err)
	}
	return ctx, nil
})

// browser returns a context driving a new tab of the shared Chromium, in a
// browser context of its own, closed when t ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	browsers <- struct{}{}
	t.Cleanup(func() { <-browsers })
	shared, err := sharedBrowser()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelCtx := chromedp.NewContext(shared, chromedp.WithNewBrowserContext())
	// A hang guard, not a timing: a test takes well under a minute on an
	// idle machine, and several on one that runs other suites too.
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// run performs steps and fails the test with the step's name on error.
func run(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// loaded waits until the current document is parsed to its end and its
// deferred scripts have run (readyState "complete"). A document's body
// exists long before that: a step that queried the page as soon as the body
// appeared read a half-parsed page on a loaded machine (no table yet, no
// rows), and a click before app.js ran could land where the layout was about
// to change. It asks from Go, not with chromedp.Poll, whose polling runs in
// the page and stops where scripts are disabled; the test's hang guard
// bounds the wait.
func loaded() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			state, err := chromedp.Evaluate[string](`document.readyState`)(ctx, tg)
			if err == nil && state == "complete" {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the page never loaded (readyState %q, %v): %w", state, err, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// submit clicks sel and waits until a new document has replaced the current
// one and has loaded, so that later steps never read the page the click left
// nor a part of the new one.
func submit(t *testing.T, ctx context.Context, step, sel string) {
	t.Helper()
	run(t, ctx, step,
		loaded(),
		chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.stale = "1"`),
		chromedp.Click(chromedp.CSS(sel)))
	// A hang guard shorter than the test's, so that a click that led
	// nowhere says what the page showed instead.
	wait, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.WaitReady(chromedp.CSS(`html:not([data-stale]) body`)), loaded()); err != nil {
		shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.documentElement.dataset.stale ? "(the same document) " : "") +
			location.href + "\n" + (document.querySelector("dialog[open]")?.innerText ?? document.body.innerText).slice(0, 1500) +
			[...document.querySelectorAll("form")].map(f => "\nform " + (f.id || f.action) + (f.checkValidity() ? "" : " (invalid)") +
				[...f.elements].filter(e => e.name && e.type !== "hidden").map(e => " " + e.name + "=" + JSON.stringify(e.value)).join("")).join("")`))
		t.Fatalf("%s: no new page: %v; the page shows %s", step, err, shown)
	}
}

// signIn logs in as the demo administrator and waits for the main screen.
func signIn(t *testing.T, ctx context.Context, gw *gateway) {
	t.Helper()
	run(t, ctx, "open the login", chromedp.Navigate(gw.url+"/login"), chromedp.WaitVisible(chromedp.CSS(`#captcha`)),
		chromedp.SetValue(chromedp.CSS(`#email`), adminEmail),
		chromedp.SetValue(chromedp.CSS(`#password`), adminPassword),
		chromedp.SetValue(chromedp.CSS(`#captcha`), captcha))
	submit(t, ctx, "sign in", `[data-testid=login-submit]`)
	run(t, ctx, "main screen", chromedp.WaitVisible(chromedp.CSS(`[data-testid=admin-email]`)))
}

// shot saves a screenshot of the page as name.png in $E2E_SCREENSHOTS, when
// set: a way to look at what the tests see.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// value runs one action that returns a value.
func value[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// text reads the text of the first element matching the CSS selector sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return value(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// location is the page's current URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return value(t, ctx, "location", chromedp.Location())
}
