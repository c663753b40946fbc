package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

const (
	otherCompanies = 20
	otherSeats     = 1_000
	tableClients   = 50
	tableIdle      = 3 * time.Second // the background activity measured before the views
	tableWarmup    = 2 * time.Second
	benchPassword  = "bench-password-123"
	benchCaptcha   = "246810"
)

// tableCompany is one company whose seats page is measured: its seats,
// Zoho users and links (every sixth seat linked, one link in two enabled).
type tableCompany struct {
	name, admin, prefix string
	seats, users, links int
}

// The two companies measured: the 10,000 seats, and ten times as
// many, with ten times the Zoho users and links.
var (
	tableSmall = tableCompany{name: "Fermax", admin: "admin@fermax.com", prefix: "f", seats: 10_000, users: 2_000, links: 1_500}
	tableLarge = tableCompany{name: "Fermax Grande", admin: "admin@grande.fermax.com", prefix: "g", seats: 100_000, users: 20_000, links: 15_000}
)

// tableRun is what was measured for one company.
type tableRun struct {
	co          tableCompany
	page        []byte
	perView     activity // over one pass of the URL mix, one view at a time, background taken away
	views       int
	loaded      loadResult
	loadedPG    activity      // over the 50-client phase
	gatewayCPU  time.Duration // of the gateway process over the 50-client phase
	cpuPerView  time.Duration // gateway + every PostgreSQL process, per view of that phase
	byStatement map[string]stmtCounters
	steadyAfter time.Duration // after the warm-up, until a view cost one statement
}

// benchTable measures the "Usuarios Conecta - Zoho" page (issue 4) for a
// company of 10,000 seats and 2,000 Zoho users among 20 others, and for one
// of 100,000 seats and 20,000 Zoho users in the same database: the gateway
// runs in a process of its own (as `gateway serve`, every loop included) on
// the seeded, vacuumed and analyzed tables; 50 concurrent clients ask for
// searches and pages. Per view it counts the statements PostgreSQL ran and
// the writing ones (one view at a time, over the whole URL mix, once warm,
// less what the gateway's loops ran in the same time while idle), and the
// CPU of the gateway and of every PostgreSQL process under load. The
// baseline is a bare handler that writes a page of the same size, served
// and loaded the same way in the same run.
func benchTable(ctx context.Context, b *bench) error {
	dbURL, drop, err := freshDatabase(ctx, b.databaseURL, "gwbench_table")
	if err != nil {
		return err
	}
	defer drop()
	key := bytes.Repeat([]byte{42}, 32)
	st, err := migratedStore(ctx, dbURL, key)
	if err != nil {
		return err
	}
	defer st.Close()
	t0 := time.Now()
	if err := withBulkGIN(ctx, st, func() error { return seedTable(ctx, st) }); err != nil {
		return err
	}
	seeded := time.Since(t0)
	t0 = time.Now()
	if err := settle(ctx, st.Pool()); err != nil {
		return err
	}
	fmt.Printf("seeded %d companies of %d seats, %s (%d seats, %d Zoho users, %d links) and %s (%d, %d, %d) in %s; vacuumed, analyzed and checkpointed in %s\n",
		otherCompanies, otherSeats, tableSmall.name, tableSmall.seats, tableSmall.users, tableSmall.links,
		tableLarge.name, tableLarge.seats, tableLarge.users, tableLarge.links,
		seeded.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))

	gw, err := startChild(ctx, []string{"DATABASE_URL=" + dbURL, "SECRET_KEY=" + base64.StdEncoding.EncodeToString(key),
		configEnvVar + "=dev", "DEV_CAPTCHA_SOLUTION=" + benchCaptcha, "SEAT_SYNC_INTERVAL=1000h",
		"LOG_FORMAT=text", "LOG_LEVEL=warn"})
	if err != nil {
		return err
	}
	defer gw.stop()
	obs, err := newObserver(ctx, b.databaseURL, "gwbench_table")
	if err != nil {
		return err
	}
	defer obs.Close()

	// What the gateway's loops run on their own while nobody views a page.
	i0, err := obs.take(ctx)
	if err != nil {
		return err
	}
	time.Sleep(tableIdle)
	i1, err := obs.take(ctx)
	if err != nil {
		return err
	}
	idle := i1.since(i0)
	fmt.Printf("idle gateway: %d statements (%d writing) in %s, taken away from the per-view counts below\n",
		idle.statements, idle.writes, idle.elapsed.Round(time.Millisecond))

	small, err := tableMeasure(ctx, b, gw, obs, idle, tableSmall, true)
	if err != nil {
		return err
	}
	large, err := tableMeasure(ctx, b, gw, obs, idle, tableLarge, false)
	if err != nil {
		return err
	}

	page := small.page
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	defer bare.Close()
	bareClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: tableClients * 2}}
	base := load(ctx, bareClient, tableClients, b.duration, func(int) string { return bare.URL })

	fmt.Printf("%d clients, %s per phase; URLs mix searches on every column, pages and sorts\n", tableClients, b.duration)
	for _, r := range []tableRun{small, large} {
		fmt.Printf("gateway, %6d seats: %s\n", r.co.seats, r.loaded)
	}
	fmt.Printf("bare handler       : %s (page of %d bytes)\n", base, len(page))
	ratio := small.loaded.throughput() / base.throughput()
	fmt.Printf("ratio gateway/bare at %d seats: throughput %.4f, p50 %.1fx, p99 %.1fx\n", tableSmall.seats, ratio,
		float64(small.loaded.quantile(0.5))/float64(base.quantile(0.5)), float64(small.loaded.quantile(0.99))/float64(base.quantile(0.99)))
	for _, r := range []tableRun{small, large} {
		v := float64(r.views)
		if r.views > 0 {
			fmt.Printf("per view, %6d seats, one at a time over %d views: %.2f statements, %.2f writing, %.2f commits, %.0f shared blocks, %.1f WAL records, %.2f ms in PostgreSQL\n",
				r.co.seats, r.views, float64(r.perView.statements)/v, float64(r.perView.writes)/v, float64(r.perView.commits)/v,
				float64(r.perView.blocks)/v, float64(r.perView.walRecords)/v, r.perView.execMS/v)
		}
		fmt.Printf("steady, %6d seats: a view cost one statement %s after the %s warm-up (the table's copy in memory was current)\n",
			r.co.seats, r.steadyAfter.Round(time.Millisecond), tableWarmup)
		lv := float64(max(r.loaded.requests, 1))
		fmt.Printf("per view, %6d seats, %d clients: %.2f statements, %.2f writing; CPU %.2f ms (gateway %.2f ms, PostgreSQL %.2f ms)\n",
			r.co.seats, tableClients, float64(r.loadedPG.statements)/lv, float64(r.loadedPG.writes)/lv,
			ms(r.cpuPerView), ms(r.gatewayCPU)/lv, ms(r.loadedPG.cpu)/lv)
	}
	fmt.Printf("statements of a view at %d seats (calls over the %d views):\n", tableSmall.seats, small.views)
	for _, q := range topStatements(small.byStatement, 12) {
		fmt.Printf("  %6d  %s\n", small.byStatement[q].calls, oneLine(q, 110))
	}
	cpuRatio := float64(large.cpuPerView) / float64(small.cpuPerView)
	fmt.Printf("CPU per view at %d seats ÷ at %d seats: %.2f\n", tableLarge.seats, tableSmall.seats, cpuRatio)

	b.figures.set("table_ratio", ratio)
	b.figures.set("table_statements_per_view", float64(small.perView.statements)/float64(small.views))
	b.figures.set("table_writes_per_view", float64(small.perView.writes)/float64(small.views))
	b.figures.set("table_cpu_100k_over_10k", cpuRatio)
	if small.loaded.errors > 0 || large.loaded.errors > 0 || base.errors > 0 {
		return fmt.Errorf("requests failed: %d at %d seats, %d at %d seats, %d bare",
			small.loaded.errors, tableSmall.seats, large.loaded.errors, tableLarge.seats, base.errors)
	}
	return nil
}

// tableMeasure signs in as co's administrator and measures its page: with
// oneByOne, the statements of one pass over the URL mix, a view at a time
// (a few seconds at 10,000 seats, much longer at 100,000); then, under
// load, throughput, statements and CPU.
func tableMeasure(ctx context.Context, b *bench, gw *gatewayChild, obs *observer, idle activity, co tableCompany, oneByOne bool) (tableRun, error) {
	r := tableRun{co: co}
	client, err := signedInClient(gw.url, co.admin)
	if err != nil {
		return r, err
	}
	urls := tableURLs(gw.url)
	resp, err := client.Get(urls[0])
	if err != nil {
		return r, err
	}
	r.page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(r.page), "Usuarios Conecta - Zoho") {
		return r, fmt.Errorf("the table page of %s did not render (HTTP %d)", co.name, resp.StatusCode)
	}
	next := func(i int) string { return urls[i%len(urls)] }
	load(ctx, client, tableClients, tableWarmup, next)
	if err := tableSteady(ctx, &r, client, obs, urls[0]); err != nil {
		return r, err
	}

	if oneByOne {
		if err := tableOneByOne(ctx, &r, client, obs, idle, urls); err != nil {
			return r, err
		}
	}

	// Under load: throughput and CPU.
	g0, err := gw.cpu()
	if err != nil {
		return r, err
	}
	l0, err := obs.take(ctx)
	if err != nil {
		return r, err
	}
	r.loaded = load(ctx, client, tableClients, b.duration, next)
	l1, err := obs.take(ctx)
	if err != nil {
		return r, err
	}
	g1, err := gw.cpu()
	if err != nil {
		return r, err
	}
	r.loadedPG = l1.since(l0).minus(idle)
	r.gatewayCPU = g1 - g0
	r.cpuPerView = (r.gatewayCPU + r.loadedPG.cpu) / time.Duration(max(r.loaded.requests, 1))
	return r, nil
}

// tableSteadyLimit bounds the wait for the steady state.
const tableSteadyLimit = 2 * time.Minute

// tableSteady waits, viewing u one at a time, until a view costs one
// statement: the steady state, in which the company's table is read from
// the gateway's copy in memory (built in the background after the first
// view, and again after every change; until then views read their page
// from PostgreSQL). It records how long that took after the warm-up.
func tableSteady(ctx context.Context, r *tableRun, client *http.Client, obs *observer, u string) error {
	start := time.Now()
	for {
		s0, err := obs.take(ctx)
		if err != nil {
			return err
		}
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		s1, err := obs.take(ctx)
		if err != nil {
			return err
		}
		if s1.since(s0).statements <= 1 {
			r.steadyAfter = time.Since(start)
			return nil
		}
		if time.Since(start) > tableSteadyLimit {
			return fmt.Errorf("a view of %s still ran %d statements %s after the warm-up", r.co.name, s1.since(s0).statements, tableSteadyLimit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tableOneByOne views each URL once, one at a time, and counts what
// PostgreSQL ran, less the idle gateway's own activity over the same time.
func tableOneByOne(ctx context.Context, r *tableRun, client *http.Client, obs *observer, idle activity, urls []string) error {
	s0, err := obs.take(ctx)
	if err != nil {
		return err
	}
	for _, u := range urls {
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
		}
	}
	s1, err := obs.take(ctx)
	if err != nil {
		return err
	}
	r.views = len(urls)
	raw := s1.since(s0)
	r.byStatement = raw.byQuery
	r.perView = raw.minus(idle)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// topStatements are the n statement texts called most.
func topStatements(stmts map[string]stmtCounters, n int) []string {
	qs := slices.Collect(maps.Keys(stmts))
	slices.SortFunc(qs, func(a, b string) int { return int(stmts[b].calls - stmts[a].calls) })
	return qs[:min(n, len(qs))]
}

// oneLine squeezes a statement's whitespace and cuts it to n characters.
func oneLine(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if r := []rune(q); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return q
}

// tableURLs are the requests the clients cycle through.
func tableURLs(base string) []string {
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
		out = append(out, base+"/zoho?"+v.Encode())
	}
	return out
}

// seedTable creates the other companies and the two measured ones.
func seedTable(ctx context.Context, st *store.Store) error {
	hash, err := password.Hash(benchPassword, password.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		return err
	}
	for c := range otherCompanies {
		co, _, err := st.CreateCompany(ctx, fmt.Sprintf("Other %02d", c), fmt.Sprintf("admin%02d@other.example", c), hash)
		if err != nil {
			return err
		}
		if _, err := st.SyncSeats(ctx, co.ID, seatsFor(fmt.Sprintf("o%02d", c), otherSeats), store.SourceDirectory); err != nil {
			return err
		}
	}
	for _, tc := range []tableCompany{tableSmall, tableLarge} {
		t0 := time.Now()
		if err := seedTableCompany(ctx, st, hash, tc); err != nil {
			return fmt.Errorf("%s: %w", tc.name, err)
		}
		fmt.Printf("seeded %s in %s\n", tc.name, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// withBulkGIN runs seed with the GIN indexes that the schema keeps without
// a pending list (fastupdate=off, so that searches never scan one) given
// one, then merges the lists and sets the indexes back: a hundred thousand
// seats go into the trigram indexes in bulk instead of row by row.
func withBulkGIN(ctx context.Context, st *store.Store, seed func() error) error {
	rows, err := st.Pool().Query(ctx, `SELECT c.oid::regclass::text FROM pg_class c JOIN pg_am a ON a.oid = c.relam
		WHERE a.amname = 'gin' AND c.reloptions @> ARRAY['fastupdate=off'] AND c.relnamespace = 'public'::regnamespace`)
	if err != nil {
		return err
	}
	indexes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	set := func(opts string) error {
		for _, ix := range indexes {
			if _, err := st.Pool().Exec(ctx, `ALTER INDEX `+ix+` SET (`+opts+`)`); err != nil {
				return err
			}
		}
		return nil
	}
	if err := set("fastupdate = on, gin_pending_list_limit = 65536"); err != nil {
		return err
	}
	if err := seed(); err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := st.Pool().Exec(ctx, `SELECT gin_clean_pending_list($1::regclass)`, ix); err != nil {
			return err
		}
	}
	return set("fastupdate = off")
}

// linksSQL links seat i*6 of company $1 (user ids $2-NNNNN@…) to Zoho user
// 700000000+i, for i below $3, enabled when i is even: what CreateLink and
// SetLinkEnabled write, in one statement.
const linksSQL = `INSERT INTO seat_links (company_id, seat_id, zoho_user_id, zoho_email, zoho_name, enabled,
		secret_hash, created_at, updated_at)
	SELECT $1, s.id, u.zoho_user_id, u.email, u.name, i % 2 = 0, sha256(gen_random_uuid()::text::bytea), now(), now()
	FROM generate_series(0, $3 - 1) i
	JOIN seats s ON s.company_id = $1 AND s.user_id = $2 || '-' || lpad((i * 6)::text, 5, '0') || '@conecta.orange.es'
	JOIN zoho_users u ON u.company_id = $1 AND u.zoho_user_id = (700000000 + i)::text`

// seedTableCompany creates one measured company: its seats through the
// sync, its Zoho users through their replacement, both in bulk as the
// gateway writes them, an enabled integration (with a live access token,
// so nothing is refreshed) and its links.
func seedTableCompany(ctx context.Context, st *store.Store, hash string, tc tableCompany) error {
	co, _, err := st.CreateCompany(ctx, tc.name, tc.admin, hash)
	if err != nil {
		return err
	}
	if _, err := st.SyncSeats(ctx, co.ID, seatsFor(tc.prefix, tc.seats), store.SourceDirectory); err != nil {
		return err
	}
	users := make([]store.ZohoUser, tc.users)
	names := []string{"Miguel Martín", "Gema Castro", "Ana López", "Jordi Puig", "Lucía Fernández"}
	for i := range users {
		users[i] = store.ZohoUser{ID: fmt.Sprint(700000000 + i), Email: fmt.Sprintf("user%05d@satec.es", i),
			Name: fmt.Sprintf("%s %d", names[i%len(names)], i)}
	}
	if err := st.ReplaceZohoUsers(ctx, co.ID, users); err != nil {
		return err
	}
	// An enabled integration, so the management page (and its table) shows.
	now := time.Now()
	if err := st.SaveZohoIntegration(ctx, store.ZohoIntegration{CompanyID: co.ID, Status: store.ZohoEnabled,
		ConsentEmail: "miguel.martin@satec.es", Location: "eu", AccountsServer: "https://accounts.zoho.eu",
		APIDomain: "https://www.zohoapis.eu", RefreshToken: "1000.bench", AccessToken: "1000.bench-access",
		AccessExpiresAt: now.Add(24 * time.Hour), RefreshedAt: now, EnabledAt: now}); err != nil {
		return err
	}
	tag, err := st.Pool().Exec(ctx, linksSQL, co.ID, tc.prefix, tc.links)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != int64(tc.links) {
		return fmt.Errorf("%d links made, want %d", tag.RowsAffected(), tc.links)
	}
	return nil
}

func seatsFor(prefix string, n int) []centrex.Seat {
	out := make([]centrex.Seat, n)
	for i := range out {
		out[i] = centrex.Seat{UserID: fmt.Sprintf("%s-%05d@conecta.orange.es", prefix, i), Number: fmt.Sprintf("9100%05d", i),
			FirstName: "Seat", LastName: fmt.Sprint(i)}
	}
	return out
}

// captchaTokenRE finds the login form's captcha token.
var captchaTokenRE = regexp.MustCompile(`name="captcha_token" value="([A-Za-z0-9_-]+)"`)

// signedInClient logs in as the administrator whose email is admin.
func signedInClient(base, admin string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: tableClients * 2}}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	// The form carries its captcha, sealed, in a hidden field.
	m := captchaTokenRE.FindSubmatch(page)
	if m == nil {
		return nil, errors.New("login form without a captcha token")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {admin}, "password": {benchPassword},
		"captcha": {benchCaptcha}, "captcha_token": {string(m[1])}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/home" {
		return nil, fmt.Errorf("login failed: ended at %s (HTTP %d)", resp.Request.URL.Path, resp.StatusCode)
	}
	return c, nil
}
