package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/bridge"
	"github.com/conecta-zoho/gateway/internal/cachelease"
	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/metrics"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/subscriptions"
)

// telephony is the Centrex ⇄ Zoho side of the gateway.
type telephony struct {
	lease         *cachelease.Lease
	outbox        *outbox.Worker
	calls         *calls.Service
	subscriptions *subscriptions.Manager
	bridge        *bridge.Bridge
}

// newTelephony builds the outbox worker (delivering with each company's
// PhoneBridge client), the call use case, the subscription manager (which
// feeds channel events to the call use case and reports gaps to its
// recovery) and the bridge's HTTP adapters over them, and the lease under
// which the call use case trusts its cache (run by Serve). wake is shared with
// the integration: enabling or disabling it, or a terminated subscription,
// wakes the manager. xsiHTTP is the client every Centrex request goes
// through, zohoDelivery the outbox's PhoneBridge requests (its timeout a
// backstop just beyond the outbox's own attempt timeout,
// outbox.DefaultAttemptTimeout; its transport keeps cfg.OutboxInFlight idle
// connections, one per delivery under way); m is counted in by the outbox
// and the bridge.
func newTelephony(cfg config.Config, st *store.Store, integ *integration.Service, wake subscriptions.Wake, instance string,
	m *metrics.Metrics, xsiHTTP, zohoDelivery *http.Client, logger *slog.Logger) telephony {
	pbx := newCentrexClients(st, xsiHTTP).PBX
	ob := outbox.New(outbox.Options{
		Store: st,
		Clients: func(companyID, version int64) outbox.PhoneBridge {
			return integ.PhoneBridgeAt(zohoDelivery, companyID, version)
		},
		Logger:   logger.With("component", "outbox"),
		Listen:   true,
		Instance: instance,
		Metrics:  m,
		InFlight: cfg.OutboxInFlight,
	})
	lease := cachelease.New(cachelease.Options{Store: st, Logger: logger.With("component", "cachelease")})
	settings := callflow.DefaultSettings()
	settings.MapRejectedStatesToEnded = !cfg.ZohoDocumentedStates
	cs := calls.New(calls.Options{
		Store:         st,
		PBX:           pbx,
		Kick:          ob.Kick,
		Subscriptions: wake,
		Settings:      settings,
		Lease:         lease,
		Logger:        logger.With("component", "calls"),
		Metrics:       m,
	})
	public := publicURL(cfg)
	subs := subscriptions.New(subscriptions.Options{
		Store:      st,
		PBX:        pbx,
		ContactURL: func(token string) string { return public + bridge.EventsPath(token) },
		Intake:     countedIntake(cs, m),
		Gap:        cs.Gap,
		Wake:       wake,
		Instance:   instance,
		Logger:     logger.With("component", "subscriptions"),
	})
	br := bridge.New(bridge.Options{Calls: cs, Logger: logger.With("component", "bridge"), Metrics: m})
	return telephony{lease: lease, outbox: ob, calls: cs, subscriptions: subs, bridge: br}
}

// countedIntake applies an event read from an event channel and counts it
// as the bridge counts those of the HTTP contact: accepted by type, or
// refused as failed.
func countedIntake(cs *calls.Service, m *metrics.Metrics) func(ctx context.Context, companyID int64, ev centrex.Event) error {
	return func(ctx context.Context, companyID int64, ev centrex.Event) error {
		if err := cs.ApplyEvent(ctx, companyID, ev); err != nil {
			m.XsiEventRefused(metrics.RefusedFailed)
			return err
		}
		m.XsiEvent(string(ev.Kind))
		return nil
	}
}

// centrexClients keeps one Centrex client per company, built from its
// stored connection (BroadWorks Xsi) and rebuilt when the connection
// changes: each client holds the XSP's session cookie, which the gateway
// reuses instead of authenticating a new session for every request.
type centrexClients struct {
	st *store.Store
	hc *http.Client

	mu  sync.Mutex
	byC map[int64]cachedClient
}

type cachedClient struct {
	updated time.Time
	client  *xsi.Client
}

func newCentrexClients(st *store.Store, hc *http.Client) *centrexClients {
	return &centrexClients{st: st, hc: hc, byC: map[int64]cachedClient{}}
}

// PBX returns the company's client, reading the connection to notice a
// change (one primary-key read).
func (c *centrexClients) PBX(ctx context.Context, companyID int64) (centrex.PBX, error) {
	conn, err := c.st.CentrexConnection(ctx, companyID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc, ok := c.byC[companyID]; ok && cc.updated.Equal(conn.UpdatedAt) {
		return cc.client, nil
	}
	cl := xsi.New(conn.Connection, c.hc)
	c.byC[companyID] = cachedClient{updated: conn.UpdatedAt, client: cl}
	return cl, nil
}
