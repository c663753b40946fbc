package pgcluster

import (
	"strings"
	"testing"
)

func TestServerOptions(t *testing.T) {
	c := &Cluster{port: 5433}
	durable, err := c.serverOptions(false, []string{"shared_preload_libraries=pg_stat_statements"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(durable, "fsync") || strings.Contains(durable, "synchronous_commit") {
		t.Errorf("durable options turn durability off: %s", durable)
	}
	if !strings.HasSuffix(durable, " -c shared_preload_libraries=pg_stat_statements") || !strings.Contains(durable, "-p 5433") {
		t.Errorf("durable options = %s", durable)
	}
	fast, err := c.serverOptions(true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"} {
		if !strings.Contains(fast, want) {
			t.Errorf("throwaway options lack %s: %s", want, fast)
		}
	}
	for _, bad := range []string{"fsync", "=on", "work_mem=4 MB", "search_path='x'", `a=b"c`} {
		if _, err := c.serverOptions(false, []string{bad}); err == nil {
			t.Errorf("setting %q accepted", bad)
		}
	}
}
