package xsi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/xsisim"
)

func TestSeatsDemo(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	tests := []struct {
		name string
		conn centrex.Connection
	}{
		{"admin credential via directory seat", env.adminConn()},
		{"seat credential", centrex.Connection{BaseURL: env.url + "/", UserID: xsisim.DemoSeat2, Password: xsisim.DemoSeatPassword}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seats, err := env.client(tt.conn).Seats(context.Background())
			if err != nil {
				t.Fatalf("Seats: %v", err)
			}
			want := []centrex.Seat{
				{UserID: xsisim.DemoSeat1, Number: "910726329", Extension: "6329", FirstName: "Miguel", LastName: "Martín", Email: "miguel.martin@satec.es", Department: "Ventas"},
				{UserID: xsisim.DemoSeat2, Number: "910726330", Extension: "6330", FirstName: "Gema", LastName: "Castro", Email: "gema.castro@satec.es", Department: "Soporte"},
			}
			if fmt.Sprint(seats) != fmt.Sprint(want) {
				t.Errorf("seats = %+v\nwant    %+v", seats, want)
			}
		})
	}
}

func TestSeatsCharsets(t *testing.T) {
	t.Parallel()
	for _, utf8 := range []bool{false, true} {
		t.Run(fmt.Sprintf("utf8=%v", utf8), func(t *testing.T) {
			env := newEnv(t, xsisim.Options{DirectoryUTF8: utf8})
			if err := env.group.AddSeat(xsisim.Seat{UserID: "x@conecta.orange.es", FirstName: "Zoë", LastName: "Łukasz Núñez"}, "p"); err != nil {
				t.Fatal(err)
			}
			seats, err := env.client(env.adminConn()).Seats(context.Background())
			if err != nil {
				t.Fatalf("Seats: %v", err)
			}
			got := seats[len(seats)-1]
			if got.FirstName != "Zoë" || got.LastName != "Łukasz Núñez" || seats[0].LastName != "Martín" {
				t.Errorf("names decoded wrongly: %+v / %+v", got, seats[0])
			}
		})
	}
}

func TestSeatsPaging(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	env.group.SeedSeats(2498) // 2 demo seats + 2498 = 2500
	seats, err := env.client(env.adminConn()).Seats(context.Background())
	if err != nil {
		t.Fatalf("Seats: %v", err)
	}
	if len(seats) != 2500 {
		t.Fatalf("got %d seats, want 2500", len(seats))
	}
	seen := map[string]bool{}
	for _, s := range seats {
		if seen[s.UserID] {
			t.Fatalf("duplicate seat %s", s.UserID)
		}
		seen[s.UserID] = true
	}
	var pages []string
	for _, r := range env.sim.Requests() {
		if strings.HasSuffix(r.Path, "/directories/Group") {
			pages = append(pages, r.Query)
		}
	}
	want := []string{"results=1000&start=1", "results=1000&start=1001", "results=1000&start=2001"}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("page queries = %v, want %v", pages, want)
	}
}

func TestSeatsErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	other := env.sim.AddGroup("Other", "Other_G")
	if err := other.AddSeat(xsisim.Seat{UserID: "stranger@other.es"}, "pw"); err != nil {
		t.Fatal(err)
	}
	good := env.adminConn()
	tests := []struct {
		name   string
		mutate func(*centrex.Connection)
		kind   error
		status int
	}{
		{"wrong password", func(c *centrex.Connection) { c.Password = "secret-wrong-pw" }, centrex.ErrUnauthorized, 401},
		{"unknown user", func(c *centrex.Connection) { c.UserID = "nobody@x" }, centrex.ErrUnauthorized, 401},
		{"seat of another group", func(c *centrex.Connection) { c.DirectoryUserID = "stranger@other.es" }, centrex.ErrForbidden, 403},
		{"unknown directory seat", func(c *centrex.Connection) { c.DirectoryUserID = "gone@conecta.orange.es" }, centrex.ErrNotFound, 404},
		{"unreachable", func(c *centrex.Connection) { c.BaseURL = "http://127.0.0.1:1" }, centrex.ErrUnavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := good
			tt.mutate(&conn)
			_, err := env.client(conn).Seats(context.Background())
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			var ce *centrex.Error
			if !errors.As(err, &ce) || ce.Status != tt.status {
				t.Errorf("err = %#v, want status %d", err, tt.status)
			}
			if strings.Contains(err.Error(), conn.Password) {
				t.Errorf("error leaks the password: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "xsi: list group directory: ") {
				t.Errorf("error prefix: %v", err)
			}
		})
	}
}

func TestSeatsRetryableFault(t *testing.T) {
	t.Parallel()
	env := newEnv(t, xsisim.Options{})
	env.sim.FailNext(xsisim.Fault{Path: "directories", Status: 503})
	c := env.client(env.adminConn())
	_, err := c.Seats(context.Background())
	if !centrex.Retryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	var ce *centrex.Error
	if !errors.As(err, &ce) || ce.Summary != "Injected fault" || ce.Code == 0 {
		t.Errorf("ErrorInfo not decoded: %#v", err)
	}
	if _, err := c.Seats(context.Background()); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
}
