package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is what one load phase measured.
type loadResult struct {
	requests  int
	errors    int
	bytes     int64
	latencies []time.Duration
	elapsed   time.Duration
}

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

func (r loadResult) throughput() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r loadResult) String() string {
	return fmt.Sprintf("%7.0f req/s  p50 %8s  p99 %8s  (%d requests, %d errors, %d bytes/response)",
		r.throughput(), r.quantile(0.50).Round(10*time.Microsecond), r.quantile(0.99).Round(10*time.Microsecond),
		r.requests, r.errors, r.bytes/int64(max(r.requests, 1)))
}

// load sends GET requests from `clients` goroutines for d; next gives each
// request's URL. Only 200 answers count as successes. No request starts
// after d, and those under way then are waited for, not cancelled: every
// request the server worked on is counted.
func load(ctx context.Context, client *http.Client, clients int, d time.Duration, next func(i int) string) loadResult {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var n, errs int
			var bytes int64
			for i := c; ctx.Err() == nil && time.Now().Before(deadline); i += clients {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, next(i), nil)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				b, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
				n++
				bytes += b
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.requests += n
			res.errors += errs
			res.bytes += bytes
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}
