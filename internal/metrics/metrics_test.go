package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

type labels = map[string]string

// TestNilRecordsNothing: the parts of the gateway call a nil *Metrics in
// their own tests.
func TestNilRecordsNothing(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.XsiEvent("CallReceived")
	m.XsiEventRefused(metrics.RefusedTooLarge)
	m.TokenRefresh(metrics.RefreshOK)
	m.OutboxDelivery(metrics.DeliveryParked)
	m.Login(metrics.AccountOperator, metrics.LoginSuccess)
	m.LoginThrottled(metrics.AccountAdministrator)
	m.HTTPRequest("portal", "GET", "/", 200, time.Millisecond)
	if rt := m.ZohoTransport(http.DefaultTransport, zoho.Endpoint); rt != http.DefaultTransport {
		t.Errorf("a nil Metrics wrapped the transport")
	}
}

func TestCountersMove(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	m.XsiEvent("CallReceived")
	m.XsiEvent("CallReceived")
	m.XsiEventRefused(metrics.RefusedUnknownToken)
	m.TokenRefresh(metrics.RefreshInvalidGrant)
	m.OutboxDelivery(metrics.DeliveryDelivered)
	m.EventGroup(12, 3*time.Millisecond)
	m.EventGroupRerun(metrics.RerunItemByItem)
	m.Login(metrics.AccountOperator, metrics.LoginCaptcha)
	m.LoginThrottled(metrics.AccountAdministrator)
	m.HTTPRequest("bridge", "FROB", "", 404, time.Millisecond)
	m.HTTPRequest("portal", "GET", "/zoho/seats/{seat}/activate", 200, time.Millisecond)
	f := metricstest.Gather(t, m.Gatherer())
	for _, c := range []struct {
		name   string
		labels labels
		want   float64
	}{
		{"gateway_xsi_events_total", labels{"type": "CallReceived"}, 2},
		{"gateway_xsi_events_refused_total", labels{"cause": "unknown_token"}, 1},
		{"gateway_token_refreshes_total", labels{"result": "invalid_grant"}, 1},
		{"gateway_outbox_deliveries_total", labels{"result": "delivered"}, 1},
		{"gateway_logins_total", labels{"account": "operator", "result": "captcha"}, 1},
		{"gateway_logins_throttled_total", labels{"account": "administrator"}, 1},
		// A made-up method and an unmatched path keep the labels bounded.
		{"gateway_http_request_duration_seconds", labels{"surface": "bridge", "method": "OTHER", "route": "unmatched", "status": "4xx"}, 1},
		{"gateway_http_request_duration_seconds", labels{"surface": "portal", "method": "GET", "route": "/zoho/seats/{seat}/activate", "status": "2xx"}, 1},
		{"gateway_build_info", labels{"version": buildinfo.Read().Version}, 1},
	} {
		if got := f.Value(c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if !f.Has("go_goroutines", nil) || !f.Has("process_cpu_seconds_total", nil) {
		t.Error("the Go and process collectors are missing")
	}
}

// TestCacheLeaseGauge: gateway_cache_lease_trusted follows the lease at
// each scrape.
func TestCacheLeaseGauge(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	trusted := true
	if err := m.WatchCacheLease(func() bool { return trusted }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []float64{1, 0} {
		trusted = want == 1
		if got := metricstest.Gather(t, m.Gatherer()).Value("gateway_cache_lease_trusted", nil); got != want {
			t.Errorf("gateway_cache_lease_trusted %v with the lease trusted=%t, want %v", got, trusted, want)
		}
	}
}

// TestChannelGauges: gateway_centrex_channels reads the counts at each
// scrape.
func TestChannelGauges(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	open, reopening := 3, 1
	if err := m.WatchChannels(func() (int, int) { return open, reopening }); err != nil {
		t.Fatal(err)
	}
	check := func(wantOpen, wantReopening float64) {
		t.Helper()
		f := metricstest.Gather(t, m.Gatherer())
		if o, r := f.Value("gateway_centrex_channels", labels{"state": "open"}), f.Value("gateway_centrex_channels", labels{"state": "reopening"}); o != wantOpen || r != wantReopening {
			t.Errorf("channels open %v, reopening %v; want %v, %v", o, r, wantOpen, wantReopening)
		}
	}
	check(3, 1)
	open, reopening = 2, 2
	check(2, 2)
}

// TestLint runs Prometheus's own linter over every metric (names, units,
// help texts).
func TestLint(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	busy := fakeSource{companies: []status.Company{company("Acme", 1, 1, time.Minute, store.ZohoEnabled, status.SubscriptionActive)}}
	if err := m.Register(metrics.NewStatusCollector(busy, 10, nil)); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchChannels(func() (int, int) { return 1, 0 }); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchCacheLease(func() bool { return true }); err != nil {
		t.Fatal(err)
	}
	touchAll(m)
	mfs, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "gateway_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
	// Names lists exactly what can be exported.
	have := map[string]bool{}
	for _, mf := range mfs {
		have[mf.GetName()] = true
	}
	for _, n := range m.Names() {
		if !have[n] {
			t.Errorf("Names lists %s, which the registry did not export", n)
		}
		delete(have, n)
	}
	for n := range have {
		if strings.HasPrefix(n, "gateway_") {
			t.Errorf("the registry exports %s, which Names does not list", n)
		}
	}
}

// touchAll gives every vector a series, so that Gather shows them all.
func touchAll(m *metrics.Metrics) {
	m.XsiEvent("CallReceived")
	m.XsiEventRefused(metrics.RefusedTooLarge)
	m.TokenRefresh(metrics.RefreshOK)
	m.OutboxDelivery(metrics.DeliveryDelivered)
	m.EventGroup(12, 3*time.Millisecond)
	m.EventGroupRerun(metrics.RerunItemByItem)
	m.Login(metrics.AccountOperator, metrics.LoginSuccess)
	m.LoginThrottled(metrics.AccountAdministrator)
	m.HTTPRequest("portal", "GET", "/", 200, time.Millisecond)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, rt := range []http.RoundTripper{m.ZohoTransport(nil, zoho.Endpoint), m.XsiTransport(nil, func(*http.Request) string { return "dial" })} {
		if resp, err := (&http.Client{Transport: rt}).Get(srv.URL); err == nil {
			resp.Body.Close()
		}
	}
}

func TestTransportsCountEveryAnswer(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/callnotify") {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	hc := &http.Client{Transport: m.ZohoTransport(nil, zoho.Endpoint)}
	for range 2 {
		resp, err := hc.Post(srv.URL+"/eu/phonebridge/v3/callnotify", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := hc.Get(srv.URL + "/eu/phonebridge/v3/users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Close()
	if _, err := hc.Get(srv.URL + "/eu/phonebridge/v3/users"); err == nil {
		t.Fatal("a closed server answered")
	}
	f := metricstest.Gather(t, m.Gatherer())
	for _, c := range []struct {
		labels labels
		want   float64
	}{
		{labels{"endpoint": "callnotify", "method": "POST", "code": "503"}, 2},
		{labels{"endpoint": "users", "method": "GET", "code": "200"}, 1},
		{labels{"endpoint": "users", "method": "GET", "code": "error"}, 1},
	} {
		if got := f.Value("gateway_zoho_requests_total", c.labels); got != c.want {
			t.Errorf("gateway_zoho_requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got := f.Value("gateway_zoho_request_duration_seconds", labels{"endpoint": "callnotify"}); got != 2 {
		t.Errorf("callnotify latency samples = %v, want 2", got)
	}
}

// fakeSource serves fixed companies, or an error.
type fakeSource struct {
	companies []status.Company
	err       error
}

func (f fakeSource) Companies(context.Context, string) ([]status.Company, error) {
	return f.companies, f.err
}

func company(name string, pending, parked int, oldest time.Duration, integ store.ZohoStatus, sub status.SubscriptionState) status.Company {
	c := status.Company{SubscriptionState: sub, OldestPendingAge: oldest}
	c.Name, c.OutboxPending, c.OutboxParked, c.Integration = name, pending, parked, integ
	return c
}

func TestStatusCollector(t *testing.T) {
	t.Parallel()
	src := fakeSource{companies: []status.Company{
		company("Acme", 0, 0, 0, store.ZohoEnabled, status.SubscriptionActive),
		company("Bravo", 3, 0, 40*time.Second, store.ZohoEnabled, status.SubscriptionActive),
		company("Charlie", 1, 2, 10*time.Minute, store.ZohoEnabled, status.SubscriptionFailing),
		company("Delta", 0, 1, 0, store.ZohoNeedsConsent, status.SubscriptionNone),
		company("Echo", 0, 0, 0, store.ZohoDisabled, status.SubscriptionOff),
	}}
	m := metrics.New(buildinfo.Read())
	if err := m.Register(metrics.NewStatusCollector(src, 2, nil)); err != nil {
		t.Fatal(err)
	}
	f := metricstest.Gather(t, m.Gatherer())
	for _, c := range []struct {
		name   string
		labels labels
		want   float64
	}{
		{"gateway_database_up", nil, 1},
		{"gateway_companies", nil, 5},
		{"gateway_outbox_pending", nil, 4},
		{"gateway_outbox_parked", nil, 3},
		{"gateway_outbox_oldest_pending_seconds", nil, 600},
		{"gateway_zoho_integrations", labels{"state": "enabled"}, 3},
		{"gateway_zoho_integrations", labels{"state": "needs_consent"}, 1},
		{"gateway_zoho_integrations", labels{"state": "disabling"}, 0},
		{"gateway_centrex_subscriptions", labels{"state": "active"}, 2},
		{"gateway_centrex_subscriptions", labels{"state": "failing"}, 1},
		{"gateway_centrex_subscriptions", labels{"state": "none"}, 1},
		// The two worst companies only: Charlie (oldest), then Bravo.
		{"gateway_outbox_company_oldest_pending_seconds", labels{"company": "Charlie"}, 600},
		{"gateway_outbox_company_parked", labels{"company": "Charlie"}, 2},
		{"gateway_outbox_company_pending", labels{"company": "Bravo"}, 3},
	} {
		if got := f.Value(c.name, c.labels); got != c.want || !f.Has(c.name, c.labels) {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, f.Has(c.name, c.labels), c.want)
		}
	}
	if n := len(f["gateway_outbox_company_pending"].GetMetric()); n != 2 {
		t.Errorf("%d companies have series of their own, want the limit of 2", n)
	}
	if f.Has("gateway_centrex_subscriptions", labels{"state": "off"}) || f.Has("gateway_outbox_company_pending", labels{"company": "Acme"}) {
		t.Error("a company that needs nothing got a series")
	}

	// The database down: only gateway_database_up, at 0.
	m = metrics.New(buildinfo.Read())
	if err := m.Register(metrics.NewStatusCollector(fakeSource{err: errors.New("connection refused")}, 2, nil)); err != nil {
		t.Fatal(err)
	}
	f = metricstest.Gather(t, m.Gatherer())
	if !f.Has("gateway_database_up", nil) || f.Value("gateway_database_up", nil) != 0 || f.Has("gateway_outbox_pending", nil) {
		t.Errorf("with the database down: up %v, pending present %v", f.Value("gateway_database_up", nil), f.Has("gateway_outbox_pending", nil))
	}
}

func TestHandlerServesMetricsAndProfiles(t *testing.T) {
	t.Parallel()
	m := metrics.New(buildinfo.Read())
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := metricstest.Scrape(t, srv.URL+"/metrics")
	if !f.Has("gateway_build_info", nil) {
		t.Error("/metrics has no gateway_build_info")
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s: %s, %d bytes", path, resp.Status, len(body))
		}
	}
}
