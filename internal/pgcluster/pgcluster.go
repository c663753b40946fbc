// Package pgcluster starts and stops a private PostgreSQL cluster from the
// server binaries installed on the machine (initdb, pg_ctl). `gateway dev`
// keeps one under a git-ignored folder; tests start a throwaway one.
//
// PostgreSQL refuses to run as root, so when the current user is root the
// binaries run as the `postgres` system user and the data folder is given to it.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options says where the cluster lives and how it is tuned.
type Options struct {
	// Dir holds the cluster: data/ for PostgreSQL's files, plus the superuser
	// password and the server log. It is created when missing and reused after.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one at each start.
	Port int
	// Throwaway trades durability for speed (fsync off), for tests.
	Throwaway bool
	// Settings are extra server settings, each "name=value" (no spaces or
	// quotes), given to the server as -c options after the defaults: for
	// example shared_preload_libraries=pg_stat_statements for the bench.
	Settings []string
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir      string
	port     int
	password string
	cred     *syscall.Credential
	bin      string
}

// ErrNoServerBinaries means initdb/pg_ctl could not be found.
var ErrNoServerBinaries = errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; install the postgresql package or set DATABASE_URL")

// Start initialises the cluster on first use and starts the server, waiting
// until it accepts connections.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{dir: dir, port: opts.Port, bin: bin}
	if c.cred, err = runAs(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgcluster: create %s: %w", dir, err)
	}
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	if err := c.initOnce(ctx); err != nil {
		return nil, err
	}
	if c.port == 0 {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
	}
	// A server left running by a killed parent is stopped first, so the
	// cluster always comes up on the port asked for now.
	if c.running() {
		_ = c.Stop()
	}
	serverOpts, err := c.serverOptions(opts.Throwaway, opts.Settings)
	if err != nil {
		return nil, err
	}
	args := []string{"start", "-w", "-t", "60", "-D", c.dataDir(), "-l", filepath.Join(dir, "server.log"),
		"-o", serverOpts}
	if out, err := c.run(ctx, "pg_ctl", args...); err != nil {
		return nil, fmt.Errorf("pgcluster: pg_ctl start: %w\n%s\n%s", err, out, c.logTail())
	}
	return c, nil
}

// URL returns a connection string for database db as the superuser.
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword("postgres", c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down (fast mode: open sessions are ended).
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := c.run(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.dataDir()); err != nil {
		return fmt.Errorf("pgcluster: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Remove stops the server and deletes the cluster's folder.
func (c *Cluster) Remove() error {
	err := c.Stop()
	return errors.Join(err, os.RemoveAll(c.dir))
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) initOnce(ctx context.Context) error {
	pwFile := filepath.Join(c.dir, "superuser-password")
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err == nil {
		b, err := os.ReadFile(pwFile)
		if err != nil {
			return fmt.Errorf("pgcluster: cluster in %s has no password file: %w", c.dir, err)
		}
		c.password = strings.TrimSpace(string(b))
		return nil
	}
	c.password = rand.Text()
	if err := os.WriteFile(pwFile, []byte(c.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.chown(pwFile); err != nil {
		return err
	}
	out, err := c.run(ctx, "initdb", "-D", c.dataDir(), "-U", "postgres", "--pwfile", pwFile,
		"-A", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) serverOptions(throwaway bool, settings []string) (string, error) {
	opts := []string{
		"-c listen_addresses=127.0.0.1",
		"-p " + strconv.Itoa(c.port),
		"-c unix_socket_directories=''",
		"-c max_connections=200",
	}
	if throwaway {
		opts = append(opts, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
	}
	for _, s := range settings {
		name, _, ok := strings.Cut(s, "=")
		if !ok || name == "" || strings.ContainsAny(s, " \t\n'\"\\") {
			return "", fmt.Errorf("pgcluster: setting %q: want name=value without spaces or quotes", s)
		}
		opts = append(opts, "-c "+s)
	}
	return strings.Join(opts, " "), nil
}

func (c *Cluster) running() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid"))
	return err == nil
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("pgcluster: give %s to the postgres user: %w", path, err)
	}
	return nil
}

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// runAs returns the credential of the postgres user when running as root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, and PostgreSQL will not run as root: need a `postgres` system user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func findBinaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", ErrNoServerBinaries
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
