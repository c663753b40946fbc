package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// statLine is a /proc/<pid>/stat line of a process named name.
func statLine(pid int, name string, ppid int, utime, stime, cutime, cstime int64) string {
	return fmt.Sprintf("%d (%s) S %d %d %d 0 -1 4194560 1379 0 0 0 %d %d %d %d 20 0 1 0 1717 225280000 4521 18446744073709551615\n",
		pid, name, ppid, pid, pid, utime, stime, cutime, cstime)
}

func TestParseStat(t *testing.T) {
	// A command name may hold spaces and parentheses.
	got, err := parseStat([]byte(statLine(42, "postgres: bench (x) idle", 7, 1234, 56, 78, 9)))
	if err != nil {
		t.Fatal(err)
	}
	want := procTimes{ppid: 7, utime: 1234, stime: 56, cutime: 78, cstime: 9}
	if got != want {
		t.Errorf("parseStat = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "42 postgres S 1", "42 (postgres) S 1 2 3", "42 (p) S x 1 1 0 -1 4 1 0 0 0 1 1 1 1"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) succeeded", bad)
		}
	}
}

func TestTreeCPU(t *testing.T) {
	dir := t.TempDir()
	write := func(pid int, line string) {
		t.Helper()
		d := filepath.Join(dir, strconv.Itoa(pid))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(100, statLine(100, "postgres", 1, 10, 5, 300, 200)) // root: own 15, exited children 500
	write(101, statLine(101, "postgres: walwriter", 100, 7, 3, 0, 0))
	write(102, statLine(102, "postgres: bench bench 127.0.0.1(5) idle", 100, 40, 20, 99, 99)) // a child's cutime is not its parent's
	write(200, statLine(200, "gateway", 1, 1000, 1000, 0, 0))                                 // not a child
	write(300, statLine(300, "grandchild", 102, 1000, 1000, 0, 0))                            // not a direct child
	if err := os.MkdirAll(filepath.Join(dir, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := treeCPU(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(15+500+10+60) * clockTick; got != want {
		t.Errorf("treeCPU = %s, want %s", got, want)
	}
	if _, err := treeCPU(dir, 999); err == nil {
		t.Error("treeCPU of a missing root succeeded")
	}
}

func TestProcessCPUOfSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the kernel has counted at least one tick more.
	deadline := time.Now().Add(10 * time.Second)
	for {
		x := 0
		for i := range 10_000_000 {
			x += i
		}
		_ = x
		after, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no CPU counted: %s then %s", before, after)
		}
	}
}

func TestParseMachineStat(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	got, err := parseMachineStat([]byte("cpu  100 2 30 500 7 1 4 3 9 0\ncpu0 50 1 15 250 3 0 2 1 4 0\nintr 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := machineTimes{busy: 140 * clockTick, system: 35 * clockTick, total: 647 * clockTick}
	if got != want {
		t.Errorf("parseMachineStat = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3 4 5 6 7", "cpu 1 2 x 4 5 6 7 8"} {
		if _, err := parseMachineStat([]byte(bad)); err == nil {
			t.Errorf("parseMachineStat(%q) succeeded", bad)
		}
	}
}
