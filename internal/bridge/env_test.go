package bridge_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// env is one company wired through both simulators: seat 1 is linked to
// the Zoho user ZohoUser, whose click-to-dial and call control point at the
// gateway under test.
type env struct {
	t        testing.TB
	store    *store.Store
	xsi      *xsisim.Sim
	zoho     *zohosim.Sim
	org      *zohosim.Org
	pb       *zoho.PhoneBridge
	company  int64
	link     store.Link
	secret   string
	ZohoUser string
	gw       *httptest.Server
	// recoverGrace is how long the recovery after a gap leaves open a call
	// the Centrex no longer lists [3s]: long enough that a machine busy
	// enough to delay events by a second does not see the recovery close a
	// call whose events are on their way (the calls these tests place end
	// at once at the XSP, before the gateway has their events), short
	// enough that the tests in which recovery does close a call stay quick.
	// Tests in which only events end calls set it longer.
	recoverGrace time.Duration
}

// newEnv builds the world; xopts tunes the Xsi simulator.
func newEnv(t testing.TB, xopts xsisim.Options) *env {
	t.Helper()
	return newEnvOn(t, testdb.Open(t), xopts)
}

// newEnvOn builds the world on the store st.
func newEnvOn(t testing.TB, st *store.Store, xopts xsisim.Options) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, store: st}
	if xopts.DeliveryAttempts == 0 {
		// The simulator's default (three tries within 150 ms) drops an event
		// whenever the gateway is slow for a moment, as it is on a loaded
		// machine running tests in parallel; retry for about 25 s instead.
		xopts.DeliveryAttempts = 10
	}
	e.xsi = xsisim.New(xopts)
	xsisim.SeedDemo(e.xsi)
	xsrv := httptest.NewServer(e.xsi)
	t.Cleanup(func() { e.xsi.Close(); xsrv.Close() })

	const client, secret, redirect = "1000.BR", "br-secret", "https://gw.example/cb"
	e.zoho = zohosim.New(zohosim.Options{ClientID: client, ClientSecret: secret})
	zsrv := httptest.NewServer(e.zoho.Handler())
	t.Cleanup(zsrv.Close)
	e.zoho.SetBaseURL(zsrv.URL)
	e.org = e.zoho.AddOrg("Fermax", "eu")
	e.ZohoUser = e.org.AddUser("miguel.martin@satec.es", "Miguel", "pw", true)
	code, _, as, err := e.zoho.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	oauth, err := zoho.NewOAuth(zoho.OAuthConfig{ClientID: client, ClientSecret: secret, RedirectURL: redirect,
		HomeAccountsURL: zsrv.URL, HTTPClient: zsrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oauth.Exchange(ctx, as, "", code)
	if err != nil {
		t.Fatal(err)
	}
	e.pb = zoho.NewPhoneBridge(&httpClientNoRetry, zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken})
	if err := e.pb.Integrate(ctx); err != nil {
		t.Fatal(err)
	}

	c, _, err := e.store.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	e.company = c.ID
	must(t, e.store.SetCentrexConnection(ctx, c.ID, centrex.Connection{BaseURL: xsrv.URL,
		UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword, GroupID: xsisim.DemoGroup,
		EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true, DirectoryUserID: xsisim.DemoSeat1}))
	_, err = e.store.SyncSeats(ctx, c.ID, []centrex.Seat{
		{UserID: xsisim.DemoSeat1, Number: "910726329", Extension: "6329"},
		{UserID: xsisim.DemoSeat2, Number: "910726330", Extension: "6330"},
	}, store.SourceDirectory)
	must(t, err)
	must(t, e.store.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoEnabled,
		APIDomain: tok.APIDomain, RefreshToken: "unused: the outbox uses e.pb", EnabledAt: time.Now()}))
	seat, err := e.store.SeatByUserID(ctx, c.ID, xsisim.DemoSeat1)
	must(t, err)
	e.link, e.secret, err = e.store.CreateLink(ctx, c.ID, seat.ID, store.ZohoUser{ID: e.ZohoUser, Email: "miguel.martin@satec.es"})
	must(t, err)
	e.link, err = e.store.SetLinkEnabled(ctx, c.ID, e.link.ID, true)
	must(t, err)
	return e
}

var httpClientNoRetry = http.Client{Timeout: 5 * time.Second}

// instance is one gateway instance, wired as internal/app wires it: the
// bridge over the call use case, the subscription manager, the sweeper, the
// recovery of calls after a gap and an outbox worker.
type instance struct {
	bridge *bridge.Bridge
	calls  *calls.Service
	outbox *outbox.Worker
	subs   *subscriptions.Manager
	wake   subscriptions.Wake
	srv    *httptest.Server
	// stop ends the instance gracefully (its leases released); kill ends it
	// as a crash would (its leases left to run out).
	stop, kill func()
}

// pbx is the Centrex client of a company from its stored connection.
func (e *env) pbx(ctx context.Context, companyID int64) (centrex.PBX, error) {
	conn, err := e.store.CentrexConnection(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return xsi.New(conn.Connection, &http.Client{Timeout: 10 * time.Second}), nil
}

// start runs a gateway instance on e's database, serving the bridge on a
// new address, and registers it in Zoho for the linked user when it is the
// first.
func (e *env) start(o outbox.Options) *instance {
	return e.startOn("", o, subscriptions.Options{})
}

// startOn is start on addr ("" for a new one: a restarted gateway keeps its
// address), with the subscription manager tuned by so.
func (e *env) startOn(addr string, o outbox.Options, so subscriptions.Options) *instance {
	e.t.Helper()
	o.Store = e.store
	if o.Clients == nil {
		o.Clients = func(int64, int64) outbox.PhoneBridge { return e.pb }
	}
	if o.Poll == 0 {
		o.Poll = 100 * time.Millisecond
	}
	ob := outbox.New(o)
	in := &instance{outbox: ob}
	srv := httptest.NewUnstartedServer(nil)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		must(e.t, err)
		srv.Listener.Close()
		srv.Listener = ln
	}
	in.srv = srv
	public := "http://" + srv.Listener.Addr().String()
	wake := subscriptions.NewWake()
	in.wake = wake
	grace := e.recoverGrace
	if grace == 0 {
		grace = 3 * time.Second
	}
	in.calls = calls.New(calls.Options{Store: e.store, PBX: e.pbx, Kick: ob.Kick, Subscriptions: wake,
		Settings: callflow.DefaultSettings(), RecoverGrace: grace})
	so.Store, so.PBX, so.Wake = e.store, e.pbx, wake
	so.Intake, so.Gap = in.calls.ApplyEvent, in.calls.Gap
	so.ContactURL = func(token string) string { return public + bridge.EventsPath(token) }
	if so.Check == 0 {
		so.Check = 200 * time.Millisecond
	}
	in.subs = subscriptions.New(so)
	in.bridge = bridge.New(bridge.Options{Calls: in.calls})
	srv.Config.Handler = in.bridge.Handler()
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{ob.Run, in.subs.Run, in.calls.RunSweeper, in.calls.RunRecovery} {
		wg.Go(func() {
			if err := run(ctx); err != nil {
				e.t.Errorf("instance loop: %v", err)
			}
		})
	}
	var once sync.Once
	end := func(graceful bool) {
		once.Do(func() {
			cancel()
			wg.Wait()
			if graceful {
				if err := in.subs.Release(context.Background()); err != nil {
					e.t.Errorf("release: %v", err)
				}
			}
			srv.CloseClientConnections()
			srv.Close()
		})
	}
	in.stop, in.kill = func() { end(true) }, func() { end(false) }
	e.t.Cleanup(in.stop)
	if e.gw == nil {
		e.gw = srv
		e.register(srv.URL)
	}
	return in
}

// register points the Zoho user's click-to-dial and call control at base.
func (e *env) register(base string) {
	ctx := context.Background()
	params := []zoho.Param{{Name: zohoapi.ParamCompany, Value: strconv.FormatInt(e.company, 10)},
		{Name: zohoapi.ParamLink, Value: strconv.FormatInt(e.link.ID, 10)}}
	auth := zoho.Param{Name: zohoapi.AuthParam, Value: e.secret}
	u := zohoapi.URIsFor(base)
	must(e.t, e.pb.EnableClickToDial(ctx, zoho.ClickToDial{ZohoUser: e.ZohoUser, URI: u.ClickToDial,
		Params: params, AuthParam: auth}))
	must(e.t, e.pb.EnableCallControl(ctx, zoho.CallControl{ZohoUser: e.ZohoUser,
		AnswerURI: u.Answer, HungupURI: u.Hangup, HoldURI: u.Hold, UnholdURI: u.Unhold, KeypressURI: u.Keypress,
		Params: params, AuthParam: auth}))
}

// hangGuard bounds a wait for something that takes milliseconds on an idle
// machine: long, because a machine running the race-detected suites beside
// the browser tests can be many times slower, and a wait that is only a
// hang guard must not fail a test that would have passed.
const hangGuard = 60 * time.Second

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outboxSettled reports whether every queued notification is delivered and
// none is leased: from then on no instance sends anything.
func (e *env) outboxSettled() bool {
	var open int
	err := e.store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM outbox WHERE status <> 'delivered' OR lease_owner IS NOT NULL`).Scan(&open)
	must(e.t, err)
	return open == 0
}

// outboxSummary counts the outbox's rows by status and lease, for a
// failure's message.
func (e *env) outboxSummary() string {
	rows, err := e.store.Pool().Query(context.Background(),
		`SELECT status || CASE WHEN lease_owner IS NULL THEN '' ELSE ' (leased)' END, count(*) FROM outbox GROUP BY 1 ORDER BY 1`)
	must(e.t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var what string
		var n int
		must(e.t, rows.Scan(&what, &n))
		out = append(out, fmt.Sprintf("%s: %d", what, n))
	}
	must(e.t, rows.Err())
	return strings.Join(out, ", ")
}

// states lists the org's callnotify states per call id, in arrival order.
func (e *env) states() map[string][]string {
	out := map[string][]string{}
	for _, n := range e.org.Notifies() {
		out[n.ID] = append(out[n.ID], n.Type+" "+n.State)
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
