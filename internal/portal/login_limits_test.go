package portal_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/conecta-zoho/gateway/internal/login"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/portal"
)

// passwordGate stands in for the password check: every check announces
// itself on entered and then waits until its password is released, so a
// test can hold checks "still hashing" and count how many run at once.
type passwordGate struct {
	entered chan string
	mu      sync.Mutex
	gates   map[string]chan struct{}
	all     chan struct{}
	in      int
	peak    int
}

func newPasswordGate() *passwordGate {
	return &passwordGate{entered: make(chan string, 1000), gates: map[string]chan struct{}{}, all: make(chan struct{})}
}

func (g *passwordGate) gate(pw string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gates[pw] == nil {
		g.gates[pw] = make(chan struct{})
	}
	return g.gates[pw]
}

func (g *passwordGate) check(pw, hash string) (bool, error) {
	g.mu.Lock()
	g.in++
	g.peak = max(g.peak, g.in)
	g.mu.Unlock()
	defer func() { g.mu.Lock(); g.in--; g.mu.Unlock() }()
	g.entered <- pw
	select {
	case <-g.gate(pw):
	case <-g.all:
	}
	return password.Check(pw, hash)
}

// release lets the checks of pw finish; releaseAll every check.
func (g *passwordGate) release(pw string) { close(g.gate(pw)) }
func (g *passwordGate) releaseAll()       { close(g.all) }

func (g *passwordGate) peakChecks() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// secondInstance starts another portal on the env's database, as another
// gateway instance behind the same load balancer, and returns its URL.
func (e *testEnv) secondInstance(t testing.TB) string {
	t.Helper()
	return httptestServer(t, e.handler(t, "http://127.0.0.1")).URL
}

// on is c talking to the instance at base, with c's cookies.
func (c *client) on(base string) *client {
	return &client{t: c.t, base: base, http: c.http, hdr: c.hdr}
}

// postAll posts every form at once through its client and returns the
// channel of their statuses.
func postAll(t testing.TB, clients []*client, forms []url.Values) chan int {
	t.Helper()
	statuses := make(chan int, len(forms))
	for i, form := range forms {
		go func() {
			status, err := clients[i].tryPost("/login", form)
			if err != nil {
				t.Error(err)
			}
			statuses <- status
		}()
	}
	return statuses
}

// settle waits until each of n requests has either entered a password
// check (and is held there) or answered, and says how many did which. It
// never waits on a request that is held.
func (g *passwordGate) settle(statuses chan int, n int) (checking int, answered []int) {
	for checking+len(answered) < n {
		select {
		case <-g.entered:
			checking++
		case s := <-statuses:
			answered = append(answered, s)
		}
	}
	return checking, answered
}

func count(statuses []int, want int) int {
	n := 0
	for _, s := range statuses {
		if s == want {
			n++
		}
	}
	return n
}

// TestGuessesInFlightCount: five wrong guesses for the account, sent to two
// instances, are being hashed; a sixth guess, even the right password, is
// refused at once, while the five are still in flight, and stays refused
// after them.
func TestGuessesInFlightCount(t *testing.T) {
	t.Parallel()
	g := newPasswordGate()
	e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 16 }))
	other := e.secondInstance(t)
	var clients []*client
	var forms []url.Values
	for i := range 5 {
		c := e.client(t)
		if i%2 == 1 {
			c = c.on(other)
		}
		clients = append(clients, c)
		forms = append(forms, c.loginForm(adminEmail, "wrong password!!", captchaDigits))
	}
	statuses := postAll(t, clients, forms)
	if checking, answered := g.settle(statuses, 5); checking != 5 {
		t.Fatalf("%d guesses being checked, %d answered (%v); want all five in flight", checking, len(answered), answered)
	}

	sixth := e.client(t)
	sixthStatus := postAll(t, []*client{sixth}, []url.Values{sixth.loginForm(adminEmail, adminPassword, captchaDigits)})
	select {
	case s := <-sixthStatus:
		if s != http.StatusTooManyRequests {
			t.Errorf("the sixth guess, sent while five were hashing: status %d, want 429", s)
		}
	case pw := <-g.entered:
		t.Errorf("the sixth guess (%q) was checked while five were in flight", pw)
	}
	g.releaseAll()
	for range 5 {
		if s := <-statuses; s != http.StatusUnauthorized {
			t.Errorf("a wrong guess: status %d, want 401", s)
		}
	}
	wantStatus(t, e.client(t).login(adminEmail, adminPassword, captchaDigits), http.StatusTooManyRequests)
}

// TestSuccessAmongGuessesKeepsHistory: four wrong guesses and the right
// password are checked at once; the login succeeds but takes back only its
// own attempt, so the four still count: one more failure locks the account.
func TestSuccessAmongGuessesKeepsHistory(t *testing.T) {
	t.Parallel()
	g := newPasswordGate()
	e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 16 }))
	var clients []*client
	var forms []url.Values
	for i := range 5 {
		c := e.client(t)
		pw := "wrong password!!"
		if i == 4 {
			pw = adminPassword
		}
		clients = append(clients, c)
		forms = append(forms, c.loginForm(adminEmail, pw, captchaDigits))
	}
	statuses := postAll(t, clients, forms)
	if checking, answered := g.settle(statuses, 5); checking != 5 {
		t.Fatalf("%d checks in flight (%v answered), want 5", checking, answered)
	}
	// The wrong guesses finish first, then the login.
	g.release("wrong password!!")
	for range 4 {
		if s := <-statuses; s != http.StatusUnauthorized {
			t.Fatalf("a wrong guess: status %d", s)
		}
	}
	g.release(adminPassword)
	if s := <-statuses; s != http.StatusSeeOther {
		t.Fatalf("the right password among the guesses: status %d, want 303", s)
	}
	wantStatus(t, clients[4].get("/home"), http.StatusOK)

	wantStatus(t, e.client(t).login(adminEmail, "wrong password!!", captchaDigits), http.StatusUnauthorized)
	wantStatus(t, e.client(t).login(adminEmail, adminPassword, captchaDigits), http.StatusTooManyRequests)
}

// TestOneCaptchaAnsweredAtOnce: one login form (one cookie, one captcha)
// posted six times at once, to two instances, with the right answer and
// password: one request has its password checked and signs in, the five
// others fail without a check.
func TestOneCaptchaAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	g := newPasswordGate()
	e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 16 }))
	c := e.client(t)
	d := c.on(e.secondInstance(t))
	form := c.loginForm(adminEmail, adminPassword, captchaDigits)
	clients := []*client{c, d, c, d, c, d}
	statuses := postAll(t, clients, []url.Values{form, form, form, form, form, form})
	checking, answered := g.settle(statuses, 6)
	if checking != 1 {
		t.Errorf("%d of six posts of one captcha had their password checked, want 1", checking)
	}
	g.releaseAll()
	for range checking {
		answered = append(answered, <-statuses)
	}
	if count(answered, http.StatusSeeOther) != 1 || count(answered, http.StatusUnauthorized) != 5 {
		t.Fatalf("statuses %v, want one 303 and five 401", answered)
	}
}

// TestLoginFloodIsBounded: eighty logins at once, each with its own right
// captcha, against two hashing slots. The peak number of password hashes in
// progress (each 64 MiB of argon2id in production) is the number of slots,
// and every other login is answered at once with 503 and Retry-After. A
// flood of wrong captchas causes no hash at all.
func TestLoginFloodIsBounded(t *testing.T) {
	t.Parallel()
	g := newPasswordGate()
	e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 2 }))
	const flood = 80
	var clients []*client
	var forms []url.Values
	for range flood {
		c := e.client(t)
		clients = append(clients, c)
		forms = append(forms, c.loginForm(adminEmail, "wrong password!!", captchaDigits))
	}
	statuses := postAll(t, clients, forms)
	checking, answered := g.settle(statuses, flood)
	if checking != 2 || g.peakChecks() != 2 {
		t.Errorf("%d password checks at once (peak %d), want the 2 slots", checking, g.peakChecks())
	}
	if n := count(answered, http.StatusServiceUnavailable); n != flood-checking {
		t.Errorf("%d of %d answered logins were 503: %v", n, len(answered), answered)
	}
	g.releaseAll()
	for range checking {
		if s := <-statuses; s != http.StatusUnauthorized {
			t.Errorf("a checked wrong password: %d", s)
		}
	}
	// The metrics tell the refused logins from the checked ones.
	f := metricstest.Gather(t, e.metrics.Gatherer())
	if busy, failed := f.Value("gateway_logins_total", map[string]string{"result": "busy"}),
		f.Value("gateway_logins_total", map[string]string{"result": "failed"}); busy != flood-float64(checking) || failed != float64(checking) {
		t.Errorf("logins counted busy %v, failed %v; want %d and %d", busy, failed, flood-checking, checking)
	}

	t.Run("busy answer", func(t *testing.T) {
		// Both slots held again: the next login is told to retry.
		g := newPasswordGate()
		e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 2 }))
		held := []*client{e.client(t), e.client(t)}
		statuses := postAll(t, held, []url.Values{held[0].loginForm(adminEmail, "x wrong 1", captchaDigits), held[1].loginForm(adminEmail, "x wrong 2", captchaDigits)})
		g.settle(statuses, 2)
		c := e.client(t)
		form := c.loginForm(adminEmail, adminPassword, captchaDigits)
		third := make(chan response, 1)
		go func() {
			res, err := c.http.PostForm(c.base+"/login", form)
			if err != nil {
				t.Error(err)
				third <- response{}
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			third <- response{status: res.StatusCode, header: res.Header, body: string(b)}
		}()
		var r response
		select {
		case r = <-third:
		case <-g.entered:
			t.Error("a third login was hashed while both slots were taken")
			g.releaseAll()
			r = <-third
		}
		wantStatus(t, r, http.StatusServiceUnavailable)
		if r.header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		if msg := r.doc(t).Find("[data-testid=login-error]").Text(); !strings.Contains(msg, "Vuelva a intentarlo dentro de unos segundos") {
			t.Errorf("busy message = %q", msg)
		}
		if src, _ := r.doc(t).Find("#captcha-image").Attr("src"); !strings.HasPrefix(src, "/captcha/") {
			t.Error("no fresh captcha with the busy answer")
		}
		g.releaseAll()
		<-statuses
		<-statuses
	})

	t.Run("wrong captchas", func(t *testing.T) {
		g := newPasswordGate()
		e := newTestEnvWith(t, withGate(func(o *login.Options) { o.CheckPassword = g.check; o.HashSlots = 2 }))
		const n = 30
		var clients []*client
		var forms []url.Values
		for range n {
			c := e.client(t)
			clients = append(clients, c)
			forms = append(forms, c.loginForm(adminEmail, adminPassword, "000000"))
		}
		checking, answered := g.settle(postAll(t, clients, forms), n)
		g.releaseAll()
		if checking != 0 {
			t.Errorf("%d passwords hashed for wrong captchas, want none", checking)
		}
		// Twenty failures lock the address; none of them is a 503.
		if count(answered, http.StatusUnauthorized)+count(answered, http.StatusTooManyRequests) != n {
			t.Errorf("statuses %v, want only 401 and 429", answered)
		}
	})
}

// TestFailedCaptchasCountAgainstTheAddressOnly: failed captchas for the
// administrator's e-mail prove nothing about the password, so they do not
// lock the account: after six of them the administrator signs in. Twenty
// lock the address they came from.
func TestFailedCaptchasCountAgainstTheAddressOnly(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.client(t)
	for range 6 {
		wantStatus(t, c.login(adminEmail, adminPassword, "000000"), http.StatusUnauthorized)
	}
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)

	for range 14 { // 6 + 14 = 20 from this address
		wantStatus(t, e.client(t).login("someone@x.com", "whatever whatever", "000000"), http.StatusUnauthorized)
	}
	wantStatus(t, e.client(t).login(adminEmail, adminPassword, captchaDigits), http.StatusTooManyRequests)

	f := metricstest.Gather(t, e.metrics.Gatherer())
	for result, want := range map[string]float64{"captcha": 20, "success": 1, "failed": 0} {
		if got := f.Value("gateway_logins_total", map[string]string{"result": result}); got != want {
			t.Errorf("gateway_logins_total{result=%q} = %v, want %v", result, got, want)
		}
	}
	if got := f.Value("gateway_logins_throttled_total", nil); got != 1 {
		t.Errorf("gateway_logins_throttled_total = %v, want 1", got)
	}
}

// TestForwardedForAcrossHeaderLines: behind a trusted proxy the client
// address is the last X-Forwarded-For entry of the last header line, the
// one the proxy added; entries the client sent, on a line of their own or
// before the proxy's on its line, do not pick the throttling key.
func TestForwardedForAcrossHeaderLines(t *testing.T) {
	t.Parallel()
	e := newTestEnvWith(t, func(o *portal.Options) { o.TrustProxy = true })
	via := func(c *client, lines ...string) {
		c.hdr["X-Forwarded-For"] = lines
	}
	for i := range 20 {
		c := e.client(t)
		// The client's own line, then the proxy's.
		via(c, fmt.Sprintf("10.9.0.%d", i), "203.0.113.7")
		wantStatus(t, c.login(fmt.Sprintf("someone%d@x.com", i), adminPassword, "000000"), http.StatusUnauthorized)
	}
	c := e.client(t)
	via(c, "198.51.100.1", "10.1.1.1, 203.0.113.7")
	wantStatus(t, c.login(adminEmail, adminPassword, captchaDigits), http.StatusTooManyRequests)

	other := e.client(t)
	via(other, "203.0.113.7", "203.0.113.8")
	wantStatus(t, other.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
}
