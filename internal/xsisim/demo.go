package xsisim

// Demo world used by dev mode and the guide: the company "Fermax".
const (
	// DemoEnterprise and DemoGroup identify the demo company's group.
	DemoEnterprise = "Fermax"
	DemoGroup      = "Fermax_Madrid"
	// DemoAdminUserID and DemoAdminPassword are the demo group
	// administrator, the company credential to configure in the gateway.
	DemoAdminUserID   = "fermax.admin@conecta.orange.es"
	DemoAdminPassword = "demo-admin-1234"
	// DemoSeatPassword is the web-portal password of both demo seats.
	DemoSeatPassword = "demo-seat-1234"
	// DemoSeat1 and DemoSeat2 are the demo seats' user IDs.
	DemoSeat1 = "910726329@conecta.orange.es"
	DemoSeat2 = "910726330@conecta.orange.es"
)

// SeedDemo adds the demo company: enterprise Fermax, group Fermax_Madrid,
// seats 910726329 (Miguel Martín, miguel.martin@satec.es) and 910726330
// (Gema Castro, gema.castro@satec.es), and the group administrator
// DemoAdminUserID / DemoAdminPassword. It returns the group.
func SeedDemo(sim *Sim) *Group {
	g := sim.AddGroup(DemoEnterprise, DemoGroup)
	_ = g.AddSeat(Seat{
		UserID: DemoSeat1, Number: "910726329", Extension: "6329",
		FirstName: "Miguel", LastName: "Martín", Email: "miguel.martin@satec.es", Department: "Ventas",
	}, DemoSeatPassword)
	_ = g.AddSeat(Seat{
		UserID: DemoSeat2, Number: "910726330", Extension: "6330",
		FirstName: "Gema", LastName: "Castro", Email: "gema.castro@satec.es", Department: "Soporte",
	}, DemoSeatPassword)
	_ = g.AddAdmin(DemoAdminUserID, DemoAdminPassword)
	return g
}
