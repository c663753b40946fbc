package main

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestFiguresWrite(t *testing.T) {
	f := figures{}
	f.set("table_ratio", 0.0071234)
	f.set("claim_cost_1m_over_empty", 38.96)
	f.set("clicktodial_added_p99_ms", 12345.678)
	f.set("table_writes_per_view", 0)
	var buf bytes.Buffer
	missing := f.write(&buf)
	want := "figure table_ratio 0.007123\n" +
		"figure table_writes_per_view 0\n" +
		"figure claim_cost_1m_over_empty 38.96\n" +
		"figure clicktodial_added_p99_ms 12346\n"
	if buf.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", buf.String(), want)
	}
	if len(missing) != len(figureNames)-4 || slices.Contains(missing, "table_ratio") || !slices.Contains(missing, "events_commit_ratio") {
		t.Errorf("missing = %v", missing)
	}
}

func TestFigureLinesAreThreeWords(t *testing.T) {
	line := regexp.MustCompile(`^figure [a-z0-9_]+ (-?[0-9]+(\.[0-9]+)?|NaN)$`)
	f := figures{}
	for i, n := range figureNames {
		f.set(n, []float64{1e-9, -0.5, 3, 1e12, 0.25, 1.5e-5}[i%6])
	}
	var buf bytes.Buffer
	if missing := f.write(&buf); len(missing) != 0 {
		t.Errorf("missing %v", missing)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(figureNames) {
		t.Fatalf("%d lines, want %d", len(lines), len(figureNames))
	}
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("line %q is not `figure NAME VALUE`", l)
		}
	}
}

func TestFiguresSetUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("setting an unknown figure did not panic")
		}
	}()
	figures{}.set("table_ration", 1)
}

func TestStatementKind(t *testing.T) {
	for q, want := range map[string]stmtKindT{
		"SELECT data FROM sessions WHERE token = $1":                         stmtRead,
		"insert into sessions (token) values ($1) on conflict do nothing":    stmtWrite,
		"UPDATE outbox SET lease_until = $3":                                 stmtWrite,
		"WITH due AS (SELECT o.id FROM outbox o) UPDATE outbox o SET x = $1": stmtWrite,
		"WITH a AS (SELECT 1) SELECT * FROM a":                               stmtRead,
		"WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d":      stmtWrite,
		"BEGIN":                              stmtControl,
		"commit":                             stmtControl,
		"BEGIN ISOLATION LEVEL SERIALIZABLE": stmtControl,
		"":                                   stmtRead,
	} {
		if got := statementKind(q); got != want {
			t.Errorf("statementKind(%q) = %d, want %d", q, got, want)
		}
	}
}

func TestActivitySinceAndMinus(t *testing.T) {
	k := func(id int64) stmtKey { return stmtKey{queryID: id, toplevel: true} }
	s0 := snapshot{stmts: map[stmtKey]stmtCounters{
		k(1): {query: "SELECT 1", calls: 10, blocks: 100},
		k(2): {query: "UPDATE t SET a = 1", calls: 5},
		k(3): {query: "COMMIT", calls: 7},
	}, walSync: 3, xactCommit: 20}
	s1 := snapshot{stmts: map[stmtKey]stmtCounters{
		k(1): {query: "SELECT 1", calls: 30, blocks: 160},
		k(2): {query: "UPDATE t SET a = 1", calls: 15},
		k(3): {query: "COMMIT", calls: 17},
		k(4): {query: "INSERT INTO t VALUES (1)", calls: 2}, // new since s0
	}, walSync: 13, xactCommit: 50}
	s1.at = s0.at.Add(4e9)
	a := s1.since(s0)
	if a.statements != 32 || a.writes != 12 || a.blocks != 60 || a.walSync != 10 || a.commits != 30 {
		t.Errorf("since = %+v", a)
	}
	idle := activity{elapsed: 2e9, statements: 2, writes: 1, commits: 1}
	b := a.minus(idle)
	if b.statements != 28 || b.writes != 10 || b.commits != 28 {
		t.Errorf("minus = %+v", b)
	}
	if c := a.minus(activity{elapsed: 1e9, statements: 1000}); c.statements != 0 {
		t.Errorf("minus more than there was = %d, want 0", c.statements)
	}
}
