package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

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
	cmd.Env = append(os.Environ(), "DATABASE_URL="+testdb.URL(t), "LISTEN_ADDR="+addr, "LOG_FORMAT=text",
		"DEV_CAPTCHA_SOLUTION=246810")
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
	// The last line of what it prints once ready.
	case <-announced(pr, "Ctrl-C stops the gateway"):
	case err := <-done:
		t.Fatalf("`make run` ended before it was ready (%v):\n%s", err, out.String())
	case <-time.After(3 * time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("`make run` never became ready:\n%s", out.String())
	}
	// What it printed signs the demo operator in to the console, with the
	// code `gateway dev totp` tells.
	m := operatorSignIn.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("`make run` does not say how to sign in to the console:\n%s", out.String())
	}
	totpOut, err := exec.Command(bin, "dev", "totp", "--dir", dir).Output()
	if err != nil {
		t.Fatalf("gateway dev totp: %v", err)
	}
	code := strings.TrimSpace(string(totpOut))
	if want, err := totp.GenerateCode(m[3], time.Now()); err != nil || (code != want && !totp.Validate(code, m[3])) {
		t.Errorf("gateway dev totp printed %q, the key's code is %q (%v)", code, want, err)
	}
	signInOperator(t, "http://"+addr, m[1], m[2], "246810", code)

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

// operatorSignIn reads the demo operator's e-mail, password and TOTP key
// from what `make run` prints.
var operatorSignIn = regexp.MustCompile(`sign in as (\S+) / (\S+), then a TOTP code:\n.*add the key ([A-Z2-7]+) to`)

// signInOperator signs in to the console at base: the password and the
// captcha, then the code; it fails the test unless the console opens.
func signInOperator(t *testing.T, base, email, pw, captcha, code string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/operator/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := regexp.MustCompile(`name="captcha_token" value="([^"]+)"`).FindSubmatch(page)
	if token == nil {
		t.Fatal("the console's sign-in has no captcha")
	}
	for _, step := range []struct {
		path string
		form url.Values
		next string
	}{
		{"/operator/login", url.Values{"email": {email}, "password": {pw}, "captcha": {captcha}, "captcha_token": {string(token[1])}}, "/operator/login/code"},
		{"/operator/login/code", url.Values{"code": {code}}, "/operator/"},
	} {
		res, err := c.PostForm(base+step.path, step.form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != step.next {
			t.Fatalf("POST %s: %d to %q, want %s", step.path, res.StatusCode, res.Header.Get("Location"), step.next)
		}
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
