package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/config"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// stopWithin bounds how long Serve may take to notice a failure: far more
// than it needs (milliseconds), far less than "it hangs".
const stopWithin = 10 * time.Second

// newTestApp builds an App through New, as `gateway serve` does, on a fresh
// database, and listens on a free loopback port.
func newTestApp(t *testing.T) (*App, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"DATABASE_URL": testdb.URL(t),
		"PUBLIC_URL":   "http://" + ln.Addr().String(),
		"SECRET_KEY":   testdb.SecretKey,
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := a.Store.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return a, ln
}

// serve runs a.Serve in the background and waits until /healthz answers.
func serve(t *testing.T, ctx context.Context, a *App, ln net.Listener) <-chan error {
	t.Helper()
	return serveWithMetrics(t, ctx, a, ln, nil)
}

// serveWithMetrics is serve with the internal metrics listener on
// metricsLn (nil: none).
func serveWithMetrics(t *testing.T, ctx context.Context, a *App, ln, metricsLn net.Listener) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln, metricsLn) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	deadline := time.Now().Add(stopWithin)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return done
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gateway never answered /healthz: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait returns Serve's result, failing the test if it takes too long.
func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(stopWithin):
		t.Fatalf("Serve did not return within %s", stopWithin)
		return nil
	}
}

// TestServeReturnsWhenTheHTTPServerFails: the HTTP server's listener breaks
// after start; Serve stops every loop and returns the server's error, so the
// process exits instead of renewing subscriptions that point at a server
// that is gone.
func TestServeReturnsWhenTheHTTPServerFails(t *testing.T) {
	t.Parallel()
	a, ln := newTestApp(t)
	done := serve(t, context.Background(), a, ln)
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	err := wait(t, done)
	if err == nil || !strings.Contains(err.Error(), "http server") {
		t.Fatalf("Serve returned %v, want the HTTP server's failure", err)
	}
}

// TestServeReturnsWhenTheMetricsServerFails: the internal metrics listener
// runs in the same group: when it breaks, Serve stops the public server and
// the loops and returns the metrics server's error, rather than running on
// unobserved.
func TestServeReturnsWhenTheMetricsServerFails(t *testing.T) {
	t.Parallel()
	a, ln := newTestApp(t)
	metricsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := serveWithMetrics(t, context.Background(), a, ln, metricsLn)
	resp, err := http.Get("http://" + metricsLn.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics listener: %s", resp.Status)
	}
	if err := metricsLn.Close(); err != nil {
		t.Fatal(err)
	}
	err = wait(t, done)
	if err == nil || !strings.Contains(err.Error(), "metrics server") {
		t.Fatalf("Serve returned %v, want the metrics server's failure", err)
	}
	if resp, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("the HTTP server still answers after the metrics server failed")
	}
}

// TestServeReturnsWhenALoopFails: a background loop fails fatally; Serve
// stops the HTTP server and the other loops and returns the loop's error.
func TestServeReturnsWhenALoopFails(t *testing.T) {
	t.Parallel()
	a, ln := newTestApp(t)
	boom := errors.New("boom")
	fail := make(chan struct{})
	a.loops = append(a.loops, loop{"failing loop", func(ctx context.Context) error {
		select {
		case <-fail:
			return boom
		case <-ctx.Done():
			return nil
		}
	}})
	done := serve(t, context.Background(), a, ln)
	close(fail)
	err := wait(t, done)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "failing loop") {
		t.Fatalf("Serve returned %v, want the loop's failure", err)
	}
	if resp, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("the HTTP server still answers after a loop failed")
	}
}

// TestServeReturnsWhenALoopStopsOnItsOwn: a loop that returns without an
// error while the gateway runs is a failure too: its work would silently
// stop.
func TestServeReturnsWhenALoopStopsOnItsOwn(t *testing.T) {
	t.Parallel()
	a, ln := newTestApp(t)
	stop := make(chan struct{})
	a.loops = append(a.loops, loop{"quitter", func(ctx context.Context) error { <-stop; return nil }})
	done := serve(t, context.Background(), a, ln)
	close(stop)
	if err := wait(t, done); err == nil || !strings.Contains(err.Error(), "quitter stopped on its own") {
		t.Fatalf("Serve returned %v", err)
	}
}

// TestServeStopsCleanly: ending the context (SIGTERM) stops everything and
// Serve returns nil.
func TestServeStopsCleanly(t *testing.T) {
	t.Parallel()
	a, ln := newTestApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := serve(t, ctx, a, ln)
	cancel()
	if err := wait(t, done); err != nil {
		t.Fatalf("Serve after the context ended: %v", err)
	}
}
