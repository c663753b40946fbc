package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// observer reads what PostgreSQL did for one database of the bench's
// server: statements (pg_stat_statements, which must be in
// shared_preload_libraries; `make bench` starts the server so), WAL
// (pg_stat_wal) and transactions (pg_stat_database), and the CPU of every
// process of the server. It reads them over a connection to the server's
// own `postgres` database, so its queries are not counted among the bench
// database's.
type observer struct {
	conn       *pgx.Conn
	db         string
	postmaster int // 0 when the server's processes cannot be seen from here
	procDir    string
}

// newObserver connects to the server of baseURL to watch database db.
func newObserver(ctx context.Context, baseURL, db string) (*observer, error) {
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return nil, err
	}
	o := &observer{conn: conn, db: db, procDir: "/proc"}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("pg_stat_statements: %w", err)
	}
	if _, err := o.statements(ctx); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("%w (the server must run with shared_preload_libraries=pg_stat_statements, as `make bench` starts it)", err)
	}
	o.postmaster, err = postmasterPID(ctx, conn)
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("finding the server's processes (the bench needs a server on this machine): %w", err)
	}
	return o, nil
}

// Close ends the observer's connection.
func (o *observer) Close() { o.conn.Close(context.Background()) }

// postmasterPID reads the server's process id from postmaster.pid in its
// data directory (the bench runs as the server's owner or as root).
func postmasterPID(ctx context.Context, conn *pgx.Conn) (int, error) {
	var dir string
	if err := conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dir); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}

// serverSettings says how the server is tuned, for the report.
func (o *observer) serverSettings(ctx context.Context) (string, error) {
	var fsync, sync, fpw, version string
	err := o.conn.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit'),
		current_setting('full_page_writes'), current_setting('server_version')`).Scan(&fsync, &sync, &fpw, &version)
	return fmt.Sprintf("PostgreSQL %s, fsync=%s synchronous_commit=%s full_page_writes=%s", version, fsync, sync, fpw), err
}

// stmtKey names one pg_stat_statements entry.
type stmtKey struct {
	queryID  int64
	userID   uint32
	toplevel bool
}

// stmtCounters are one entry's cumulative counters.
type stmtCounters struct {
	query      string
	calls      int64
	blocks     int64 // shared buffers hit or read
	walRecords int64
	execMS     float64
}

// snapshot is the server's counters at one moment.
type snapshot struct {
	at         time.Time
	stmts      map[stmtKey]stmtCounters
	walSync    int64 // WAL flushes to disk (pg_stat_wal.wal_sync)
	walWrite   int64
	xactCommit int64
	cpu        time.Duration // every process of the server
}

func (o *observer) statements(ctx context.Context) (map[stmtKey]stmtCounters, error) {
	rows, err := o.conn.Query(ctx, `SELECT queryid, userid::oid::int8, toplevel, query, calls,
			shared_blks_hit + shared_blks_read, wal_records, total_exec_time
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)`, o.db)
	if err != nil {
		return nil, err
	}
	out := map[stmtKey]stmtCounters{}
	for rows.Next() {
		var k stmtKey
		var c stmtCounters
		var user int64
		if err := rows.Scan(&k.queryID, &user, &k.toplevel, &c.query, &c.calls, &c.blocks, &c.walRecords, &c.execMS); err != nil {
			return nil, err
		}
		k.userID = uint32(user)
		out[k] = c
	}
	return out, rows.Err()
}

// take reads every counter now.
func (o *observer) take(ctx context.Context) (snapshot, error) {
	s := snapshot{at: time.Now()}
	var err error
	if s.stmts, err = o.statements(ctx); err != nil {
		return s, err
	}
	err = o.conn.QueryRow(ctx, `SELECT w.wal_sync, w.wal_write, d.xact_commit
		FROM pg_stat_wal w, pg_stat_database d WHERE d.datname = $1`, o.db).Scan(&s.walSync, &s.walWrite, &s.xactCommit)
	if err != nil {
		return s, err
	}
	s.cpu, err = treeCPU(o.procDir, o.postmaster)
	return s, err
}

// activity is what the server did between two snapshots.
type activity struct {
	elapsed    time.Duration
	statements int64 // every statement but transaction control
	writes     int64 // of which INSERT, UPDATE, DELETE, MERGE, COPY (or a WITH holding one)
	blocks     int64
	walRecords int64
	execMS     float64
	walSync    int64
	walWrite   int64
	commits    int64
	cpu        time.Duration
	byQuery    map[string]stmtCounters // per statement text, for the report
}

// since is the activity from s0 to s.
func (s snapshot) since(s0 snapshot) activity {
	a := activity{elapsed: s.at.Sub(s0.at), walSync: s.walSync - s0.walSync, walWrite: s.walWrite - s0.walWrite,
		commits: s.xactCommit - s0.xactCommit, cpu: s.cpu - s0.cpu, byQuery: map[string]stmtCounters{}}
	for k, c := range s.stmts {
		p := s0.stmts[k]
		calls := c.calls - p.calls
		if calls <= 0 {
			continue
		}
		kind := statementKind(c.query)
		if kind == stmtControl {
			continue
		}
		a.statements += calls
		if kind == stmtWrite {
			a.writes += calls
		}
		a.blocks += c.blocks - p.blocks
		a.walRecords += c.walRecords - p.walRecords
		a.execMS += c.execMS - p.execMS
		q := a.byQuery[c.query]
		q.query = c.query
		q.calls += calls
		q.blocks += c.blocks - p.blocks
		q.walRecords += c.walRecords - p.walRecords
		q.execMS += c.execMS - p.execMS
		a.byQuery[c.query] = q
	}
	return a
}

// minus takes away the activity of a background rate (what the server
// did per second while idle) over a's duration.
func (a activity) minus(idle activity) activity {
	if idle.elapsed <= 0 {
		return a
	}
	f := a.elapsed.Seconds() / idle.elapsed.Seconds()
	sub := func(v, w int64) int64 { return max(0, v-int64(float64(w)*f+0.5)) }
	a.statements = sub(a.statements, idle.statements)
	a.writes = sub(a.writes, idle.writes)
	a.commits = sub(a.commits, idle.commits)
	return a
}

type stmtKindT int

const (
	stmtRead stmtKindT = iota
	stmtWrite
	stmtControl // BEGIN, COMMIT, ROLLBACK, SAVEPOINT…: not statements of their own
)

// statementKind sorts a statement text, as pg_stat_statements normalises it.
func statementKind(q string) stmtKindT {
	w := strings.Fields(strings.ToUpper(q))
	if len(w) == 0 {
		return stmtRead
	}
	switch strings.TrimSuffix(w[0], ";") {
	case "BEGIN", "COMMIT", "ROLLBACK", "START", "END", "SAVEPOINT", "RELEASE", "DEALLOCATE", "DISCARD":
		return stmtControl
	case "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE":
		return stmtWrite
	case "WITH":
		for _, x := range w[1:] {
			switch strings.TrimLeft(x, "(") {
			case "INSERT", "UPDATE", "DELETE", "MERGE":
				return stmtWrite
			}
		}
	}
	return stmtRead
}

// settle leaves the database as a server that has run for a while does
// before a measurement: tables vacuumed and analyzed, as autovacuum leaves
// them after a sync, and a checkpoint, so that the dirty pages of the
// seeding are not written out (by the checkpointer, on the measurement's
// CPU) while the load runs.
func settle(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return err
	}
	_, err := db.Exec(ctx, `CHECKPOINT`)
	return err
}
