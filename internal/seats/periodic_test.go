package seats_test

import (
	"context"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

func TestSyncAll(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	calls := 0
	svc := seats.New(seats.Options{Store: f.st, Box: f.box, Directory: func(conn centrex.Connection) centrex.Directory {
		return directoryFunc(func(context.Context) ([]centrex.Seat, error) {
			calls++
			return []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, nil
		})
	}})

	t.Run("another instance holds the company's lock", func(t *testing.T) {
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			_, _ = f.st.TryCompanyLock(ctx, "seats.sync", f.company, func(context.Context) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		if n := svc.SyncAll(ctx, time.Minute); n != 0 || calls != 0 {
			t.Errorf("synced %d companies (%d directory reads) while another instance held the lock", n, calls)
		}
		close(release)
		<-done
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

func TestRunPeriodicStopsWithItsContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	rounds := make(chan struct{}, 10)
	svc := seats.New(seats.Options{Store: f.st, Box: f.box, Directory: func(centrex.Connection) centrex.Directory {
		return directoryFunc(func(context.Context) ([]centrex.Seat, error) {
			rounds <- struct{}{}
			return []centrex.Seat{{UserID: "910726329@conecta.orange.es", Number: "910726329"}}, nil
		})
	}})
	done := make(chan struct{})
	go func() { svc.RunPeriodic(ctx, 20*time.Millisecond); close(done) }()
	<-rounds // the round at start
	<-rounds // a round after an interval (a stale sync: more than half an interval old)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunPeriodic did not return after its context ended")
	}
}
