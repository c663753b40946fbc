package bridge_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// Kill test tuning. The XSP simulator retries an event it could not deliver
// after 50ms, 100ms, 200ms, … (doubling) and drops it after killAttempts
// tries: a retry window of about 25 s, far longer than the outage (the test
// fails if the outage gets near it).
const (
	killAttempts = 10
	killBackoff  = 50 * time.Millisecond
	killWindow   = killBackoff * (1<<(killAttempts-1) - 1)
	// killCallsAfter is how many calls the stream places after the restart
	// before it stops: it runs from before the kill until then, however
	// long the backlog the kill waits for takes to form.
	killCallsAfter = 10
	killSpacing    = 40 * time.Millisecond
	killZohoDelay  = 250 * time.Millisecond
	killDownFor    = 700 * time.Millisecond
	killDeadline   = 60 * time.Second
	// killInFlight bounds the notifications that may reach Zoho twice: the
	// rows a killed instance was delivering (its pool's default size).
	killInFlight = outbox.DefaultInFlight
)

// TestGatewayKilledMidStream: the real gateway binary (`gateway serve`) is
// SIGKILLed while Xsi events are arriving and notifications are queued
// behind a slow Zoho, then restarted on the same database and port. Every
// notification of every call placed during the run arrives at the Zoho
// simulator, in order per call.
//
// Nothing may be lost, counting every call the test placed, not only the
// events the gateway acknowledged: the outage (kill → restarted and ready)
// is kept well inside the simulated XSP's retry window (killAttempts with
// doubling killBackoff), so the XSP redelivers what it posted meanwhile, as
// a real XSP does. Delivery is at least once across a crash: a notification
// Zoho accepted just before the kill, but whose row was not yet marked
// delivered, is sent again after the restart. Such a repeat may only
// directly follow itself within its call, and there can be no more of them
// than rows in flight at the kill; the test logs how many there were.
func TestGatewayKilledMidStream(t *testing.T) {
	t.Parallel()
	bin := buildGateway(t)
	e := newEnv(t, xsisim.Options{DeliveryAttempts: killAttempts, DeliveryBackoff: killBackoff})
	storeZohoTokens(t, e)
	e.zoho.SetFault(func(*http.Request) (int, time.Duration) { return 0, killZohoDelay })
	addr := freeLoopbackAddr(t)
	env := []string{
		"DATABASE_URL=" + e.store.Pool().Config().ConnString(),
		"LISTEN_ADDR=" + addr,
		"PUBLIC_URL=http://" + addr,
		"SECRET_KEY=" + testdb.SecretKey, // the key of newEnv's store
		"ZOHO_CLIENT_ID=" + killClientID,
		"ZOHO_CLIENT_SECRET=" + killClientSecret,
		"ZOHO_ACCOUNTS_URL=" + e.zoho.BaseURL(),
		"MIGRATE_ON_START=true",
		"SEAT_SYNC_INTERVAL=1000h",
		"LOG_FORMAT=text",
	}
	deadline := time.Now().Add(killDeadline)

	gw := startGatewayProcess(t, bin, env, addr)
	waitFor(t, 10*time.Second, "the subscription", func() bool { return len(e.xsi.Subscriptions()) == 1 })

	// The stream: one call every killSpacing, every other one answered,
	// until stopStream is closed.
	want := map[string][]string{} // by caller number
	var mu sync.Mutex
	placed := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(want)
	}
	streamDone := make(chan error, 1)
	stopStream := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stopStream:
				streamDone <- nil
				return
			default:
			}
			from := fmt.Sprintf("+3461200%04d", i)
			states := []string{"received ringing", "received ended"}
			id, err := e.xsi.InjectIncomingCall(xsisim.DemoSeat1, from, "")
			if err == nil && i%2 == 0 {
				states = []string{"received ringing", "received answered", "received ended"}
				err = e.xsi.AnswerAtSeat(id)
			}
			if err == nil {
				err = e.xsi.ReleaseFromFarEnd(id)
			}
			if err != nil {
				streamDone <- fmt.Errorf("call %d: %w", i, err)
				return
			}
			mu.Lock()
			want[from] = states
			mu.Unlock()
			time.Sleep(killSpacing)
		}
	}()

	// Kill once Zoho has some notifications and the outbox a backlog; the
	// stream is still going.
	pending := func() int {
		var n int
		err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n)
		must(t, err)
		return n
	}
	waitFor(t, 10*time.Second, "a backlog", func() bool { return len(e.org.Notifies()) >= 5 && pending() >= 10 })
	backlog, before := pending(), len(e.org.Notifies())
	killedAt := time.Now()
	gw.kill(t)
	t.Logf("SIGKILL after %d calls placed: %d notifications delivered, %d pending", placed(), before, backlog)

	time.Sleep(killDownFor) // the stream goes on: the XSP retries into the void
	gw = startGatewayProcess(t, bin, env, addr)
	outage := time.Since(killedAt)
	t.Logf("restarted and ready after an outage of %s (XSP retry window %s)", outage.Round(time.Millisecond), killWindow)
	if outage > killWindow/2 {
		t.Fatalf("outage %s is too close to the XSP's retry window %s: events could be dropped", outage, killWindow)
	}

	restartedAt := placed()
	waitFor(t, time.Until(deadline), "the stream to go on after the restart", func() bool {
		return placed() >= restartedAt+killCallsAfter || len(streamDone) > 0
	})
	close(stopStream)
	select {
	case err := <-streamDone:
		must(t, err)
	case <-time.After(time.Until(deadline)):
		t.Fatal("the stream of calls did not finish in time")
	}
	total := 0
	for _, w := range want {
		total += len(w)
	}
	waitFor(t, time.Until(deadline), fmt.Sprintf("%d notifications", total), func() bool {
		return distinctDelivered(e) >= total && pending() == 0
	})
	// Every row delivered and none leased: nothing more will be sent.
	waitFor(t, time.Until(deadline), "the outbox to settle", func() bool { return e.outboxSettled() })
	repeats := checkKillOrder(t, e, want)
	t.Logf("%d calls, %d notifications, all delivered in order; %d repeated across the crash", len(want), total, repeats)
	if repeats > killInFlight {
		t.Fatalf("%d notifications repeated, more than the %d that can be in flight", repeats, killInFlight)
	}
	if gw.exited() {
		t.Fatalf("the restarted gateway exited:\n%s", gw.logs.String())
	}
}

// distinctDelivered counts the notifications at Zoho, a repeat (the same
// call and state twice in a row) counted once.
func distinctDelivered(e *env) int {
	n := 0
	last := map[string]string{}
	for _, x := range e.org.Notifies() {
		k := x.Type + " " + x.State
		if last[x.ID] != k {
			n++
		}
		last[x.ID] = k
	}
	return n
}

// checkKillOrder checks that every call (found by its caller number) got
// exactly its states, in order, under one Zoho call id of its own, allowing
// a notification to be directly repeated; it returns the repeats.
func checkKillOrder(t *testing.T, e *env, want map[string][]string) int {
	t.Helper()
	got := map[string][]string{}
	repeats := 0
	for from, states := range e.byCaller(t) {
		for _, s := range states {
			if g := got[from]; len(g) > 0 && g[len(g)-1] == s {
				repeats++
				continue
			}
			got[from] = append(got[from], s)
		}
	}
	for from, w := range want {
		if fmt.Sprint(got[from]) != fmt.Sprint(w) {
			t.Errorf("call from %s: got %v, want %v", from, got[from], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("notifications for %d calls, want %d", len(got), len(want))
	}
	return repeats
}

// The OAuth client newEnv's Zoho simulator knows.
const killClientID, killClientSecret = "1000.BR", "br-secret"

// storeZohoTokens gives the company's stored integration real tokens from
// the Zoho simulator (the store seals them with testdb.SecretKey), so that a
// gateway process with that SECRET_KEY can call PhoneBridge.
func storeZohoTokens(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	const redirect = "https://gw.example/cb"
	code, loc, as, err := e.zoho.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
	must(t, err)
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: killClientID, ClientSecret: killClientSecret,
		RedirectURL: redirect, HomeAccountsURL: e.zoho.BaseURL()})
	must(t, err)
	tok, err := oauth.Exchange(ctx, as, "", code)
	must(t, err)
	must(t, e.store.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: e.company, Status: store.ZohoEnabled,
		ConsentEmail: "miguel.martin@satec.es", Location: loc, AccountsServer: as, APIDomain: tok.APIDomain,
		RefreshToken: tok.RefreshToken, AccessToken: tok.AccessToken,
		AccessExpiresAt: tok.Expiry, RefreshedAt: time.Now(), EnabledAt: time.Now()}))
}

// buildGateway compiles cmd/gateway into the test's temporary directory.
func buildGateway(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gateway")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/conecta-zoho/gateway/cmd/gateway")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gateway: %v\n%s", err, out)
	}
	return bin
}

// freeLoopbackAddr returns a loopback address with a port free just now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	must(t, ln.Close())
	return addr
}

// gatewayProcess is one running `gateway serve`.
type gatewayProcess struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startGatewayProcess runs `gateway serve` with env and waits until addr
// answers /readyz. The process is killed when the test ends; its log is
// shown if the test failed.
func startGatewayProcess(t *testing.T, bin string, env []string, addr string) *gatewayProcess {
	t.Helper()
	p := &gatewayProcess{cmd: exec.Command(bin, "serve"), logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	must(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("gateway (pid %d) log:\n%s", p.cmd.Process.Pid, p.logs.String())
		}
	})
	client := &http.Client{Timeout: time.Second}
	waitFor(t, 15*time.Second, "the gateway to be ready", func() bool {
		if p.exited() {
			t.Fatalf("the gateway exited at start:\n%s", p.logs.String())
		}
		resp, err := client.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *gatewayProcess) kill(t *testing.T) {
	t.Helper()
	if p.exited() {
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !p.exited() {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-p.done
}

func (p *gatewayProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// syncBuffer is a bytes buffer safe for the process's writes and the test's
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
