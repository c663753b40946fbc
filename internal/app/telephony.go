package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/conecta-zoho/gateway/internal/bridge"
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
	outbox        *outbox.Worker
	calls         *calls.Service
	subscriptions *subscriptions.Manager
	bridge        *bridge.Bridge
}

// newTelephony builds the outbox worker (delivering with each company's
// PhoneBridge client), the call use case, the subscription manager and the
// bridge's HTTP adapters over them. wake is shared with the integration:
// enabling or disabling it, or a terminated subscription, wakes the
// manager.
// xsiHTTP is the client every Centrex request goes through, zohoDelivery
// the outbox's PhoneBridge requests (its timeout a backstop just beyond the
// outbox's own attempt timeout, outbox.DefaultAttemptTimeout); m is counted
// in by the outbox and the bridge.
func newTelephony(cfg config.Config, st *store.Store, integ *integration.Service, wake subscriptions.Wake, instance string,
	m *metrics.Metrics, xsiHTTP, zohoDelivery *http.Client, logger *slog.Logger) telephony {
	pbx := centrexClients(st, xsiHTTP)
	ob := outbox.New(outbox.Options{
		Store:    st,
		Clients:  func(companyID int64) outbox.PhoneBridge { return integ.PhoneBridgeVia(zohoDelivery, companyID) },
		Logger:   logger.With("component", "outbox"),
		Listen:   true,
		Instance: instance,
		Metrics:  m,
	})
	settings := callflow.DefaultSettings()
	settings.MapRejectedStatesToEnded = !cfg.ZohoDocumentedStates
	cs := calls.New(calls.Options{
		Store:         st,
		PBX:           pbx,
		Kick:          ob.Kick,
		Subscriptions: wake,
		Settings:      settings,
		Logger:        logger.With("component", "calls"),
	})
	public := publicURL(cfg)
	subs := subscriptions.New(subscriptions.Options{
		Store:      st,
		PBX:        pbx,
		ContactURL: func(token string) string { return public + bridge.EventsPath(token) },
		Wake:       wake,
		Instance:   instance,
		Logger:     logger.With("component", "subscriptions"),
	})
	br := bridge.New(bridge.Options{Store: st, Calls: cs, Logger: logger.With("component", "bridge"), Metrics: m})
	return telephony{outbox: ob, calls: cs, subscriptions: subs, bridge: br}
}

// centrexClients returns the Centrex client of a company, built from its
// stored connection (BroadWorks Xsi).
func centrexClients(st *store.Store, hc *http.Client) func(ctx context.Context, companyID int64) (centrex.PBX, error) {
	return func(ctx context.Context, companyID int64) (centrex.PBX, error) {
		conn, err := st.CentrexConnection(ctx, companyID)
		if err != nil {
			return nil, err
		}
		return xsi.New(conn.Connection, hc), nil
	}
}
