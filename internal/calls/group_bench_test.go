package calls_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/metrics/metricstest"
)

// BenchmarkGroupCommit applies call events from 100 concurrent streams
// (each a seat's calls, one event after the other: received, answered,
// released) on one instance, and reports events/s, PostgreSQL's WAL
// flushes per event (pg_stat_wal.wal_sync) and, beside it, single-row
// INSERT-and-commit from 20 connections on the same database. Its figures
// mean something on a durable PostgreSQL (fsync and synchronous_commit
// on), not on the tests' throwaway cluster.
func BenchmarkGroupCommit(b *testing.B) {
	const streams = 100
	c := newCluster(b, 1, streams)
	ctx := context.Background()
	pool := c.stores[0].Pool()
	walSyncs := func() int64 {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT wal_sync FROM pg_stat_wal`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	kinds := []centrex.EventKind{centrex.EventCallReceived, centrex.EventCallAnswered, centrex.EventCallReleased}
	var next atomic.Int64
	b.ResetTimer()
	w0, t0 := walSyncs(), time.Now()
	var wg sync.WaitGroup
	for s := range streams {
		wg.Go(func() {
			for n := 0; ; n++ {
				for k, kind := range kinds {
					if next.Add(1) > int64(b.N) {
						return
					}
					ev := callEvent(c.seats[s], fmt.Sprintf("ev-%d-%d-%d", s, n, k), fmt.Sprintf("callhalf-%d-%d", s, n), kind)
					if err := c.instances[0].ApplyEvent(ctx, c.company, ev); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	el, syncs := time.Since(t0), walSyncs()-w0
	b.StopTimer()
	evps := float64(b.N) / el.Seconds()
	base := insertRate(b, pool, 20, 3*time.Second)
	fam := metricstest.Gather(b, c.metrics[0].Gatherer())
	groups, events := fam.Value("gateway_event_group_events", nil), fam.Sum("gateway_event_group_events", nil)
	b.ReportMetric(evps, "events/s")
	b.ReportMetric(base, "inserts/s")
	b.ReportMetric(evps/base, "ratio")
	b.ReportMetric(float64(syncs)/float64(b.N), "walsyncs/event")
	b.ReportMetric(events/max(groups, 1), "events/group")
}

// insertRate is single-row INSERT-and-commit per second from n
// connections for d.
func insertRate(b *testing.B, pool *pgxpool.Pool, n int, d time.Duration) float64 {
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)`); err != nil {
		b.Fatal(err)
	}
	var rows atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if _, err := pool.Exec(ctx, `INSERT INTO bench_rows (v) VALUES ('x')`); err != nil {
					b.Error(err)
					return
				}
				rows.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(rows.Load()) / d.Seconds()
}

// BenchmarkClickToDial is the call use case's part of a click-to-dial
// (Authenticate and Dial, over a Centrex that answers at once, with the
// call row written in the background), on one linked seat; the store's
// only statement on that path is the company's version read.
func BenchmarkClickToDial(b *testing.B) {
	c := newCluster(b, 1, 1)
	c.pbx = &numberedPBX{}
	ctx := context.Background()
	secret, err := c.stores[0].RotateLinkSecret(ctx, c.company, c.links[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	svc := c.instances[0]
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.RunDialRecords(run) }()
	for !svc.DialRecordsRunning() {
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	for range b.N {
		l, err := svc.Authenticate(ctx, c.company, c.links[0].ID, secret)
		if err == nil {
			err = svc.Dial(ctx, l, "600 123 456")
		}
		if err != nil {
			b.Fatal(err)
		}
		// The next click comes once the row is written, as one user's
		// would: what is measured is the time Zoho waits.
		b.StopTimer()
		for svc.DialRecordsInFlight() > 0 {
			time.Sleep(50 * time.Microsecond)
		}
		b.StartTimer()
	}
	b.StopTimer()
	stop()
	<-done
}

// numberedPBX is a fakePBX whose dials get call ids of their own.
type numberedPBX struct {
	fakePBX
	n atomic.Int64
}

func (p *numberedPBX) Dial(context.Context, string, string) (string, error) {
	return fmt.Sprintf("callhalf-%d:0", p.n.Add(1)), nil
}
