package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

// XsiSim is the BroadWorks XSP simulator `gateway dev` runs in-process, on
// its own loopback port, when the demo company has no real Centrex
// configured.
type XsiSim struct {
	Sim *xsisim.Sim
	*loopback
}

// NeedsXsiSim reports whether the demo company lacks a real Centrex: no
// connection, or one that points at a previous run's simulator on loopback.
func NeedsXsiSim(ctx context.Context, st *store.Store) (bool, error) {
	c, err := st.CompanyByName(ctx, DemoCompany)
	if err != nil {
		return false, err
	}
	conn, err := st.CentrexConnection(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return strings.HasPrefix(conn.BaseURL, "http://127.0.0.1:"), nil
}

// StartXsiSim starts the simulator with the guide's company (seats
// 910726329 and 910726330) and points the demo company's Centrex connection
// at it. Calls progress by themselves: the seat picks up its click-to-dial
// leg after a second and the far end answers three seconds after ringing.
func StartXsiSim(ctx context.Context, st *store.Store, logger *slog.Logger) (*XsiSim, error) {
	sim := xsisim.New(xsisim.Options{
		PickupDelay:       time.Second,
		FarEndAnswerDelay: 3 * time.Second,
		Logger:            logger.With("component", "xsisim"),
	})
	xsisim.SeedDemo(sim)
	lb, err := listenLoopback("Xsi simulator")
	if err != nil {
		sim.Close()
		return nil, err
	}
	lb.serve("Xsi simulator", sim, logger)
	x := &XsiSim{Sim: sim, loopback: lb}
	c, err := st.CompanyByName(ctx, DemoCompany)
	if err == nil {
		err = st.SetCentrexConnection(ctx, c.ID, centrex.Connection{
			BaseURL:         x.URL,
			UserID:          xsisim.DemoAdminUserID,
			Password:        xsisim.DemoAdminPassword,
			GroupID:         xsisim.DemoGroup,
			EnterpriseID:    xsisim.DemoEnterprise,
			IsEnterprise:    true,
			DirectoryUserID: xsisim.DemoSeat1,
		})
	}
	if err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("devenv: connect %s to the Xsi simulator: %w", DemoCompany, err)
	}
	return x, nil
}

// Describe tells a person how to use the simulator.
func (x *XsiSim) Describe() string {
	return fmt.Sprintf("  Centrex (simulated BroadWorks Xsi): %s\n"+
		"    seats %s and %s; control API under %s/_sim/\n",
		x.URL, xsisim.DemoSeat1, xsisim.DemoSeat2, x.URL)
}

// Close stops the simulator.
func (x *XsiSim) Close() error {
	err := x.shutdown()
	x.Sim.Close()
	return err
}

// SetEvents sets how the demo company's call events arrive (store.EventsHTTP
// or store.EventsChannel); it needs the company's Centrex connection.
func SetEvents(ctx context.Context, st *store.Store, events string) error {
	c, err := st.CompanyByName(ctx, DemoCompany)
	if err != nil {
		return err
	}
	return st.SetCentrexEvents(ctx, c.ID, events)
}

// Events says how the demo company's call events arrive ("" without a
// Centrex connection).
func Events(ctx context.Context, st *store.Store) (string, error) {
	c, err := st.CompanyByName(ctx, DemoCompany)
	if err != nil {
		return "", err
	}
	conn, err := st.CentrexConnection(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return conn.Events, err
}
