package devenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// ZohoSim is the Zoho simulator `gateway dev` runs in-process, on its own
// loopback port, when ZOHO_ACCOUNTS_URL is not set.
type ZohoSim struct {
	Sim *zohosim.Sim
	*loopback
}

// StartZohoSim starts the simulator seeded with the guide's Zoho
// organisation and points cfg's Zoho settings at it.
func StartZohoSim(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*ZohoSim, error) {
	lb, err := listenLoopback("Zoho simulator")
	if err != nil {
		return nil, err
	}
	cfg.ZohoClientID = "1000.DEVGATEWAY"
	cfg.ZohoClientSecret = rand.Text()
	sim := zohosim.New(zohosim.Options{
		ClientID:     cfg.ZohoClientID,
		ClientSecret: cfg.ZohoClientSecret,
		RedirectURIs: []string{cfg.PublicURL.String() + "/zoho/callback"},
		ProviderName: "Digital Centrex",
	})
	sim.SetBaseURL(lb.URL)
	zohosim.SeedDemo(sim)
	cfg.ZohoAccountsURL, _ = url.Parse(lb.URL)
	lb.serve("Zoho simulator", sim.Handler(), logger)
	return &ZohoSim{Sim: sim, loopback: lb}, nil
}

// Describe tells a person how to use the simulator.
func (z *ZohoSim) Describe() string {
	return fmt.Sprintf("  Zoho (simulated): %s\n"+
		"    consent as %s / %s (administrator of the Zoho organisation %q)\n"+
		"    CRM page (click a number to call, call bar, call log): %s/crm/\n",
		z.URL, zohosim.DemoAdminEmail, zohosim.DemoPassword, zohosim.DemoOrgName, z.URL)
}

// Close stops the simulator.
func (z *ZohoSim) Close() error { return z.shutdown() }

// ForgetSimulatedIntegrations disables the integrations a previous run
// enabled against a previous simulator: the simulator keeps its state in
// memory, so its tokens died with it.
func ForgetSimulatedIntegrations(ctx context.Context, st *store.Store) (int, error) {
	return st.ForgetZohoIntegrations(ctx, "http://127.0.0.1:")
}
