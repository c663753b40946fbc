package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/testdb"
)

// TestMakeRunStopsCleanly runs `make run` as a terminal does, in a process
// group of its own, and presses Ctrl-C (SIGINT to the whole group) once the
// gateway is ready: the gateway shuts down and exits 0, and make reports no
// error. (make itself then ends by the same SIGINT, as GNU make does after
// any interrupted recipe; a shell shows 130 for it.)
func TestMakeRunStopsCleanly(t *testing.T) {
	t.Parallel()
	makeBin, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("make is needed to test `make run`: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	bin, dir := t.TempDir()+"/gateway", t.TempDir()
	cmd := exec.Command(makeBin, "--no-print-directory", "run", "BIN="+bin, "DEV_DIR="+dir)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "DATABASE_URL="+testdb.URL(t), "LISTEN_ADDR="+addr, "LOG_FORMAT=text")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out lockedBuffer
	pr, pw := io.Pipe()
	both := io.MultiWriter(&out, pw) // one writer for both: exec then writes from one goroutine at a time
	cmd.Stdout, cmd.Stderr = both, both
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-announced(pr, "is ready"):
	case err := <-done:
		t.Fatalf("`make run` ended before it was ready (%v):\n%s", err, out.String())
	case <-time.After(3 * time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("`make run` never became ready:\n%s", out.String())
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("`make run` did not stop after Ctrl-C:\n%s", out.String())
	}
	pw.Close()
	log := out.String()
	if strings.Contains(log, "Error") || strings.Contains(log, "level=ERROR") {
		t.Errorf("a clean Ctrl-C reported an error:\n%s", log)
	}
	if !strings.Contains(log, "shutting down") {
		t.Errorf("the gateway did not shut down gracefully:\n%s", log)
	}

	// The binary make ran: on its own, Ctrl-C gives exit status 0.
	gw := exec.Command(bin, "dev", "--dir", dir)
	gw.Env = cmd.Env
	var gwOut lockedBuffer
	gwPR, gwPW := io.Pipe()
	gwBoth := io.MultiWriter(&gwOut, gwPW)
	gw.Stdout, gw.Stderr = gwBoth, gwBoth
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-announced(gwPR, "is ready"):
	case <-time.After(time.Minute):
		_ = gw.Process.Kill()
		t.Fatalf("the gateway never became ready:\n%s", gwOut.String())
	}
	if err := gw.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = gw.Wait()
	gwPW.Close()
	if err != nil {
		t.Errorf("gateway dev after Ctrl-C: %v (want exit status 0)\n%s", err, gwOut.String())
	}
}

// announced is closed once a line of r contains want; r is read to its end.
func announced(r io.Reader, want string) <-chan struct{} {
	seen := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) {
				close(seen)
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return seen
}

// lockedBuffer is a bytes.Buffer that a process's output goroutine writes
// while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
