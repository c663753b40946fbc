package metrics

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
)

// StatusSource reads every company's status; *status.Service is one.
type StatusSource interface {
	Companies(ctx context.Context, name string) ([]status.Company, error)
}

// StatusCollector exports what the database says, read at every scrape
// (one query, at most statusTimeout): the outbox's pending and parked
// notifications and the oldest pending one's age, the companies'
// integration and subscription states. Every instance on one database
// reports the same figures, so dashboards and alerts take max() over
// instances, not sum().
//
// The totals are always there. Per company (label "company", the
// company's name) only the companies with undelivered notifications are
// exported, the worst first (oldest pending, then most parked), at most
// companyLimit of them: a carrier's thousands of healthy companies add no
// series.
type StatusCollector struct {
	src          StatusSource
	companyLimit int
	log          *slog.Logger
	names        []string

	up, companies, integrations, subscriptions *prometheus.Desc
	pending, parked, oldest                    *prometheus.Desc
	companyPending, companyParked, companyOld  *prometheus.Desc
}

var _ prometheus.Collector = (*StatusCollector)(nil)

// statusTimeout bounds the scrape-time query.
const statusTimeout = 5 * time.Second

// NewStatusCollector returns a collector over src exporting at most
// companyLimit companies' own series (0: totals only). Failures to read
// the figures are logged to logger (nil: discarded) and make
// gateway_database_up 0.
func NewStatusCollector(src StatusSource, companyLimit int, logger *slog.Logger) *StatusCollector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &StatusCollector{src: src, companyLimit: companyLimit, log: logger}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		c.names = append(c.names, name)
		return prometheus.NewDesc(name, help, labels, nil)
	}
	c.up = d("gateway_database_up", "1 when the figures below could be read from the database at this scrape, else 0.")
	c.companies = d("gateway_companies", "Companies in the database.")
	c.integrations = d("gateway_zoho_integrations", "Companies by Zoho integration state (disabled, enabled, needs_consent, disabling).", "state")
	c.subscriptions = d("gateway_centrex_subscriptions", "Companies that need a Centrex event subscription, by its state (active, failing, none).", "state")
	c.pending = d("gateway_outbox_pending", "Notifications waiting for delivery to Zoho, all companies.")
	c.parked = d("gateway_outbox_parked", "Notifications whose delivery stopped (refused, or too many attempts) until retried, all companies.")
	c.oldest = d("gateway_outbox_oldest_pending_seconds", "Age of the oldest notification waiting for delivery, all companies (0: none).")
	c.companyPending = d("gateway_outbox_company_pending",
		"Notifications waiting for delivery, for the companies with undelivered ones (at most METRICS_COMPANY_LIMIT).", "company")
	c.companyParked = d("gateway_outbox_company_parked",
		"Parked notifications, for the companies with undelivered ones (at most METRICS_COMPANY_LIMIT).", "company")
	c.companyOld = d("gateway_outbox_company_oldest_pending_seconds",
		"Age of the company's oldest pending notification, for the companies with undelivered ones (at most METRICS_COMPANY_LIMIT).", "company")
	return c
}

// Describe implements prometheus.Collector.
func (c *StatusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.companies, c.integrations, c.subscriptions, c.pending, c.parked,
		c.oldest, c.companyPending, c.companyParked, c.companyOld} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: it reads the figures now.
func (c *StatusCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	cs, err := c.src.Companies(ctx, "")
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if err != nil {
		c.log.Warn("metrics: cannot read the status figures", "error", err)
		gauge(c.up, 0)
		return
	}
	gauge(c.up, 1)
	t := status.Sum(cs)
	gauge(c.companies, float64(t.Companies))
	for _, s := range []store.ZohoStatus{store.ZohoDisabled, store.ZohoEnabled, store.ZohoNeedsConsent, store.ZohoDisabling} {
		gauge(c.integrations, float64(t.Integrations[s]), string(s))
	}
	for _, s := range []status.SubscriptionState{status.SubscriptionActive, status.SubscriptionFailing, status.SubscriptionNone} {
		gauge(c.subscriptions, float64(t.Subscriptions[s]), string(s))
	}
	gauge(c.pending, float64(t.Pending))
	gauge(c.parked, float64(t.Parked))
	gauge(c.oldest, t.OldestPendingAge.Seconds())
	for _, co := range worst(cs, c.companyLimit) {
		gauge(c.companyPending, float64(co.OutboxPending), co.Name)
		gauge(c.companyParked, float64(co.OutboxParked), co.Name)
		gauge(c.companyOld, co.OldestPendingAge.Seconds(), co.Name)
	}
}

// worst returns at most n of the companies with undelivered notifications:
// the oldest pending first, then the most parked, then by name.
func worst(cs []status.Company, n int) []status.Company {
	var out []status.Company
	for _, c := range cs {
		if c.OutboxPending+c.OutboxParked > 0 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b status.Company) int {
		return cmp.Or(cmp.Compare(b.OldestPendingAge, a.OldestPendingAge), cmp.Compare(b.OutboxParked, a.OutboxParked),
			cmp.Compare(a.Name, b.Name))
	})
	return out[:min(len(out), max(n, 0))]
}
