package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ,
// 100 on every Linux architecture Go runs on).
const clockTick = 10 * time.Millisecond

// procTimes are one process's CPU times, in clock ticks, and its parent.
type procTimes struct {
	ppid           int
	utime, stime   int64 // the process's own threads
	cutime, cstime int64 // its children that exited and were waited for
}

// parseStat reads /proc/<pid>/stat's text. The command name (field 2) is in
// parentheses and may itself hold spaces and parentheses, so the fields are
// counted from the last ')'.
func parseStat(b []byte) (procTimes, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procTimes{}, errors.New("no command name")
	}
	f := bytes.Fields(b[i+1:])
	// After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17).
	if len(f) < 15 {
		return procTimes{}, fmt.Errorf("%d fields after the command name, want at least 15", len(f))
	}
	var t procTimes
	var err error
	num := func(k int) int64 {
		v, e := strconv.ParseInt(string(f[k-3]), 10, 64)
		if e != nil && err == nil {
			err = fmt.Errorf("field %d: %w", k, e)
		}
		return v
	}
	t.ppid = int(num(4))
	t.utime, t.stime, t.cutime, t.cstime = num(14), num(15), num(16), num(17)
	return t, err
}

// readProc reads one process's times from procDir (normally /proc).
func readProc(procDir string, pid int) (procTimes, error) {
	b, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "stat"))
	if err != nil {
		return procTimes{}, err
	}
	t, err := parseStat(b)
	if err != nil {
		return procTimes{}, fmt.Errorf("%s/%d/stat: %w", procDir, pid, err)
	}
	return t, nil
}

// processCPU is the user+system CPU one process (every thread) has used.
func processCPU(pid int) (time.Duration, error) {
	t, err := readProc("/proc", pid)
	return time.Duration(t.utime+t.stime) * clockTick, err
}

// treeCPU is the CPU of a server process and its children, as a
// PostgreSQL postmaster and its backends and background processes: the
// root's own time, the time of its children that exited (the kernel adds
// it to the root's cutime/cstime when the root waits for them), and the
// time of its children alive now. A backend that ends between two readings
// moves from the third part to the second, so the total only grows.
func treeCPU(procDir string, root int) (time.Duration, error) {
	r, err := readProc(procDir, root)
	if err != nil {
		return 0, err
	}
	ticks := r.utime + r.stime + r.cutime + r.cstime
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		t, err := readProc(procDir, pid)
		if err != nil || t.ppid != root {
			continue // gone since the listing, or not a child
		}
		ticks += t.utime + t.stime
	}
	return time.Duration(ticks) * clockTick, nil
}

// machineTimes is the machine's CPU time from procDir's stat (the "cpu"
// line: every CPU's time, in clock ticks, by what it was spent on).
type machineTimes struct {
	busy, system, total time.Duration // system: kernel, interrupts included
}

// parseMachineStat reads the first line of /proc/stat: "cpu" then user,
// nice, system, idle, iowait, irq, softirq, steal (later fields, guest
// time, are already inside user and nice).
func parseMachineStat(b []byte) (machineTimes, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return machineTimes{}, fmt.Errorf("first line %q is not the cpu line with 8 fields", line)
	}
	var v [8]int64
	for i := range v {
		n, err := strconv.ParseInt(string(f[i+1]), 10, 64)
		if err != nil {
			return machineTimes{}, fmt.Errorf("cpu line field %d: %w", i+1, err)
		}
		v[i] = n
	}
	user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	busy := user + nice + system + irq + softirq + steal
	return machineTimes{
		busy:   time.Duration(busy) * clockTick,
		system: time.Duration(system+irq+softirq) * clockTick,
		total:  time.Duration(busy+idle+iowait) * clockTick,
	}, nil
}

// cpuReading is where the machine's CPU went, read at one moment: the
// gateway process, this process (the simulators, load generators and
// baselines) and the whole machine.
type cpuReading struct {
	gateway, self time.Duration
	machineTimes
}

func takeCPU(gw *gatewayChild) (cpuReading, error) {
	var r cpuReading
	var err error
	if r.gateway, err = gw.cpu(); err != nil {
		return r, err
	}
	if r.self, err = processCPU(os.Getpid()); err != nil {
		return r, err
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return r, err
	}
	r.machineTimes, err = parseMachineStat(b)
	return r, err
}

// since is the CPU spent between r0 and r.
func (r cpuReading) since(r0 cpuReading) cpuReading {
	return cpuReading{
		gateway: r.gateway - r0.gateway,
		self:    r.self - r0.self,
		machineTimes: machineTimes{
			busy:   r.busy - r0.busy,
			system: r.system - r0.system,
			total:  r.total - r0.total,
		},
	}
}
