package seattable_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// fixture is a company whose table has what makes orders and searches
// differ between Go and PostgreSQL if done naively: accented and mixed
// case Zoho names equal but for case or accents (ICU collation), equal
// names (ties by user id), unlinked and gone seats, numbers with +, and a
// second company that must never show.
func fixture(t *testing.T) (*store.Store, int64, int64) {
	t.Helper()
	ctx := context.Background()
	s := testdb.Open(t)
	c1, _, err := s.CreateCompany(ctx, "Fermax", "admin@fermax.example", "hash")
	if err != nil {
		t.Fatal(err)
	}
	c2, _, err := s.CreateCompany(ctx, "Acme", "admin@acme.example", "hash")
	if err != nil {
		t.Fatal(err)
	}
	co, other := c1.ID, c2.ID
	var seats []centrex.Seat
	for i := range 60 {
		u := fmt.Sprintf("9107%05d@conecta.orange.es", i*7%60)
		switch i % 10 {
		case 3:
			u = fmt.Sprintf("Oficina-%d@Conecta.orange.es", i)
		case 7:
			u = fmt.Sprintf("recepción_%d@conecta.orange.es", i)
		}
		n := fmt.Sprintf("9107%05d", (i*13)%60)
		if i%9 == 0 {
			n = fmt.Sprintf("+34 91 %d", i)
		}
		seats = append(seats, centrex.Seat{UserID: u, Number: n})
	}
	if _, err := s.SyncSeats(ctx, co, seats, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncSeats(ctx, other, []centrex.Seat{{UserID: "9107-miguel-castro@x", Number: "910700001"}}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	names := []string{"Álvaro Núñez", "alvaro nuñez", "ÁLVARO NÚÑEZ", "Zoe Alba", "émile Castro", "Emile castro",
		"Miguel Martín Buil", "miguel martin", "Gema Castro", "Gema Castro"}
	for i := range 40 {
		if i%4 == 3 {
			continue // unlinked
		}
		seat, err := s.SeatByUserID(ctx, co, seats[i].UserID)
		if err != nil {
			t.Fatal(err)
		}
		name := names[i%len(names)]
		email := fmt.Sprintf("%s%d@Satec.es", []string{"alvaro", "Alvaro", "zoe", "émile", "miguel"}[i%5], i)
		l, _, err := s.CreateLink(ctx, co, seat.ID, store.ZohoUser{ID: fmt.Sprint(100 + i), Email: email, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.SetLinkEnabled(ctx, co, l.ID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The last ten seats leave the Centrex.
	if _, err := s.SyncSeats(ctx, co, seats[:50], store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	return s, co, other
}

func version(t *testing.T, s *store.Store, co int64) int64 {
	t.Helper()
	all, err := s.SeatTableAll(context.Background(), co)
	if err != nil {
		t.Fatal(err)
	}
	return all.Version
}

// current returns the copy's page for q, building it first if needed.
func current(t *testing.T, tables *seattable.Tables, co, v int64, q store.TableQuery) store.TablePage {
	t.Helper()
	if p, ok := tables.Page(co, v, q); ok {
		return p
	}
	tables.Wait()
	p, ok := tables.Page(co, v, q)
	if !ok {
		t.Fatalf("no current copy at version %d after a build", v)
	}
	return p
}

// TestPagesAsTheDatabase compares every answer of the copy with the SQL
// table's: searches on every column (case, accents, literal % and _),
// every order both ways, pages, page sizes, past the end with and without
// Clamp, with and without the gone seats.
func TestPagesAsTheDatabase(t *testing.T) {
	t.Parallel()
	s, co, _ := fixture(t)
	tables := seattable.New(seattable.Options{Load: s.SeatTableAll})
	t.Cleanup(tables.Close)
	v := version(t, s, co)
	searches := []string{"", "  ", "oficina", "OFICINA", "+34", "0726", "9107000", "satec", "@SATEC.ES", "álvaro", "ÁLVARO",
		"alvaro", "nuñez", "NÚÑEZ", "émile", "castro", "recepción", "Recepción_", "%", "_", "9107_", "gema castro",
		"conecta", "zzz", "a", "é"}
	n := 0
	for _, search := range searches {
		for _, o := range store.TableOrders {
			for _, hide := range []bool{false, true} {
				for _, pg := range []struct{ off, lim int }{{0, 10}, {10, 10}, {0, 25}, {45, 10}, {200, 10}, {-5, 0}} {
					for _, clamp := range []bool{false, true} {
						q := store.TableQuery{Search: search, Sort: o.Sort, Desc: o.Desc, HideGone: hide,
							Offset: pg.off, Limit: pg.lim, Clamp: clamp}
						want, err := s.SeatTable(context.Background(), co, q)
						if err != nil {
							t.Fatal(err)
						}
						got := current(t, tables, co, v, q)
						if !slices.Equal(got.Rows, want.Rows) || got.Offset != want.Offset || got.Filtered != want.Filtered ||
							got.Total != want.Total {
							t.Fatalf("%+v:\n got %d–%d of %d (%d) %v\nwant %d–%d of %d (%d) %v", q,
								got.From(), got.To(), got.Filtered, got.Total, ids(got), want.From(), want.To(),
								want.Filtered, want.Total, ids(want))
						}
						n++
					}
				}
			}
		}
	}
	t.Logf("%d queries compared", n)
}

func ids(p store.TablePage) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, r.UserID)
	}
	return out
}

// TestChangesMakeTheCopyStale: after a change on any store (another
// instance), the version read in the page's statement is past the copy's,
// so the copy is not used until a build has caught up, and then shows the
// change.
func TestChangesMakeTheCopyStale(t *testing.T) {
	t.Parallel()
	s, co, other := fixture(t)
	ctx := context.Background()
	tables := seattable.New(seattable.Options{Load: s.SeatTableAll})
	t.Cleanup(tables.Close)
	v := version(t, s, co)
	q := store.TableQuery{Search: "recepción_27"}
	if p := current(t, tables, co, v, q); len(p.Rows) != 1 || p.Rows[0].LinkID != 0 {
		t.Fatalf("before: %+v", p)
	}

	// Another instance links the seat.
	s2 := testdb.Connect(t, s.Pool().Config().ConnString(), testdb.Box(t))
	seat, err := s2.SeatByUserID(ctx, co, "recepción_27@conecta.orange.es")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.CreateLink(ctx, co, seat.ID, store.ZohoUser{ID: "999", Email: "nuevo@satec.es", Name: "Nuevo"}); err != nil {
		t.Fatal(err)
	}
	v2 := version(t, s, co)
	if v2 <= v {
		t.Fatalf("version %d after a link, was %d", v2, v)
	}
	if _, ok := tables.Page(co, v2, q); ok {
		t.Fatal("the stale copy answered")
	}
	if p := current(t, tables, co, v2, q); len(p.Rows) != 1 || p.Rows[0].ZohoLogin != "nuevo@satec.es" {
		t.Fatalf("after: %+v", p)
	}

	// A change that the table does not show (the link's secret) and a
	// change in another company leave the version alone.
	if _, err := s2.RotateLinkSecret(ctx, co, p0(t, tables, co, v2).LinkID); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.SyncSeats(ctx, other, []centrex.Seat{{UserID: "x@y", Number: "1"}}, store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	if v3 := version(t, s, co); v3 != v2 {
		t.Fatalf("version %d after changes the table does not show, was %d", v3, v2)
	}
	// A seat sync that changes nothing neither.
	if _, err := s2.SyncSeats(ctx, co, mustSeats(t, s, co), store.SourceDirectory); err != nil {
		t.Fatal(err)
	}
	if v3 := version(t, s, co); v3 != v2 {
		t.Fatalf("version %d after a sync without changes, was %d", v3, v2)
	}
}

// p0 is the first row of the search for "recepción_27".
func p0(t *testing.T, tables *seattable.Tables, co, v int64) store.TableRow {
	t.Helper()
	p := current(t, tables, co, v, store.TableQuery{Search: "recepción_27"})
	if len(p.Rows) != 1 {
		t.Fatalf("rows %+v", p.Rows)
	}
	return p.Rows[0]
}

// mustSeats are the company's present seats, as a sync would bring them.
func mustSeats(t *testing.T, s *store.Store, co int64) []centrex.Seat {
	t.Helper()
	p, err := s.SeatTable(context.Background(), co, store.TableQuery{HideGone: true, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []centrex.Seat
	for _, r := range p.Rows {
		out = append(out, centrex.Seat{UserID: r.UserID, Number: r.Number})
	}
	return out
}

// TestConcurrentPagesDuringBuilds asks for pages from many goroutines while
// versions move: every answer is either "not current" or a page of a copy
// at least as new as asked.
func TestConcurrentPagesDuringBuilds(t *testing.T) {
	t.Parallel()
	s, co, _ := fixture(t)
	ctx := context.Background()
	tables := seattable.New(seattable.Options{Load: s.SeatTableAll})
	t.Cleanup(tables.Close)
	seat, err := s.SeatByUserID(ctx, co, "recepción_47@conecta.orange.es")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				v := version(t, s, co)
				q := store.TableQuery{Search: "recepción_47", Sort: store.TableOrders[(g+i)%10].Sort}
				if p, ok := tables.Page(co, v, q); ok && p.Filtered != 1 {
					t.Errorf("page %+v", p)
				}
			}
		})
	}
	for i := range 10 {
		l, _, err := s.CreateLink(ctx, co, seat.ID, store.ZohoUser{ID: fmt.Sprint(5000 + i), Email: "x@y.z", Name: "X"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteLink(ctx, co, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	v := version(t, s, co)
	if p := current(t, tables, co, v, store.TableQuery{Search: "recepción_47"}); len(p.Rows) != 1 || p.Rows[0].LinkID != 0 {
		t.Fatalf("final %+v", p)
	}
}
