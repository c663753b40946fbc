package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/conecta-zoho/gateway/internal/app"
	"github.com/conecta-zoho/gateway/internal/config"
)

// Every section but the outbox's runs the gateway in a process of its own,
// so that the simulators and the load generators neither share its heap nor
// show in its memory and CPU figures: gwbench starts itself again with GWBENCH_CHILD set,
// and that process runs what `gateway serve` runs (configuration from the
// environment, app.New, app.Serve) plus a second listener, on
// GWBENCH_STATS_ADDR, whose GET /mem collects garbage and reports the
// process's memory, and whose GET /metrics is the gateway's own (as its
// METRICS_ADDR listener serves it). GWBENCH_CONFIG=dev reads the configuration as
// `gateway dev` does (local defaults, the fixed captcha of
// DEV_CAPTCHA_SOLUTION), for the table section's signed-in clients.
// GWBENCH_CHILD_PROFILE names a directory where the child writes a CPU
// profile of its whole life (gateway-PID.pprof): gwbench -childprofile.
const (
	childEnvVar   = "GWBENCH_CHILD"
	statsEnvVar   = "GWBENCH_STATS_ADDR"
	configEnvVar  = "GWBENCH_CONFIG"
	profileEnvVar = "GWBENCH_CHILD_PROFILE"
)

// runChildGateway is the child's main.
func runChildGateway() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mode := config.ModeServe
	if os.Getenv(configEnvVar) == "dev" {
		mode = config.ModeDev
	}
	cfg, err := config.Load(os.Getenv, mode)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwbench child:", err)
		return 2
	}
	if dir := os.Getenv(profileEnvVar); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("gateway-%d.pprof", os.Getpid())))
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gwbench child:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwbench child:", err)
		return 1
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwbench child:", err)
		return 1
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/mem", serveMem)
	mux.Handle("/metrics", a.MetricsHandler())
	stats := &http.Server{Addr: os.Getenv(statsEnvVar), Handler: mux}
	go func() { _ = stats.ListenAndServe() }()
	defer stats.Close()
	if err := a.Serve(ctx, ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "gwbench child:", err)
		return 1
	}
	return 0
}

// memFigures is what GET /mem reports.
type memFigures struct {
	HeapInuse  uint64 `json:"heap_inuse"`
	HeapAlloc  uint64 `json:"heap_alloc"`
	Sys        uint64 `json:"sys"`
	Goroutines int    `json:"goroutines"`
	RSS        uint64 `json:"rss"` // VmRSS from /proc/self/status; 0 where there is none
}

// serveMem runs two garbage collections and reports the memory in use.
func serveMem(w http.ResponseWriter, _ *http.Request) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f := memFigures{HeapInuse: ms.HeapInuse, HeapAlloc: ms.HeapAlloc, Sys: ms.Sys,
		Goroutines: runtime.NumGoroutine(), RSS: readRSS()}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(f)
}

// readRSS returns VmRSS in bytes, or 0 when /proc/self/status is missing.
func readRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// gatewayChild is the running child process.
type gatewayChild struct {
	cmd   *exec.Cmd
	url   string // the gateway's PUBLIC_URL
	stats string // the stats listener's URL
	done  chan struct{}
	logs  *limitedBuffer
}

// startChild starts the gateway child with env on free loopback ports and
// waits until it answers /readyz.
func startChild(ctx context.Context, env []string) (*gatewayChild, error) {
	return startProcess(ctx, "gateway", env)
}

// startProcess starts this binary again as the child kind (GWBENCH_CHILD:
// "gateway", "relay") with env, and waits until it answers /readyz.
func startProcess(ctx context.Context, kind string, env []string) (*gatewayChild, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	statsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	c := &gatewayChild{cmd: exec.Command(self), url: "http://" + addr, stats: "http://" + statsAddr,
		done: make(chan struct{}), logs: &limitedBuffer{max: 64 << 10}}
	c.cmd.Env = append(env, childEnvVar+"="+kind, statsEnvVar+"="+statsAddr,
		"LISTEN_ADDR="+addr, "PUBLIC_URL="+c.url)
	if dir := os.Getenv(profileEnvVar); dir != "" {
		c.cmd.Env = append(c.cmd.Env, profileEnvVar+"="+dir)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(c.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		select {
		case <-c.done:
			return nil, fmt.Errorf("the %s exited at start:\n%s", kind, c.logs)
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("the %s was not ready within 20s:\n%s", kind, c.logs)
		}
	}
}

// cpu is the CPU the child has used so far.
func (c *gatewayChild) cpu() (time.Duration, error) { return processCPU(c.cmd.Process.Pid) }

// mem asks the child for its memory figures.
func (c *gatewayChild) mem() (memFigures, error) {
	var f memFigures
	resp, err := http.Get(c.stats + "/mem")
	if err != nil {
		return f, err
	}
	defer resp.Body.Close()
	return f, json.NewDecoder(resp.Body).Decode(&f)
}

// groups reads the child's event-group histograms: groups committed, the
// events they held, and the seconds from their start to their commit.
func (c *gatewayChild) groups() (g groupFigures, err error) {
	resp, err := http.Get(c.stats + "/metrics")
	if err != nil {
		return g, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return g, err
	}
	hist := func(name string) (*dto.Histogram, error) {
		f, ok := fams[name]
		if !ok || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetHistogram() == nil {
			return nil, fmt.Errorf("the gateway's metrics have no histogram %s", name)
		}
		return f.GetMetric()[0].GetHistogram(), nil
	}
	events, err := hist("gateway_event_group_events")
	if err != nil {
		return g, err
	}
	dur, err := hist("gateway_event_group_duration_seconds")
	if err != nil {
		return g, err
	}
	return groupFigures{groups: events.GetSampleCount(), events: events.GetSampleSum(), seconds: dur.GetSampleSum()}, nil
}

// groupFigures are the event-group histograms' counts and sums.
type groupFigures struct {
	groups          uint64
	events, seconds float64
}

func (g groupFigures) since(g0 groupFigures) groupFigures {
	return groupFigures{groups: g.groups - g0.groups, events: g.events - g0.events, seconds: g.seconds - g0.seconds}
}

// stop ends the child with SIGTERM (SIGKILL after five seconds).
func (c *gatewayChild) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// freeAddr returns a loopback address whose port was free just now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// limitedBuffer keeps the first max bytes written to it.
// exec.Cmd calls Write from one goroutine at a time (Stdout and Stderr are
// the same writer); String is read only once the child has exited.
type limitedBuffer struct {
	max int
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if len(b.buf) < b.max {
		b.buf = append(b.buf, p[:min(len(p), b.max-len(b.buf))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string { return string(b.buf) }

var _ io.Writer = (*limitedBuffer)(nil)
