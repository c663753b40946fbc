package xsi

import (
	"context"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestServiceProviderGroup: a group under a service provider rather than an
// enterprise (`gateway company set-centrex --service-provider`) is listed and
// subscribed through the /serviceprovider/… form of the paths.
func TestServiceProviderGroup(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	g := env.sim.AddServiceProviderGroup("OrangeSP", "Acme_Sevilla")
	if err := g.AddSeat(xsisim.Seat{UserID: "955000001@conecta.orange.es", Number: "955000001"}, "seat-pass-1234"); err != nil {
		t.Fatal(err)
	}
	if err := g.AddAdmin("acme.admin@conecta.orange.es", "admin-pass-1234"); err != nil {
		t.Fatal(err)
	}
	c := env.client(centrex.Connection{BaseURL: env.url, UserID: "acme.admin@conecta.orange.es", Password: "admin-pass-1234",
		GroupID: "Acme_Sevilla", EnterpriseID: "OrangeSP", IsEnterprise: false, DirectoryUserID: "955000001@conecta.orange.es"})
	ctx := context.Background()
	seats, err := c.Seats(ctx)
	if err != nil || len(seats) != 1 || seats[0].Number != "955000001" {
		t.Fatalf("Seats = %+v, %v", seats, err)
	}
	sink := newSink(t)
	if _, err := c.Subscribe(ctx, centrex.SubscribeRequest{HTTPContactURL: sink.url, Expires: time.Hour, ApplicationID: "gw"}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	var sawPath bool
	for _, r := range env.sim.Requests() {
		sawPath = sawPath || r.Path == "/com.broadsoft.xsi-events/v2.0/serviceprovider/OrangeSP/group/Acme_Sevilla"
	}
	if !sawPath {
		t.Error("the subscription did not use the service-provider path")
	}
	if subs := env.sim.Subscriptions(); len(subs) != 1 || subs[0].TargetID != "Acme_Sevilla" {
		t.Fatalf("subscriptions = %+v", subs)
	}
}
