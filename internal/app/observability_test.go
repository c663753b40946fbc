package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// accessLines are the JSON access-log lines written so far.
func (b *syncBuffer) accessLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "http request" {
			out = append(out, m)
		}
	}
	return out
}

// observed is one gateway built by New and served with both listeners,
// with a company whose seat 1 is linked, on the Zoho and Xsi simulators.
type observed struct {
	a            *App
	cfg          config.Config
	url, metrics string
	logs         *syncBuffer
	zsim         *zohosim.Sim
	org          *zohosim.Org
	xsim         *xsisim.Sim
	company      int64
}

func startObserved(t *testing.T) *observed {
	t.Helper()
	return startObservedWith(t, store.EventsHTTP)
}

// startObservedWith is startObserved with the company's call events
// arriving as events says (store.EventsHTTP or store.EventsChannel).
func startObservedWith(t *testing.T, events string) *observed {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &observed{url: "http://" + ln.Addr().String(), metrics: "http://" + mln.Addr().String(), logs: &syncBuffer{}}

	const client, secret, redirect = "cid", "csecret", "https://gw.example/zoho/callback"
	o.zsim = zohosim.New(zohosim.Options{ClientID: client, ClientSecret: secret})
	zsrv := httptest.NewServer(o.zsim.Handler())
	t.Cleanup(zsrv.Close)
	o.zsim.SetBaseURL(zsrv.URL)
	o.org = o.zsim.AddOrg("Fermax", "eu")
	zuser := o.org.AddUser("miguel.martin@satec.es", "Miguel", "pw", true)
	code, _, as, err := o.zsim.IssueCode("miguel.martin@satec.es", redirect, zoho.Scopes)
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
	if err := zoho.NewPhoneBridge(zsrv.Client(), zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken}).Integrate(ctx); err != nil {
		t.Fatal(err)
	}

	o.xsim = xsisim.New(xsisim.Options{})
	xsisim.SeedDemo(o.xsim)
	xsrv := httptest.NewServer(o.xsim)
	t.Cleanup(func() { o.xsim.Close(); xsrv.Close() })

	env := map[string]string{
		"DATABASE_URL": testdb.URL(t), "PUBLIC_URL": o.url, "SECRET_KEY": testdb.SecretKey,
		"ZOHO_CLIENT_ID": client, "ZOHO_CLIENT_SECRET": secret, "ZOHO_ACCOUNTS_URL": zsrv.URL,
	}
	if o.cfg, err = config.Load(func(k string) string { return env[k] }, config.ModeServe); err != nil {
		t.Fatal(err)
	}
	o.a, err = New(ctx, o.cfg, slog.New(slog.NewJSONHandler(o.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.a.Close)
	st := o.a.Store
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c, _, err := st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	o.company = c.ID
	must(t, st.SetCentrexConnection(ctx, c.ID, centrex.Connection{BaseURL: xsrv.URL, UserID: xsisim.DemoAdminUserID,
		Password: xsisim.DemoAdminPassword, GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true}))
	must(t, st.SetCentrexEvents(ctx, c.ID, events))
	_, err = st.SyncSeats(ctx, c.ID, []centrex.Seat{{UserID: xsisim.DemoSeat1, Number: "910726329"},
		{UserID: xsisim.DemoSeat2, Number: "910726330"}}, store.SourceDirectory)
	must(t, err)
	// The stored access token has expired: the first notification refreshes it.
	must(t, st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: c.ID, Status: store.ZohoEnabled, AccountsServer: as,
		APIDomain: tok.APIDomain, RefreshToken: tok.RefreshToken, AccessToken: "expired", AccessExpiresAt: time.Now().Add(-time.Minute),
		ConsentEmail: "miguel.martin@satec.es", EnabledAt: time.Now()}))
	seat, err := st.SeatByUserID(ctx, c.ID, xsisim.DemoSeat1)
	must(t, err)
	link, _, err := st.CreateLink(ctx, c.ID, seat.ID, store.ZohoUser{ID: zuser, Email: "miguel.martin@satec.es"})
	must(t, err)
	_, err = st.SetLinkEnabled(ctx, c.ID, link.ID, true)
	must(t, err)

	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- o.a.Serve(sctx, ln, mln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	waitFor(t, "the company's subscription", func() bool {
		sub, err := st.EventSubscriptionOf(ctx, c.ID)
		return err == nil && sub.SubscriptionID != ""
	})
	return o
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to stopWithin.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(stopWithin)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type labels = map[string]string

// scrape reads the instance's /metrics from its internal listener.
func (o *observed) scrape(t *testing.T) metricstest.Families {
	t.Helper()
	return metricstest.Scrape(t, o.metrics+"/metrics")
}

// waitMetric waits until the series' value is want.
func (o *observed) waitMetric(t *testing.T, name string, l labels, want float64) {
	t.Helper()
	var got float64
	deadline := time.Now().Add(stopWithin)
	for {
		if got = o.scrape(t).Value(name, l); got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v, want %v", name, l, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (o *observed) post(t *testing.T, path, body string) int {
	t.Helper()
	resp, err := http.Post(o.url+path, "application/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsMoveWithWhatHappens drives the gateway through a delivered
// notification (with a token refresh), a Zoho 5xx and its retry, a parked
// notification, and refused events, and reads /metrics after each.
func TestMetricsMoveWithWhatHappens(t *testing.T) {
	t.Parallel()
	o := startObserved(t)

	// A call rings and ends: two events in, two notifications delivered.
	id, err := o.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34612000001", "")
	must(t, err)
	must(t, o.xsim.ReleaseFromFarEnd(id))
	o.waitMetric(t, "gateway_outbox_deliveries_total", labels{"result": "delivered"}, 2)
	f := o.scrape(t)
	checkMetrics(t, f, "after a delivered call", []metricCase{
		{"gateway_xsi_events_total", labels{"type": "CallReceived"}, 1},
		{"gateway_xsi_events_total", labels{"type": "CallReleased"}, 1},
		{"gateway_zoho_requests_total", labels{"endpoint": "callnotify", "code": "200"}, 2},
		{"gateway_token_refreshes_total", labels{"result": "ok"}, 1},
		{"gateway_zoho_requests_total", labels{"endpoint": "token", "code": "200"}, 1},
		{"gateway_xsi_requests_total", labels{"op": "subscribe"}, 1},
		{"gateway_centrex_subscriptions", labels{"state": "active"}, 1},
		{"gateway_zoho_integrations", labels{"state": "enabled"}, 1},
		{"gateway_http_request_duration_seconds", labels{"surface": "bridge", "route": "/bridge/centrex/events/{token}", "status": "2xx"}, 2},
		{"gateway_database_up", nil, 1},
	})

	// Zoho answers 503 once: the notification is retried, then delivered.
	o.zsim.FailNext(1, http.StatusServiceUnavailable)
	id, err = o.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34612000002", "")
	must(t, err)
	o.waitMetric(t, "gateway_outbox_deliveries_total", labels{"result": "delivered"}, 3)
	f = o.scrape(t)
	if got := f.Value("gateway_zoho_requests_total", labels{"endpoint": "callnotify", "code": "503"}); got != 1 {
		t.Errorf("callnotify 503s = %v, want 1", got)
	}
	if got := f.Value("gateway_outbox_deliveries_total", labels{"result": "retry"}); got != 1 {
		t.Errorf("retries = %v, want 1", got)
	}

	// Zoho refuses the call's end (a 400): it is parked, and the database
	// gauges show it, in the total and for the company.
	o.zsim.FailNext(1, http.StatusBadRequest)
	must(t, o.xsim.ReleaseFromFarEnd(id))
	o.waitMetric(t, "gateway_outbox_parked", nil, 1)
	f = o.scrape(t)
	if f.Value("gateway_outbox_deliveries_total", labels{"result": "parked"}) != 1 ||
		f.Value("gateway_outbox_company_parked", labels{"company": "Fermax"}) != 1 || f.Value("gateway_outbox_pending", nil) != 0 {
		t.Errorf("after a parked notification: parked deliveries %v, company parked %v, pending %v",
			f.Value("gateway_outbox_deliveries_total", labels{"result": "parked"}),
			f.Value("gateway_outbox_company_parked", labels{"company": "Fermax"}), f.Value("gateway_outbox_pending", nil))
	}

	// Events refused: an unknown token, and a body that is not an event.
	token, err := o.a.Store.EventToken(context.Background(), o.company)
	must(t, err)
	if s := o.post(t, "/bridge/centrex/events/not-a-token-of-anyone", "<x/>"); s != http.StatusNotFound {
		t.Errorf("unknown token: %d", s)
	}
	if s := o.post(t, "/bridge/centrex/events/"+token, "not xml"); s != http.StatusBadRequest {
		t.Errorf("bad body: %d", s)
	}
	f = o.scrape(t)
	if f.Value("gateway_xsi_events_refused_total", labels{"cause": "unknown_token"}) != 1 ||
		f.Value("gateway_xsi_events_refused_total", labels{"cause": "unparseable"}) != 1 {
		t.Errorf("refused events: unknown_token %v, unparseable %v",
			f.Value("gateway_xsi_events_refused_total", labels{"cause": "unknown_token"}),
			f.Value("gateway_xsi_events_refused_total", labels{"cause": "unparseable"}))
	}
	if strings.Contains(o.logs.String(), token) {
		t.Error("the events token is in the log")
	}

	// Another instance on the same database reports the same figures.
	other, err := New(context.Background(), o.cfg, slog.New(slog.DiscardHandler))
	must(t, err)
	defer other.Close()
	g := metricstest.Gather(t, other.Metrics.Gatherer())
	if g.Value("gateway_outbox_parked", nil) != 1 || g.Value("gateway_centrex_subscriptions", labels{"state": "active"}) != 1 {
		t.Errorf("second instance: parked %v, active subscriptions %v", g.Value("gateway_outbox_parked", nil),
			g.Value("gateway_centrex_subscriptions", labels{"state": "active"}))
	}
}

// TestChannelEventsAreCounted: in event-channel mode the events read from
// the channel are counted like those of the HTTP contact, and so are the
// channel's requests to the XSP.
func TestChannelEventsAreCounted(t *testing.T) {
	t.Parallel()
	o := startObservedWith(t, store.EventsChannel)
	id, err := o.xsim.InjectIncomingCall(xsisim.DemoSeat1, "+34612000001", "")
	must(t, err)
	must(t, o.xsim.ReleaseFromFarEnd(id))
	o.waitMetric(t, "gateway_outbox_deliveries_total", labels{"result": "delivered"}, 2)
	checkMetrics(t, o.scrape(t), "in channel mode", []metricCase{
		{"gateway_xsi_events_total", labels{"type": "CallReceived"}, 1},
		{"gateway_xsi_events_total", labels{"type": "CallReleased"}, 1},
		{"gateway_xsi_requests_total", labels{"op": "channel open", "code": "200"}, 1},
		{"gateway_xsi_requests_total", labels{"op": "event response", "code": "200"}, 2},
		{"gateway_http_request_duration_seconds", labels{"surface": "bridge", "route": "/bridge/centrex/events/{token}", "status": "2xx"}, 0},
	})
}

// metricCase is a series and the value it should have.
type metricCase struct {
	name string
	l    labels
	want float64
}

// checkMetrics reports every series of cases that has another value in f.
func checkMetrics(t *testing.T, f metricstest.Families, when string, cases []metricCase) {
	t.Helper()
	for _, c := range cases {
		if got := f.Value(c.name, c.l); got != c.want {
			t.Errorf("%s: %s%v = %v, want %v", when, c.name, c.l, got, c.want)
		}
	}
}

// TestMetricsAreNotPublic: /metrics and the profiles are on the internal
// listener only.
func TestMetricsAreNotPublic(t *testing.T) {
	t.Parallel()
	o := startObserved(t)
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		resp, err := http.Get(o.url + path)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %s, want 404", path, resp.Status)
		}
		resp, err = http.Get(o.metrics + path)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("internal %s: %s, want 200", path, resp.Status)
		}
	}
}

// TestRefusedBridgeRequestsAreLogged: every refused telephony request,
// however many at once, gets its access-log line with its status, and no
// token or secret reaches the log.
func TestRefusedBridgeRequestsAreLogged(t *testing.T) {
	t.Parallel()
	o := startObserved(t)
	const secret = "link-secret-0123456789abcdef"
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := http.Post(fmt.Sprintf("%s/bridge/centrex/events/forged-token-%d", o.url, i), "application/xml", strings.NewReader("<x/>"))
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	for _, c := range []struct {
		method, path string
		header       http.Header
		status       int
	}{
		{"POST", "/bridge/zoho/clicktodial?conecta_company=1&conecta_link=999&X-Conecta-Token=" + secret, nil, http.StatusForbidden},
		{"POST", "/bridge/zoho/call/hold?conecta_company=1&conecta_link=999", http.Header{"X-Conecta-Token": {secret}}, http.StatusForbidden},
		{"POST", "/bridge/zoho/call/hold", nil, http.StatusUnauthorized},
		{"GET", "/bridge/zoho/clicktodial", nil, http.StatusNotFound},
	} {
		req, err := http.NewRequest(c.method, o.url+c.path, nil)
		must(t, err)
		for k, v := range c.header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}

	var forged int
	statuses := map[float64]int{}
	for _, l := range o.logs.accessLines(t) {
		if l["surface"] != "bridge" {
			continue
		}
		if l["request_id"] == "" || l["client"] != "127.0.0.1" || l["duration"] == nil {
			t.Errorf("incomplete line: %v", l)
		}
		statuses[l["status"].(float64)]++
		if l["path"] == "/bridge/centrex/events/[redacted]" && l["status"] == float64(404) {
			forged++
		}
	}
	if forged != n || statuses[403] != 2 || statuses[401] != 1 {
		t.Errorf("logged %d forged event posts (want %d), statuses %v", forged, n, statuses)
	}
	out := o.logs.String()
	if strings.Contains(out, "forged-token") || strings.Contains(out, secret) {
		t.Errorf("a token or a secret is in the log")
	}
	if got := o.scrape(t).Value("gateway_xsi_events_refused_total", labels{"cause": "unknown_token"}); got != n {
		t.Errorf("refused events counted %v, want %d", got, n)
	}
}
