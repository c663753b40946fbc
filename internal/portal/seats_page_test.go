package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conecta-zoho/gateway/internal/portal"
	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// writeSQL finds the statements that write, or open a transaction.
var writeSQL = regexp.MustCompile(`(?i)\b(insert|update|delete|merge|truncate|begin)\b`)

// statements counts the statements a pool sends, and keeps them to find
// the writes among them.
type statements struct {
	mu  sync.Mutex
	sql []string
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sql = append(s.sql, d.SQL)
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// reset returns how many statements were sent since the last reset, and
// the writes among them.
func (s *statements) reset() (n int, writes []string) {
	s.mu.Lock()
	sent := s.sql
	s.sql = nil
	s.mu.Unlock()
	for _, q := range sent {
		if writeSQL.MatchString(q) {
			writes = append(writes, q)
		}
	}
	return len(sent), writes
}

// tracedInstance starts another portal instance on the env's database whose
// store counts its statements; its seat tables are returned too.
func (e *testEnv) tracedInstance(t testing.TB) (string, *statements, *seattable.Tables) {
	return e.tracedInstanceWith(t, true)
}

// tracedInstanceWith is tracedInstance, without copies of the seat tables
// unless withTables (the tables returned are then nil).
func (e *testEnv) tracedInstanceWith(t testing.TB, withTables bool) (string, *statements, *seattable.Tables) {
	t.Helper()
	tr := &statements{}
	st, err := store.OpenConfig(context.Background(), e.store.Pool().Config().ConnString(), testdb.Box(t),
		func(c *pgxpool.Config) { c.ConnConfig.Tracer = tr })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	st.SetClock(e.clock.Now)
	var tables *seattable.Tables
	if withTables {
		tables = seattable.New(seattable.Options{Load: st.SeatTableAll})
		t.Cleanup(tables.Close)
	}
	old := e.options
	e.options = func(o *portal.Options) {
		if old != nil {
			old(o)
		}
		o.Store, o.Tables = st, tables
	}
	defer func() { e.options = old }()
	return httptestServer(t, e.handler(t, "http://127.0.0.1")).URL, tr, tables
}

// seatsPageURLs mix searches on every column, sorts both ways, pages, page
// sizes and pages past the end.
var seatsPageURLs = []string{
	"/zoho", "/zoho?q=0726329", "/zoho?q=9100001", "/zoho?q=MIGUEL", "/zoho?q=mart%C3%ADn", "/zoho?q=%40satec",
	"/zoho?sort=number&dir=desc", "/zoho?sort=login", "/zoho?sort=name&dir=desc", "/zoho?sort=enabled",
	"/zoho?page=3", "/zoho?page=999", "/zoho?q=conecta&page=2&size=25", "/zoho?q=zzz&page=4",
}

// TestSeatsPageOneStatementNoWrite renders the seats page over and over
// with a mix of searches, sorts and pages: once the table's copy is current
// each view sends one statement to PostgreSQL, and no write (the session
// is not written back, nothing is).
func TestSeatsPageOneStatementNoWrite(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 40)
	e.linkMiguel(t)
	base, tr, tables := e.tracedInstance(t)
	c = c.on(base)
	first := c.get("/zoho") // builds the copy in the background
	wantStatus(t, first, http.StatusOK)
	tables.Wait()
	wantStatus(t, c.get("/zoho"), http.StatusOK) // the session's first save on this instance, if any
	tr.reset()
	token := c.sessionCookie()
	before := e.sessionRow(t, token)
	const rounds = 3
	for range rounds {
		for _, u := range seatsPageURLs {
			r := c.get(u)
			wantStatus(t, r, http.StatusOK)
			if n, writes := tr.reset(); n != 1 || len(writes) != 0 {
				t.Fatalf("GET %s: %d statements, writes %q; want 1 and none", u, n, writes)
			}
			if len(r.header.Values("Set-Cookie")) != 0 {
				t.Errorf("GET %s sets the cookie again: %q", u, r.header.Values("Set-Cookie"))
			}
		}
	}
	if after := e.sessionRow(t, token); !after.Expiry.Equal(before.Expiry) || string(after.Data) != string(before.Data) {
		t.Errorf("the session row changed: %v → %v", before.Expiry, after.Expiry)
	}
	// What the copy showed is what the database shows.
	d := c.get("/zoho?q=MIGUEL").doc(t)
	if got := strings.Join(rows(d), ","); got != "910726329@conecta.orange.es" {
		t.Errorf("search by Zoho name = %s", got)
	}
	if got := c.get("/zoho?page=999").doc(t).Find("[data-testid=showing]").Text(); !strings.Contains(got, "Mostrando 41 a 42 de 42") {
		t.Errorf("past the end shows %q, want the last page", got)
	}
}

// linkMiguel links the guide's seat 329 to Miguel and switches it on.
func (e *testEnv) linkMiguel(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	seat, err := e.store.SeatByUserID(ctx, e.company.ID, "910726329@conecta.orange.es")
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := e.store.CreateLink(ctx, e.company.ID, seat.ID, store.ZohoUser{ID: "1", Email: "miguel.martin@satec.es", Name: "Miguel Martín Buil"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetLinkEnabled(ctx, e.company.ID, l.ID, true); err != nil {
		t.Fatal(err)
	}
}

func (e *testEnv) sessionRow(t testing.TB, token string) store.SessionRow {
	t.Helper()
	r, ok, err := e.store.FindSession(context.Background(), token)
	if err != nil || !ok {
		t.Fatalf("session %v, %v", ok, err)
	}
	return r
}

// TestSessionWrittenOnlyWhenChanged: a session is written back when its
// data changes, or when its idle expiry moves by more than a minute; the
// idle expiry is still enforced.
func TestSessionWrittenOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.signedIn(t)
	token := c.sessionCookie()
	ctx := context.Background()
	row := e.sessionRow(t, token)
	if row.AdminID != e.admin.ID {
		t.Fatalf("the session's administrator is %d, want %d", row.AdminID, e.admin.ID)
	}
	wantStatus(t, c.get("/home"), http.StatusOK)
	if again := e.sessionRow(t, token); !again.Expiry.Equal(row.Expiry) {
		t.Fatalf("a view within the minute wrote the session: expiry %v → %v", row.Expiry, again.Expiry)
	}

	t.Run("changed data is saved", func(t *testing.T) {
		wantStatus(t, c.post("/lang", map[string][]string{"lang": {"en"}, "next": {"/home"}}), http.StatusSeeOther)
		if got := c.get("/home").doc(t).Find("html").AttrOr("lang", ""); got != "en" {
			t.Fatalf("language after the switch = %q", got)
		}
		if after := e.sessionRow(t, token); string(after.Data) == string(row.Data) {
			t.Fatal("the language switch was not saved")
		}
	})

	t.Run("an expiry moved by more than a minute is saved", func(t *testing.T) {
		// As if the last save were 25 of the 30 idle minutes ago.
		soon := time.Now().Add(5 * time.Minute)
		if _, err := e.store.Pool().Exec(ctx, `UPDATE sessions SET expiry = $2 WHERE token = $1`, token, soon); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, c.get("/home"), http.StatusOK)
		after := e.sessionRow(t, token)
		if after.Expiry.Sub(soon) < 20*time.Minute {
			t.Fatalf("expiry %v, want about 30 minutes from now (was %v)", after.Expiry, soon)
		}
	})

	t.Run("an expiry moved by less is not", func(t *testing.T) {
		// As if the last save were 20 seconds ago.
		recent := time.Now().Add(30*time.Minute - 20*time.Second)
		if _, err := e.store.Pool().Exec(ctx, `UPDATE sessions SET expiry = $2 WHERE token = $1`, token, recent); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, c.get("/home"), http.StatusOK)
		wantStatus(t, c.get("/zoho"), http.StatusOK)
		if after := e.sessionRow(t, token); !after.Expiry.Equal(recent.Truncate(time.Microsecond)) {
			t.Fatalf("expiry %v, want it left at %v", after.Expiry, recent)
		}
	})

	t.Run("the idle expiry is enforced", func(t *testing.T) {
		if _, err := e.store.Pool().Exec(ctx, `UPDATE sessions SET expiry = now() - interval '1 second' WHERE token = $1`, token); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/home", "/zoho"} {
			r := c.get(path)
			if r.status != http.StatusSeeOther || r.location != "/login" {
				t.Fatalf("GET %s on an expired session: %d → %q", path, r.status, r.location)
			}
		}
	})
}

// TestSeatsPageNeverStaleAcrossInstances: a change made through another
// instance (or the store directly) shows on the next view of an instance
// whose copy of the table and whose context were current just before.
func TestSeatsPageNeverStaleAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.enabled(t, 20)
	baseA, _, tablesA := e.tracedInstance(t)
	baseB := e.secondInstance(t)
	a, b := c.on(baseA), c.on(baseB)
	wantStatus(t, a.get("/zoho"), http.StatusOK)
	tablesA.Wait()
	d := a.get("/zoho?q=0726329").doc(t)
	if got := d.Find("[data-testid=seat-row] [data-testid=enabled]").First().Text(); got != "OFF" {
		t.Fatalf("before: %q", got)
	}

	// B links seat 329 (and switches it on), and changes the language of
	// the Zoho-facing texts.
	e.linkMiguel(t)
	wantStatus(t, b.post("/zoho/language", map[string][]string{"lang": {"en"}}), http.StatusSeeOther)

	d = a.get("/zoho?q=0726329").doc(t)
	if got := d.Find("[data-testid=seat-row] [data-testid=enabled]").First().Text(); got != "ON" {
		t.Errorf("after the link on B, A shows %q", got)
	}
	if got := d.Find("[data-testid=seat-row]").First().Text(); !strings.Contains(got, "miguel.martin@satec.es") {
		t.Errorf("after the link on B, A's row is %q", got)
	}
	if got := d.Find("#zoho-language option[selected]").AttrOr("value", ""); got != "en" {
		t.Errorf("after the language change on B, A shows %q", got)
	}
	// And once A's copy has caught up, it shows the same.
	tablesA.Wait()
	d = a.get("/zoho?q=MIGUEL").doc(t)
	if got := strings.Join(rows(d), ","); got != "910726329@conecta.orange.es" {
		t.Errorf("search after the catch-up = %s", got)
	}
	for i := range 3 {
		if got := a.get(fmt.Sprintf("/zoho?q=0726329&i=%d", i)).doc(t).Find("[data-testid=enabled]").First().Text(); got != "ON" {
			t.Errorf("view %d shows %q", i, got)
		}
	}
}
