package seats_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/secretbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fixture is a company whose Centrex connection points at a served xsisim
// with the demo group.
type fixture struct {
	st      *store.Store
	dbURL   string
	company int64
	sim     *xsisim.Sim
	group   *xsisim.Group
	url     string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{dbURL: testdb.URL(t), sim: xsisim.New(xsisim.Options{})}
	f.st = testdb.Connect(t, f.dbURL, testdb.Box(t))
	t.Cleanup(f.sim.Close)
	f.group = xsisim.SeedDemo(f.sim)
	srv := httptest.NewServer(f.sim)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	c, _, err := f.st.CreateCompany(ctx, "Fermax", "admin@fermax.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	f.company = c.ID
	err = f.st.SetCentrexConnection(ctx, c.ID, centrex.Connection{
		BaseURL: srv.URL, UserID: xsisim.DemoAdminUserID, Password: xsisim.DemoAdminPassword,
		GroupID: xsisim.DemoGroup, EnterpriseID: xsisim.DemoEnterprise, IsEnterprise: true,
		DirectoryUserID: xsisim.DemoSeat1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSyncAgainstTheSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.group.SeedSeats(2498) // with the two demo seats: 2,500, three directory pages
	var switchedOff []store.Link
	svc := seats.New(seats.Options{Store: f.st,
		SwitchOff: func(ctx context.Context, companyID int64, links []store.Link) error {
			if companyID != f.company {
				t.Errorf("switch off for company %d", companyID)
			}
			switchedOff = append(switchedOff, links...)
			for _, l := range links {
				if _, err := f.st.SetLinkEnabled(ctx, companyID, l.ID, false); err != nil {
					return err
				}
			}
			return nil
		}})

	res, err := svc.Sync(ctx, f.company)
	if err != nil {
		t.Fatal(err)
	}
	if res.Present != 2500 || res.Added != 2500 || res.Gone != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	miguel, err := f.st.SeatByUserID(ctx, f.company, xsisim.DemoSeat1)
	if err != nil || miguel.Number != "910726329" || miguel.Email != "miguel.martin@satec.es" || miguel.LastName != "Martín" {
		t.Fatalf("demo seat: %+v, %v", miguel, err)
	}
	l, _, err := f.st.CreateLink(ctx, f.company, miguel.ID, store.ZohoUser{ID: "768724185", Email: "miguel.martin@satec.es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SetLinkEnabled(ctx, f.company, l.ID, true); err != nil {
		t.Fatal(err)
	}

	// Miguel leaves the Centrex; the directory is now read through Gema.
	conn, _ := f.st.CentrexConnection(ctx, f.company)
	conn.DirectoryUserID = xsisim.DemoSeat2
	if err := f.st.SetCentrexConnection(ctx, f.company, conn.Connection); err != nil {
		t.Fatal(err)
	}
	if !f.sim.RemoveSeat(xsisim.DemoSeat1) || !f.sim.RemoveSeat("seed-00100@fermax_madrid.sim") {
		t.Fatal("the simulator did not have the seats")
	}
	res, err = svc.Sync(ctx, f.company)
	if err != nil {
		t.Fatal(err)
	}
	if res.Present != 2498 || res.Gone != 2 || res.Added != 0 || res.Changed != 0 {
		t.Fatalf("second sync: %+v", res)
	}
	if len(switchedOff) != 1 || switchedOff[0].ID != l.ID {
		t.Fatalf("switched off %+v, want Miguel's link", switchedOff)
	}
	if len(res.SwitchedOff) != 1 || res.SwitchedOff[0].ID != l.ID {
		t.Fatalf("result's switched off %+v, want Miguel's link", res.SwitchedOff)
	}
	if gone, _ := f.st.SeatByUserID(ctx, f.company, xsisim.DemoSeat1); !gone.Gone() {
		t.Fatalf("Miguel's seat is not gone: %+v", gone)
	}
	page, err := f.st.SeatTable(ctx, f.company, store.TableQuery{HideGone: true})
	if err != nil || page.Total != 2498 {
		t.Fatalf("table: %d present seats, %v", page.Total, err)
	}
}

func TestSyncFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	other, _, err := f.st.CreateCompany(ctx, "Acme", "admin@acme.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	svc := seats.New(seats.Options{Store: f.st})
	if _, err := svc.Sync(ctx, other.ID); !errors.Is(err, seats.ErrNoConnection) {
		t.Errorf("no connection: %v", err)
	}

	wrongKey, _ := secretbox.New([]byte("ffffffffffffffffffffffffffffffff"))
	if _, err := seats.New(seats.Options{Store: testdb.Connect(t, f.dbURL, wrongKey)}).Sync(ctx, f.company); !errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("wrong SECRET_KEY: %v", err)
	}

	conn, _ := f.st.CentrexConnection(ctx, f.company)
	conn.Password = "wrong"
	_ = f.st.SetCentrexConnection(ctx, f.company, conn.Connection)
	_, err = svc.Sync(ctx, f.company)
	if !errors.Is(err, centrex.ErrUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}

	empty := seats.New(seats.Options{Store: f.st, Directory: func(centrex.Connection) centrex.Directory {
		return directoryFunc(func(context.Context) ([]centrex.Seat, error) { return nil, nil })
	}})
	if _, err := f.st.SyncSeats(ctx, f.company, []centrex.Seat{{UserID: "a@b.c", Number: "1"}}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Sync(ctx, f.company); !errors.Is(err, seats.ErrEmptyDirectory) {
		t.Errorf("empty directory: %v", err)
	}
	if st, _ := f.st.SeatByUserID(ctx, f.company, "a@b.c"); st.Gone() {
		t.Error("an empty directory marked seats gone")
	}
}

// directoryFunc is a centrex.Directory from a function.
type directoryFunc func(context.Context) ([]centrex.Seat, error)

func (f directoryFunc) Seats(ctx context.Context) ([]centrex.Seat, error) { return f(ctx) }

// linkDemoSeat syncs the fixture's seats and links the second demo seat
// (not the one the directory is read through) to a Zoho user, switched on.
func linkDemoSeat(t *testing.T, f fixture) store.Link {
	t.Helper()
	ctx := context.Background()
	if _, err := seats.New(seats.Options{Store: f.st}).Sync(ctx, f.company); err != nil {
		t.Fatal(err)
	}
	seat, err := f.st.SeatByUserID(ctx, f.company, xsisim.DemoSeat2)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := f.st.CreateLink(ctx, f.company, seat.ID, store.ZohoUser{ID: "768724186", Email: "gema.castro@satec.es"})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = f.st.SetLinkEnabled(ctx, f.company, l.ID, true); err != nil {
		t.Fatal(err)
	}
	return l
}
