package portal_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

// BenchmarkSeatsPage renders the seats page through the real router,
// sessions and templates, one view after another, cycling through the
// URLs of gwbench's table bench (searches on every column, sorts both
// ways, pages, two page sizes), in a company of 10,000 and of 100,000
// seats (15 % linked) among five others of 1,000. It reports the CPU per
// view of this process (the portal and the client) and of every
// PostgreSQL process of the cluster, and the statements per view, with the
// table's copy in memory ("memory") and without ("sql"), and how long
// reading the whole table for a copy takes (build-ms, wall time). Run it with a
// fixed count, e.g. -benchtime=600x, after one warm-up pass of the URLs.
func BenchmarkSeatsPage(b *testing.B) {
	for _, seats := range []int{10_000, 100_000} {
		for _, mode := range []string{"memory", "sql"} {
			b.Run(fmt.Sprintf("seats=%d/%s", seats, mode), func(b *testing.B) {
				benchSeatsPage(b, seats, mode == "memory")
			})
		}
	}
}

func benchSeatsPage(b *testing.B, seats int, memory bool) {
	e := newTestEnv(b)
	e.enabled(b, 0)
	ctx := context.Background()
	seedBig(b, e.store, e.company.ID, seats)
	for i := range 5 {
		co, _, err := e.store.CreateCompany(ctx, fmt.Sprintf("Other %d", i), fmt.Sprintf("admin%d@other.example", i), "hash")
		if err != nil {
			b.Fatal(err)
		}
		seedBig(b, e.store, co.ID, 1000)
	}
	if _, err := e.store.Pool().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	base, tr, tables := e.tracedInstanceWith(b, memory)
	c := e.benchClient(b, base)
	urls := benchURLs()
	get := func(u string) {
		res, err := c.Get(base + u)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", u, res.StatusCode)
		}
	}
	get(urls[0])
	if tables != nil {
		tables.Wait()
	}
	for _, u := range urls { // warm up: plans, the copy's results
		get(u)
	}
	tr.reset()
	pg0, self0 := pgCPU(b, e.store), selfCPU()
	b.ResetTimer()
	for i := range b.N {
		get(urls[i%len(urls)])
	}
	b.StopTimer()
	self := selfCPU() - self0
	pg := pgCPU(b, e.store) - pg0
	n, writes := tr.reset()
	b.ReportMetric(float64(pg.Microseconds())/float64(b.N), "pg-µs/view")
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "go-µs/view")
	b.ReportMetric(float64((pg+self).Microseconds())/float64(b.N), "cpu-µs/view")
	b.ReportMetric(float64(n)/float64(b.N), "stmts/view")
	b.ReportMetric(float64(len(writes))/float64(b.N), "writes/view")
	if memory {
		// What a copy's build costs: its one statement and the copy.
		t0 := time.Now()
		all, err := e.store.SeatTableAll(ctx, e.company.ID)
		if err != nil || len(all.Rows) < seats {
			b.Fatalf("%d rows, %v", len(all.Rows), err)
		}
		b.ReportMetric(float64(time.Since(t0).Milliseconds()), "build-ms")
	}
}

// benchClient signs in on base.
func (e *testEnv) benchClient(b *testing.B, base string) *http.Client {
	b.Helper()
	c := e.client(b).on(base)
	wantStatus(b, c.login(adminEmail, adminPassword, captchaDigits), http.StatusSeeOther)
	return c.http
}

// benchURLs are gwbench's table URLs.
func benchURLs() []string {
	var out []string
	searches := []string{"", "0726", "4321", "seat-0123", "miguel", "martín", "castro", "@fermax", "9100055", "user 17"}
	sorts := []string{"user", "number", "login", "name", "enabled"}
	for i := range 200 {
		v := url.Values{}
		if s := searches[i%len(searches)]; s != "" {
			v.Set("q", s)
		}
		v.Set("sort", sorts[i%len(sorts)])
		if i%3 == 0 {
			v.Set("dir", "desc")
		}
		v.Set("page", fmt.Sprint(1+(i*37)%40))
		if i%4 == 0 {
			v.Set("size", "50")
		}
		out = append(out, "/zoho?"+v.Encode())
	}
	return out
}

// seedBig gives the company n seats as gwbench's seed does (user ids
// f-NNNNN@conecta.orange.es, numbers 9100NNNNN), n/5 Zoho users and every
// sixth seat linked to one of them, half switched on.
func seedBig(b *testing.B, st *store.Store, companyID int64, n int) {
	b.Helper()
	ctx := context.Background()
	_, err := st.Pool().Exec(ctx, `
		INSERT INTO seats (company_id, user_id, number, source, synced_at)
		SELECT $1::bigint, format('f%s-%s@conecta.orange.es', $1::bigint, lpad(i::text, 6, '0')), '9100' || lpad(i::text, 6, '0'), 'directory', now()
		FROM generate_series(0, $2 - 1) i`, companyID, n)
	if err != nil {
		b.Fatal(err)
	}
	_, err = st.Pool().Exec(ctx, `
		INSERT INTO zoho_users (company_id, zoho_user_id, email, name, fetched_at)
		SELECT $1, (700000000 + i)::text, format('user%s@satec.es', lpad(i::text, 5, '0')),
			(ARRAY['Miguel Martín', 'Gema Castro', 'Ana López', 'Jordi Puig', 'Lucía Fernández'])[i % 5 + 1] || ' ' || i, now()
		FROM generate_series(0, $2 / 5 - 1) i`, companyID, n)
	if err != nil {
		b.Fatal(err)
	}
	_, err = st.Pool().Exec(ctx, `
		INSERT INTO seat_links (company_id, seat_id, zoho_user_id, zoho_email, zoho_name, enabled, secret_hash)
		SELECT s.company_id, s.id, u.zoho_user_id, u.email, u.name, s.k % 2 = 0, sha256(s.user_id::bytea)
		FROM (SELECT id, company_id, user_id, (row_number() OVER (ORDER BY user_id) - 1) / 6 AS k,
		             (row_number() OVER (ORDER BY user_id) - 1) % 6 AS r
		      FROM seats WHERE company_id = $1) s
		JOIN zoho_users u ON u.company_id = s.company_id AND u.zoho_user_id = (700000000 + s.k)::text
		WHERE s.r = 0 AND s.k < $2 / 5 * 3 / 4`, companyID, n)
	if err != nil {
		b.Fatal(err)
	}
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgCPU is the CPU time so far of the postmaster of st's cluster and of
// its children (every backend), from /proc (clock ticks of 10 ms).
func pgCPU(b *testing.B, st *store.Store) time.Duration {
	b.Helper()
	var dir string
	if err := st.Pool().QueryRow(context.Background(), `SHOW data_directory`).Scan(&dir); err != nil {
		b.Fatal(err)
	}
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		b.Skipf("cannot read the postmaster's pid: %v", err)
	}
	postmaster := strings.SplitN(string(pidFile), "\n", 2)[0]
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(raw)
		rest := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(rest) < 13 {
			continue
		}
		pid := strings.TrimSuffix(strings.TrimPrefix(filepath.Dir(p), "/proc/"), "/")
		if pid != postmaster && rest[1] != postmaster { // rest[1] is the parent's pid
			continue
		}
		u, _ := strconv.ParseInt(rest[11], 10, 64)
		k, _ := strconv.ParseInt(rest[12], 10, 64)
		ticks += u + k
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
