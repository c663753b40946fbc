// Command withpg runs a command with TEST_DATABASE_URL pointing at a
// throwaway PostgreSQL cluster, so that one `make test` run starts one
// cluster for every test package. If TEST_DATABASE_URL is already set, the
// command runs against that server instead.
//
//	withpg go test ./...
package main

import (
	"context"
	"errors"
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

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withpg COMMAND [ARG...]")
		return 2
	}
	env := os.Environ()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		dir, err := os.MkdirTemp("", "gateway-withpg-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "withpg:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		c, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: dir, Throwaway: true})
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
		fmt.Fprintln(os.Stderr, "withpg: throwaway PostgreSQL cluster started in", dir)
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
