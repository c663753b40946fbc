package zoho

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDeliveryTransportKeepsItsConnections: n requests at once, then n
// again, over one DeliveryTransport(n) open n connections in all: every
// connection of the first round is kept idle and reused by the second
// (Go's default keeps 2 per host, and would open new ones).
func TestDeliveryTransportKeepsItsConnections(t *testing.T) {
	t.Parallel()
	const n = 12
	var opened atomic.Int64
	release := make(chan struct{})
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("round") == "1" {
			arrived.Done()
			<-release // hold every first-round request until all n are open at once
		}
		io.WriteString(w, `{"code":"SUCCESS"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	client := &http.Client{Transport: DeliveryTransport(n)}
	get := func(round string) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"?round="+round, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, round := range []string{"1", "2"} {
		if round == "1" {
			arrived.Add(n)
		}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { get(round) })
		}
		if round == "1" {
			arrived.Wait()
			close(release)
		}
		wg.Wait()
	}
	if got := opened.Load(); got != n {
		t.Fatalf("%d connections opened for two rounds of %d requests at once, want %d (the first round's, kept)", got, n, n)
	}
}
