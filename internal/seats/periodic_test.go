package seats_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

func TestSyncAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	calls := 0
	svc := seats.New(seats.Options{Store: f.st, Directory: func(conn centrex.Connection) centrex.Directory {
		return directoryFunc(func(context.Context) ([]centrex.Seat, error) {
			calls++
			return []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, nil
		})
	}})

	t.Run("another instance holds the company's lease", func(t *testing.T) {
		if ok, err := f.st.TryLease(ctx, seats.LeaseName, f.company, "another-instance", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if n := svc.SyncAll(ctx, time.Minute); n != 0 || calls != 0 {
			t.Errorf("synced %d companies (%d directory reads) while another instance held the lease", n, calls)
		}
		if err := f.st.ReleaseLease(ctx, seats.LeaseName, f.company, "another-instance"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("first round syncs", func(t *testing.T) {
		if n := svc.SyncAll(ctx, time.Minute); n != 1 || calls != 1 {
			t.Fatalf("synced %d, %d directory reads", n, calls)
		}
	})
	t.Run("a fresh sync is not repeated", func(t *testing.T) {
		if n := svc.SyncAll(ctx, time.Minute); n != 0 || calls != 1 {
			t.Fatalf("synced %d, %d directory reads", n, calls)
		}
	})
	t.Run("a stale one is", func(t *testing.T) {
		if n := svc.SyncAll(ctx, time.Nanosecond); n != 1 || calls != 2 {
			t.Fatalf("synced %d, %d directory reads", n, calls)
		}
	})
	t.Run("imported seats are left alone", func(t *testing.T) {
		_, err := f.st.SyncSeats(ctx, f.company, []centrex.Seat{{UserID: "x@conecta.orange.es", Number: "1"}}, store.SourceImport)
		if err != nil {
			t.Fatal(err)
		}
		if n := svc.SyncAll(ctx, time.Nanosecond); n != 0 || calls != 2 {
			t.Fatalf("synced %d, %d directory reads", n, calls)
		}
	})
}

// TestPeriodicSyncHoldsNoTransactionOverTheCentrex: while the directory is
// read (minutes on a slow XSP with many pages), no transaction of the
// gateway is open, and the company's lease keeps other instances away.
func TestPeriodicSyncHoldsNoTransactionOverTheCentrex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	read := false
	svc := seats.New(seats.Options{Store: f.st, Directory: func(conn centrex.Connection) centrex.Directory {
		return directoryFunc(func(ctx context.Context) ([]centrex.Seat, error) {
			read = true
			var open int
			err := f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`).Scan(&open)
			if err != nil {
				t.Error(err)
			}
			if open != 0 {
				t.Errorf("%d transactions open while the Centrex directory is read", open)
			}
			if ok, _ := f.st.TryLease(ctx, seats.LeaseName, f.company, "another-instance", time.Minute); ok {
				t.Error("another instance took the company's lease during the sync")
			}
			return []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, nil
		})
	}})
	if n := svc.SyncAll(ctx, time.Minute); n != 1 || !read {
		t.Fatalf("synced %d, directory read %v", n, read)
	}
	if ok, _ := f.st.TryLease(ctx, seats.LeaseName, f.company, "another-instance", time.Minute); !ok {
		t.Fatal("the lease was not released after the sync")
	}
}

func TestRunPeriodicStopsWithItsContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	rounds := make(chan struct{}, 10)
	svc := seats.New(seats.Options{Store: f.st, Interval: 20 * time.Millisecond, Directory: func(centrex.Connection) centrex.Directory {
		return directoryFunc(func(context.Context) ([]centrex.Seat, error) {
			rounds <- struct{}{}
			return []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, nil
		})
	}})
	done := make(chan error)
	go func() { done <- svc.RunPeriodic(ctx) }()
	<-rounds // the round at start
	<-rounds // a later round (the sync is an interval old)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunPeriodic: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunPeriodic did not return after its context ended")
	}
}

// TestRunPeriodicReconcilesGoneSeats: a seat left, but switching its link
// off failed when the sync saw it go; a periodic round switches it off.
func TestRunPeriodicReconcilesGoneSeats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	link := linkDemoSeat(t, f)
	var attempts atomic.Int32
	svc := seats.New(seats.Options{Store: f.st, Interval: time.Hour,
		SwitchOff: func(ctx context.Context, companyID int64, links []store.Link) error {
			if attempts.Add(1) == 1 {
				return centrex.ErrUnavailable // the first attempt fails
			}
			for _, l := range links {
				if _, err := f.st.SetLinkEnabled(ctx, companyID, l.ID, false); err != nil {
					return err
				}
			}
			return nil
		}})
	f.sim.RemoveSeat(link.SeatUserID)
	res, err := svc.Sync(ctx, f.company)
	var se *seats.SwitchOffError
	if !errors.As(err, &se) || len(se.Links) != 1 || se.Links[0].ID != link.ID || res.Gone != 1 {
		t.Fatalf("first sync: %+v, %v; want the seat gone and its link reported still on", res, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- svc.RunPeriodic(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := f.st.LinkByID(ctx, f.company, link.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Enabled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the periodic round did not switch the gone seat's link off")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := attempts.Load(); n != 2 {
		t.Fatalf("%d switch-off attempts, want 2 (the failed one and the periodic one)", n)
	}
}
