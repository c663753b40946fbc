// Package metricstest reads metrics in tests: from a registry or from a
// /metrics endpoint over HTTP, and one series' value by name and labels.
package metricstest

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families are metric families by name.
type Families map[string]*dto.MetricFamily

// Gather reads g.
func Gather(tb testing.TB, g prometheus.Gatherer) Families {
	tb.Helper()
	mfs, err := g.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	out := Families{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// Scrape reads the Prometheus text format served at url.
func Scrape(tb testing.TB, url string) Families {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("scrape %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		tb.Fatalf("scrape %s: %v", url, err)
	}
	return fams
}

// Value sums the series of family name whose labels include labels: a
// counter's or gauge's value, a histogram's sample count. It is 0 when
// there is none; Has tells the difference.
func (f Families) Value(name string, labels map[string]string) float64 {
	var sum float64
	for _, m := range f.series(name, labels) {
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum
}

// Sum sums the sample sums of the histograms of family name whose labels
// include labels (0 when there is none).
func (f Families) Sum(name string, labels map[string]string) float64 {
	var sum float64
	for _, m := range f.series(name, labels) {
		if h := m.GetHistogram(); h != nil {
			sum += h.GetSampleSum()
		}
	}
	return sum
}

// Has reports whether a series of family name with labels exists.
func (f Families) Has(name string, labels map[string]string) bool {
	return len(f.series(name, labels)) > 0
}

func (f Families) series(name string, labels map[string]string) []*dto.Metric {
	mf, ok := f[name]
	if !ok {
		return nil
	}
	var out []*dto.Metric
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			if have[k] != v {
				match = false
				break
			}
		}
		if match {
			out = append(out, m)
		}
	}
	return out
}
