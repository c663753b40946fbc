// Package metrics is the gateway's Prometheus instrumentation.
//
// Each gateway instance has one *Metrics with a registry of its own (never
// the global one): the Go and process collectors, the build, the counters
// and histograms below, and the database gauges (StatusCollector) that are
// read from the database at every scrape. The parts of the gateway that see
// something happen get the *Metrics through their options and call one of
// its methods; a nil *Metrics records nothing, so they need no registry in
// tests of their own.
//
// Handler serves /metrics and net/http/pprof under /debug/pprof/. It belongs
// on the internal listener (METRICS_ADDR), never on the public one.
//
// Every label has a bounded set of values: route patterns, never raw paths;
// operation and endpoint names, never ids; status codes and classes.
package metrics

import (
	"net/http"
	"net/http/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/conecta-zoho/gateway/internal/buildinfo"
)

// Metrics holds one instance's registry and collectors.
type Metrics struct {
	reg   *prometheus.Registry
	names []string // of every gateway_ metric registered

	zohoRequests     *prometheus.CounterVec
	zohoDuration     *prometheus.HistogramVec
	xsiRequests      *prometheus.CounterVec
	xsiDuration      *prometheus.HistogramVec
	xsiEvents        *prometheus.CounterVec
	xsiRefused       *prometheus.CounterVec
	tokenRefreshes   *prometheus.CounterVec
	outboxDeliveries *prometheus.CounterVec
	groupEvents      prometheus.Histogram
	groupDuration    prometheus.Histogram
	groupReruns      *prometheus.CounterVec
	httpDuration     *prometheus.HistogramVec
	logins           *prometheus.CounterVec
	loginsThrottled  *prometheus.CounterVec
}

// upstreamBuckets are the latency buckets of requests to Zoho and the
// Centrex, in seconds: tens of milliseconds to the 30 s timeouts.
var upstreamBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30}

// New returns a Metrics with every collector registered, the Go and
// process collectors and gateway_build_info (build) among them.
func New(build buildinfo.Info) *Metrics {
	reg := prometheus.NewRegistry()
	var names []string
	f := factory{reg, &names}
	m := &Metrics{
		reg: reg,
		zohoRequests: f.counterVec("gateway_zoho_requests_total",
			"HTTP requests to Zoho (Accounts and PhoneBridge) by endpoint, method and status code (\"error\": no answer).",
			"endpoint", "method", "code"),
		zohoDuration: f.histogramVec("gateway_zoho_request_duration_seconds",
			"Time to Zoho's response headers, by endpoint.", upstreamBuckets, "endpoint"),
		xsiRequests: f.counterVec("gateway_xsi_requests_total",
			"HTTP requests to the Centrex (BroadWorks Xsi) by operation and status code (\"error\": no answer).",
			"op", "code"),
		xsiDuration: f.histogramVec("gateway_xsi_request_duration_seconds",
			"Time to the Centrex's response headers, by operation.", upstreamBuckets, "op"),
		xsiEvents: f.counterVec("gateway_xsi_events_total",
			"Centrex events accepted, by type.", "type"),
		xsiRefused: f.counterVec("gateway_xsi_events_refused_total",
			"Centrex event deliveries refused, by cause (unknown_token, too_large, unparseable, failed).", "cause"),
		tokenRefreshes: f.counterVec("gateway_token_refreshes_total",
			"Zoho access-token refreshes, by result (ok, invalid_grant, throttled, error).", "result"),
		outboxDeliveries: f.counterVec("gateway_outbox_deliveries_total",
			"Delivery attempts of outbox notifications to Zoho, by result (delivered, retry, parked).", "result"),
		groupEvents: f.histogram("gateway_event_group_events",
			"Centrex events per event group committed (group commit: the events that arrive while a group runs share the next one's transaction).",
			prometheus.ExponentialBuckets(1, 2, 9)),
		groupDuration: f.histogram("gateway_event_group_duration_seconds",
			"Time from an event group's start to its commit, reruns included.",
			[]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
		groupReruns: f.counterVec("gateway_event_group_reruns_total",
			"Event groups run again, by cause (item_by_item: a statement for a set of items failed, the group runs again a statement per item to find the event; retryable: a deadlock or serialization failure with another instance; left_out: an event failed and the others run again; stale: an event was applied with a cached state that changed).",
			"cause"),
		httpDuration: f.histogramVec("gateway_http_request_duration_seconds",
			"Requests served, by surface (portal, bridge), method, chi route pattern and status class.",
			prometheus.DefBuckets, "surface", "method", "route", "status"),
		logins: f.counterVec("gateway_logins_total",
			"Sign-in attempts that were checked, by account (administrator: the portal, operator: the console) and result (success, failed, code_failed, captcha, incomplete, busy).",
			"account", "result"),
		loginsThrottled: f.counterVec("gateway_logins_throttled_total",
			"Sign-in attempts refused unchecked because the account or the address was locked, by account (administrator, operator).", "account"),
	}
	f.gaugeFunc(prometheus.GaugeOpts{Name: "gateway_build_info", Help: "The running build; always 1.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "build_date": build.Date,
			"goversion": build.GoVersion}}, func() float64 { return 1 })
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.names = names
	return m
}

// Register adds the database gauges to the registry.
func (m *Metrics) Register(c *StatusCollector) error {
	if err := m.reg.Register(c); err != nil {
		return err
	}
	m.names = append(m.names, c.names...)
	return nil
}

// WatchChannels exports gateway_centrex_channels{state}: the companies whose
// Centrex event channel this instance holds, open or reopening, as count
// reports them at each scrape (a *subscriptions.Manager's Channels). Unlike
// the database gauges these are the instance's own: sum() over instances
// gives every channel once, since one instance holds a company's channel.
func (m *Metrics) WatchChannels(count func() (open, reopening int)) error {
	const name, help = "gateway_centrex_channels", "Companies whose Centrex event channel this instance holds, by state (open, reopening)."
	for state, pick := range map[string]func(open, reopening int) int{
		"open":      func(open, _ int) int { return open },
		"reopening": func(_, reopening int) int { return reopening },
	} {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{"state": state}},
			func() float64 { return float64(pick(count())) })
		if err := m.reg.Register(g); err != nil {
			return err
		}
	}
	m.names = append(m.names, name)
	return nil
}

// WatchCacheLease exports gateway_cache_lease_trusted: 1 while this
// instance's cache lease vouches for its caches (click-to-dial answers
// without reading the database), 0 while it reads on every request (no
// LISTEN connection, or a lease not renewed), as trusted reports it at each
// scrape (a *cachelease.Lease's Trusted).
func (m *Metrics) WatchCacheLease(trusted func() bool) error {
	const name = "gateway_cache_lease_trusted"
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name,
		Help: "1 while this instance's cache lease lets click-to-dial answer from its cache, 0 while every request reads the database."},
		func() float64 {
			if trusted() {
				return 1
			}
			return 0
		})
	if err := m.reg.Register(g); err != nil {
		return err
	}
	m.names = append(m.names, name)
	return nil
}

// Names lists every gateway_ metric this registry can export, whether or
// not it has a value yet (the Go and process collectors' go_ and process_
// metrics are not listed; Gather shows them).
func (m *Metrics) Names() []string { return slices.Sorted(slices.Values(m.names)) }

// Gatherer is the registry, for tests and tools that read the figures.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Handler serves GET /metrics (the registry, in Prometheus's text or
// OpenMetrics format) and the runtime profiles of net/http/pprof under
// /debug/pprof/. Mount it on an internal listener only.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A failing collector (the database down) still leaves the rest.
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
		Registry:          m.reg,
	}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// XsiEvent counts an accepted Centrex event of the given type.
func (m *Metrics) XsiEvent(kind string) {
	if m != nil {
		m.xsiEvents.WithLabelValues(kind).Inc()
	}
}

// Causes of refused Centrex events.
const (
	RefusedUnknownToken = "unknown_token"
	RefusedTooLarge     = "too_large"
	RefusedUnparseable  = "unparseable"
	// RefusedFailed: the gateway could not store it (a 500; the Centrex
	// delivers it again).
	RefusedFailed = "failed"
)

// XsiEventRefused counts a Centrex event delivery refused for cause (one
// of the Refused… constants).
func (m *Metrics) XsiEventRefused(cause string) {
	if m != nil {
		m.xsiRefused.WithLabelValues(cause).Inc()
	}
}

// Results of a token refresh.
const (
	RefreshOK           = "ok"
	RefreshInvalidGrant = "invalid_grant"
	RefreshThrottled    = "throttled"
	RefreshError        = "error"
)

// TokenRefresh counts a Zoho access-token refresh with its result (one of
// the Refresh… constants).
func (m *Metrics) TokenRefresh(result string) {
	if m != nil {
		m.tokenRefreshes.WithLabelValues(result).Inc()
	}
}

// Results of an outbox delivery attempt.
const (
	DeliveryDelivered = "delivered"
	DeliveryRetry     = "retry"
	DeliveryParked    = "parked"
)

// OutboxDelivery counts one delivery attempt with its result (one of the
// Delivery… constants).
func (m *Metrics) OutboxDelivery(result string) {
	if m != nil {
		m.outboxDeliveries.WithLabelValues(result).Inc()
	}
}

// Causes of an event group run again.
const (
	RerunItemByItem = "item_by_item"
	RerunRetryable  = "retryable"
	RerunLeftOut    = "left_out"
	RerunStale      = "stale"
)

// EventGroup counts an event group committed with its number of events and
// the time from its start to its commit.
func (m *Metrics) EventGroup(events int, d time.Duration) {
	if m != nil {
		m.groupEvents.Observe(float64(events))
		m.groupDuration.Observe(d.Seconds())
	}
}

// EventGroupRerun counts an event group run again for cause (one of the
// Rerun… constants).
func (m *Metrics) EventGroupRerun(cause string) {
	if m != nil {
		m.groupReruns.WithLabelValues(cause).Inc()
	}
}

// Who signs in: a company's administrator (the portal) or one of the
// carrier's operators (the console).
const (
	AccountAdministrator = "administrator"
	AccountOperator      = "operator"
)

// Results of a checked sign-in.
const (
	// LoginSuccess: signed in (an operator: password and code).
	LoginSuccess = "success"
	LoginFailed  = "failed"
	// LoginCodeFailed: an operator's password was right, the code not.
	LoginCodeFailed = "code_failed"
	LoginCaptcha    = "captcha"
	LoginIncomplete = "incomplete"
	// LoginBusy: every password-hashing slot was taken (503).
	LoginBusy = "busy"
)

// Login counts a checked sign-in of an account kind (one of the Account…
// constants) with its result (one of the Login… constants).
func (m *Metrics) Login(account, result string) {
	if m != nil {
		m.logins.WithLabelValues(account, result).Inc()
	}
}

// LoginThrottled counts a sign-in of an account kind refused because of
// the throttle.
func (m *Metrics) LoginThrottled(account string) {
	if m != nil {
		m.loginsThrottled.WithLabelValues(account).Inc()
	}
}

// HTTPRequest records a request the gateway served: surface is "portal"
// or "bridge", route chi's route pattern ("" for none).
func (m *Metrics) HTTPRequest(surface, method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.httpDuration.WithLabelValues(surface, knownMethod(method), route, strconv.Itoa(status/100)+"xx").Observe(d.Seconds())
}

// knownMethod keeps the method label bounded: a made-up method is "OTHER".
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// factory registers what it makes, and notes its name.
type factory struct {
	reg   *prometheus.Registry
	names *[]string
}

func (f factory) register(name string, c prometheus.Collector) {
	f.reg.MustRegister(c)
	*f.names = append(*f.names, name)
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.register(name, c)
	return c
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.register(name, h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.register(name, h)
	return h
}

func (f factory) gaugeFunc(opts prometheus.GaugeOpts, fn func() float64) {
	f.register(opts.Name, prometheus.NewGaugeFunc(opts, fn))
}
