// Command gwbench measures the gateway against baselines run side by side in
// the same run, on the same PostgreSQL, and prints the figures and their
// ratios, then a summary of issue 10's figures, one `figure NAME VALUE`
// line each. `make bench` runs it with a throwaway cluster
// (TEST_DATABASE_URL), durable and with pg_stat_statements loaded.
//
//	gwbench [-only NAME,...] [-duration 10s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// section is one measurement and its baseline.
type section struct {
	name string
	run  func(ctx context.Context, b *bench) error
}

// bench carries what every section needs, and the figures they measure.
type bench struct {
	databaseURL string
	duration    time.Duration
	figures     figures
}

func main() {
	// The telephony and table sections start this binary again as the
	// gateway under measurement (see child.go), the click-to-dial section
	// also as its baseline relay (relay.go).
	switch os.Getenv(childEnvVar) {
	case "gateway":
		os.Exit(runChildGateway())
	case "relay":
		os.Exit(runChildRelay())
	}
	os.Exit(run())
}

func run() int {
	start := time.Now()
	only := flag.String("only", "", "run only the sections named, comma-separated (table, events, outbox, clicktodial, memory)")
	duration := flag.Duration("duration", 10*time.Second, "how long each load phase runs")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (the load generators, simulators and baselines) to this file")
	childProfile := flag.String("childprofile", "", "a directory where each gateway process started writes a CPU profile of its life (gateway-PID.pprof)")
	flag.Parse()
	if *childProfile != "" {
		os.Setenv(profileEnvVar, *childProfile)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gwbench:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	b := &bench{databaseURL: os.Getenv("TEST_DATABASE_URL"), duration: *duration, figures: figures{}}
	if b.databaseURL == "" {
		fmt.Fprintln(os.Stderr, "gwbench: TEST_DATABASE_URL is not set; run it through `make bench`")
		return 2
	}
	sections := []section{
		{"table", benchTable},
		{"events", benchEvents},
		{"outbox", benchOutbox},
		{"clicktodial", benchClickToDial},
		{"memory", benchMemory},
	}
	fmt.Printf("gwbench on %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if o, err := newObserver(ctx, b.databaseURL, "postgres"); err != nil {
		fmt.Fprintln(os.Stderr, "gwbench:", err)
		return 1
	} else {
		settings, err := o.serverSettings(ctx)
		o.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gwbench:", err)
			return 1
		}
		fmt.Println(settings)
	}
	var failed []string
	for _, s := range sections {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.name) {
			continue
		}
		fmt.Printf("\n== %s\n", s.name)
		t0 := time.Now()
		if err := s.run(ctx, b); err != nil {
			fmt.Fprintf(os.Stderr, "gwbench: %s: %v\n", s.name, err)
			failed = append(failed, s.name)
			if ctx.Err() != nil {
				break
			}
		}
		fmt.Printf("(%s took %s)\n", s.name, time.Since(t0).Round(100*time.Millisecond))
	}
	fmt.Printf("\n== summary (total time %s)\n", time.Since(start).Round(time.Second))
	missing := b.figures.write(os.Stdout)
	if len(missing) > 0 {
		fmt.Printf("not measured in this run: %s\n", strings.Join(missing, ", "))
	}
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "gwbench: failed: %s\n", strings.Join(failed, ", "))
		return 1
	}
	return 0
}
