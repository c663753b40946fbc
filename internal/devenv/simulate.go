package devenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/conecta-zoho/gateway/internal/xsisim"
	"github.com/conecta-zoho/gateway/internal/zohosim"
)

// SimulateZoho runs the Zoho simulator alone on addr until ctx ends, seeded
// with the guide's organisation, for a gateway configured with
// ZOHO_ACCOUNTS_URL=http://addr, ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET.
func SimulateZoho(ctx context.Context, addr, clientID, clientSecret string, out io.Writer, logger *slog.Logger) error {
	fmt.Fprintf(out, "Zoho simulator on http://%s (client id %q); consent as %s / %s; CRM page at /crm/\n",
		addr, clientID, zohosim.DemoAdminEmail, zohosim.DemoPassword)
	return zohosim.ListenAndServe(ctx, addr, zohosim.Options{ClientID: clientID, ClientSecret: clientSecret,
		ProviderName: "Digital Centrex"}, logger)
}

// SimulateXsi runs the BroadWorks XSP simulator alone on addr until ctx
// ends, seeded with the guide's company plus extra seats, calls progressing
// by themselves.
func SimulateXsi(ctx context.Context, addr string, extraSeats int, out io.Writer, logger *slog.Logger) error {
	sim := xsisim.New(xsisim.Options{PickupDelay: time.Second, FarEndAnswerDelay: 3 * time.Second, Logger: logger})
	g := xsisim.SeedDemo(sim)
	if extraSeats > 0 {
		g.SeedSeats(extraSeats)
	}
	fmt.Fprintf(out, "Xsi simulator on http://%s: enterprise %q, group %q, administrator %s / %s; control API under /_sim/\n",
		addr, xsisim.DemoEnterprise, xsisim.DemoGroup, xsisim.DemoAdminUserID, xsisim.DemoAdminPassword)
	return xsisim.ListenAndServe(ctx, addr, sim, logger)
}
