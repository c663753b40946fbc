package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// ZohoTransport wraps base (nil: http.DefaultTransport) so that every
// request to Zoho is counted in gateway_zoho_requests_total and timed in
// gateway_zoho_request_duration_seconds; endpoint names a request
// (zoho.Endpoint). Each attempt of a retried call counts. A nil *Metrics
// returns base.
func (m *Metrics) ZohoTransport(base http.RoundTripper, endpoint func(*http.Request) string) http.RoundTripper {
	if m == nil {
		return base
	}
	return &observed{base: base, name: endpoint, record: func(r *http.Request, name, code string, d time.Duration) {
		m.zohoRequests.WithLabelValues(name, knownMethod(r.Method), code).Inc()
		m.zohoDuration.WithLabelValues(name).Observe(d.Seconds())
	}}
}

// XsiTransport wraps base (nil: http.DefaultTransport) so that every
// request to a Centrex is counted in gateway_xsi_requests_total and timed in
// gateway_xsi_request_duration_seconds; op names a request
// (xsi.Operation). A nil *Metrics returns base.
func (m *Metrics) XsiTransport(base http.RoundTripper, op func(*http.Request) string) http.RoundTripper {
	if m == nil {
		return base
	}
	return &observed{base: base, name: op, record: func(_ *http.Request, name, code string, d time.Duration) {
		m.xsiRequests.WithLabelValues(name, code).Inc()
		m.xsiDuration.WithLabelValues(name).Observe(d.Seconds())
	}}
}

// observed is an http.RoundTripper that records each request's outcome
// once its response headers arrived (or it failed): the status code, or
// "error" when there was no response.
type observed struct {
	base   http.RoundTripper
	name   func(*http.Request) string
	record func(r *http.Request, name, code string, d time.Duration)
}

func (o *observed) RoundTrip(r *http.Request) (*http.Response, error) {
	base := o.base
	if base == nil {
		base = http.DefaultTransport
	}
	start := time.Now()
	resp, err := base.RoundTrip(r)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	o.record(r, o.name(r), code, time.Since(start))
	return resp, err
}

// Unwrap returns the transport the requests go through after being counted
// (nil: http.DefaultTransport).
func (o *observed) Unwrap() http.RoundTripper { return o.base }

// Wrap returns a transport that counts like o over base: a client that
// builds transports of its own from the one beneath (the Xsi event
// channel's, pinned to one XSP host) keeps them counted.
func (o *observed) Wrap(base http.RoundTripper) http.RoundTripper {
	return &observed{base: base, name: o.name, record: o.record}
}
