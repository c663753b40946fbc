// Command withpg runs a command with TEST_DATABASE_URL pointing at a
// throwaway PostgreSQL cluster, so that one `make test` run starts one
// cluster for every test package. If TEST_DATABASE_URL is already set, the
// command runs against that server instead.
//
// The cluster trades durability for speed (fsync, synchronous_commit and
// full_page_writes off), as tests want; -durable keeps PostgreSQL's
// defaults, as production runs, for benchmarks. -set name=value (repeated)
// adds server settings.
//
//	withpg go test ./...
//	withpg -durable -set shared_preload_libraries=pg_stat_statements go run ./cmd/gwbench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/conecta-zoho/gateway/internal/pgcluster"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// settings collects repeated -set flags.
type settings []string

func (s *settings) String() string     { return fmt.Sprint(*s) }
func (s *settings) Set(v string) error { *s = append(*s, v); return nil }

func run(args []string) int {
	fs := flag.NewFlagSet("withpg", flag.ContinueOnError)
	durable := fs.Bool("durable", false, "keep fsync, synchronous_commit and full_page_writes on (benchmarks), not off (tests)")
	var set settings
	fs.Var(&set, "set", "a server setting name=value (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: withpg [-durable] [-set name=value]... COMMAND [ARG...]")
		fs.PrintDefaults()
	}
	// Flag parsing stops at the command, so its own flags are left alone.
	if err := fs.Parse(args); err != nil {
		return 2
	}
	args = fs.Args()
	if len(args) == 0 {
		fs.Usage()
		return 2
	}
	env := os.Environ()
	if os.Getenv("TEST_DATABASE_URL") != "" && (*durable || len(set) > 0) {
		fmt.Fprintln(os.Stderr, "withpg: TEST_DATABASE_URL is set: -durable and -set do not change that server")
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		dir, err := os.MkdirTemp("", "gateway-withpg-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "withpg:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		c, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: dir, Throwaway: !*durable, Settings: set})
		if err != nil {
			fmt.Fprintln(os.Stderr, "withpg:", err)
			return 1
		}
		defer func() {
			if err := c.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "withpg:", err)
			}
		}()
		env = append(env, "TEST_DATABASE_URL="+c.URL("postgres"))
		mode := "fsync off"
		if *durable {
			mode = "durable"
		}
		fmt.Fprintf(os.Stderr, "withpg: throwaway PostgreSQL cluster (%s) started in %s\n", mode, dir)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Interrupts reach the child through the terminal's process group; withpg
	// waits for it so that the cluster is always stopped.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	return 0
}
