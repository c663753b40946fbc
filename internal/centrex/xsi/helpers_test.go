package xsi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// testEnv is a simulator with the demo company behind an httptest server.
type testEnv struct {
	sim   *xsisim.Sim
	group *xsisim.Group
	url   string
}

// newEnv starts a simulator seeded with the demo company.
func newEnv(tb testing.TB, opts xsisim.Options) *testEnv {
	tb.Helper()
	sim := xsisim.New(opts)
	g := xsisim.SeedDemo(sim)
	srv := httptest.NewServer(sim)
	tb.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return &testEnv{sim: sim, group: g, url: srv.URL}
}

// adminConn is the demo administrator's connection.
func (e *testEnv) adminConn() centrex.Connection {
	return centrex.Connection{
		BaseURL: e.url, UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword,
		GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true,
		DirectoryUserID: xsisim.DemoSeat1,
	}
}

// client returns an xsi client for conn with a short timeout.
func (e *testEnv) client(conn centrex.Connection) *Client {
	return New(conn, &http.Client{Timeout: 5 * time.Second})
}
