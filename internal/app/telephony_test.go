package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// TestOneCentrexClientPerCompany: the gateway keeps one Xsi client per
// company, so the XSP's session cookie is reused across the call use case,
// the subscription manager and the channel; a changed connection gets a new
// client.
func TestOneCentrexClientPerCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.Open(t)
	sim := xsisim.New(xsisim.Options{})
	xsisim.SeedDemo(sim)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	var ids []int64
	for _, name := range []string{"Fermax", "Acme"} {
		c, _, err := st.CreateCompany(ctx, name, "admin@"+name+".example", "hash")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if err := st.SetCentrexConnection(ctx, c.ID, centrex.Connection{BaseURL: srv.URL, UserID: xsisim.DemoAdminUserID,
			Password: xsisim.DemoAdminPassword, GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true}); err != nil {
			t.Fatal(err)
		}
	}
	clients := newCentrexClients(st, &http.Client{Timeout: 5 * time.Second})
	a1, _ := clients.PBX(ctx, ids[0])
	a2, _ := clients.PBX(ctx, ids[0])
	b, _ := clients.PBX(ctx, ids[1])
	if a1 != a2 || a1 == b {
		t.Fatalf("clients: same company %v, other company shares it %v", a1 == a2, a1 == b)
	}
	for range 3 {
		if _, err := a2.Calls(ctx, xsisim.DemoSeat1); err != nil {
			t.Fatal(err)
		}
	}
	reqs := sim.Requests()
	if reqs[len(reqs)-1].Session == "" || reqs[len(reqs)-1].Session != reqs[len(reqs)-2].Session {
		t.Fatalf("the company's client does not send the XSP's session back: %+v", reqs)
	}
	st.SetClock(func() time.Time { return time.Now().Add(time.Hour) }) // the change is stamped later
	if err := st.SetCentrexEvents(ctx, ids[0], "channel"); err != nil {
		t.Fatal(err)
	}
	if a3, _ := clients.PBX(ctx, ids[0]); a3 == a1 {
		t.Fatal("a changed connection kept its old client")
	}
}
