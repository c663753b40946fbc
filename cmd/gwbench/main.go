// Command gwbench measures the gateway against baselines run side by side in
// the same process, on the same PostgreSQL, and prints the figures and their
// ratios. `make bench` runs it with a throwaway cluster (TEST_DATABASE_URL).
//
//	gwbench [-only NAME] [-duration 10s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"time"
)

// section is one measurement and its baseline.
type section struct {
	name string
	run  func(ctx context.Context, b *bench) error
}

// bench carries what every section needs.
type bench struct {
	databaseURL string
	duration    time.Duration
}

func main() {
	// The telephony sections start this binary again as the gateway under
	// measurement (see child.go).
	if os.Getenv(childEnvVar) == "gateway" {
		os.Exit(runChildGateway())
	}
	only := flag.String("only", "", "run only the section with this name")
	duration := flag.Duration("duration", 10*time.Second, "how long each load phase runs")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (the in-process sections) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gwbench:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	b := &bench{databaseURL: os.Getenv("TEST_DATABASE_URL"), duration: *duration}
	if b.databaseURL == "" {
		fmt.Fprintln(os.Stderr, "gwbench: TEST_DATABASE_URL is not set; run it through `make bench`")
		os.Exit(2)
	}
	sections := []section{
		{"table", benchTable},
		{"events", benchEvents},
		{"clicktodial", benchClickToDial},
		{"memory", benchMemory},
	}
	fmt.Printf("gwbench on %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	for _, s := range sections {
		if *only != "" && s.name != *only {
			continue
		}
		fmt.Printf("\n== %s\n", s.name)
		if err := s.run(ctx, b); err != nil {
			fmt.Fprintf(os.Stderr, "gwbench: %s: %v\n", s.name, err)
			os.Exit(1)
		}
	}
}
