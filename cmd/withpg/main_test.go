package main

import "testing"

func TestRunArguments(t *testing.T) {
	// With a server given, withpg runs the command at once: no cluster.
	t.Setenv("TEST_DATABASE_URL", "postgres://127.0.0.1:1/none")
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"flags but no command", []string{"-durable", "-set", "a=b"}, 2},
		{"unknown flag", []string{"-fast", "true"}, 2},
		{"command", []string{"true"}, 0},
		{"flags then command", []string{"-durable", "-set", "a=b", "true"}, 0},
		{"after --", []string{"--", "false"}, 1},
		// The command's own flags are left to it.
		{"command flags", []string{"sh", "-c", "exit 3"}, 3},
		{"withpg flags then command flags", []string{"-durable", "sh", "-c", `test "$TEST_DATABASE_URL" = postgres://127.0.0.1:1/none`}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := run(c.args); got != c.want {
				t.Errorf("run(%q) = %d, want %d", c.args, got, c.want)
			}
		})
	}
}
