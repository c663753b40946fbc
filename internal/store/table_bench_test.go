package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// seedLarge builds the load: one company with 10,000 seats and
// 2,000 cached Zoho users (every fifth seat linked, 2,000 links) among 20
// other companies of 1,000 seats and 200 Zoho users each, then ANALYZE.
func seedLarge(tb testing.TB) (*store.Store, int64) {
	tb.Helper()
	s := testdb.Open(tb)
	var big int64
	for i := range 21 {
		co := newCompany(tb, s, fmt.Sprintf("company%02d", i))
		if i == 10 {
			big = co
			bulkSeed(tb, s, co, 10000, 5, 2000)
			continue
		}
		bulkSeed(tb, s, co, 1000, 5, 200)
	}
	if _, err := s.Pool().Exec(context.Background(), `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return s, big
}

// tableCases are the queries measured and explained: searches on each
// column and unfiltered pages under each sort.
var tableCases = []struct {
	name string
	q    store.TableQuery
	// trigram: the search is selective in both tables, so the plan must use
	// the trigram indexes of both. (Other searches may rightly filter the
	// company's rows instead: "conecta" matches every seat, and the
	// company's 2,000 links are a third of all links.)
	trigram bool
}{
	{"search user id", store.TableQuery{Search: "911004217@", Limit: 10}, true},
	{"search number", store.TableQuery{Search: "1004217", Sort: store.SortNumber, Limit: 10}, true},
	{"search zoho login", store.TableQuery{Search: "miguel.sánchez1234@", Limit: 10}, false},
	{"search zoho name", store.TableQuery{Search: "SÁNCHEZ 1234", Limit: 10}, true},
	{"search zoho name, 180 hits", store.TableQuery{Search: "castro", Sort: store.SortZohoName, Offset: 100, Limit: 10}, false},
	{"search matching every row", store.TableQuery{Search: "conecta", Offset: 5000, Limit: 50}, false},
	{"page 1 by user id", store.TableQuery{Limit: 10}, false},
	{"page 200 by number desc", store.TableQuery{Sort: store.SortNumber, Desc: true, Offset: 9950, Limit: 50}, false},
	{"page 1 by zoho login", store.TableQuery{Sort: store.SortZohoLogin, Limit: 10}, false},
	{"page 100 by zoho name desc", store.TableQuery{Sort: store.SortZohoName, Desc: true, Offset: 990, Limit: 10}, false},
	{"page 1 by enabled desc", store.TableQuery{Sort: store.SortEnabled, Desc: true, Limit: 10}, false},
}

// BenchmarkSeatTable measures SeatTable (page rows plus both counts, one
// statement) in the big company.
func BenchmarkSeatTable(b *testing.B) {
	s, co := seedLarge(b)
	ctx := context.Background()
	for _, tc := range tableCases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.SeatTable(ctx, co, tc.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Rows) == 0 {
					b.Fatalf("no rows for %+v", tc.q)
				}
			}
		})
	}
}

// TestSeatTablePlans checks with EXPLAIN that, in a company of 10,000 seats
// among 30,000, selective searches go through the trigram indexes of both
// tables. Run with -v to see every plan.
func TestSeatTablePlans(t *testing.T) {
	t.Parallel()
	// Only an explicit `go test -short` skips it, for a quick local loop:
	// `make test` and CI never pass -short, so it always runs there.
	if testing.Short() {
		t.Skip("seeds 30,000 seats")
	}
	s, co := seedLarge(t)
	ctx := context.Background()
	for _, tc := range tableCases {
		t.Run(tc.name, func(t *testing.T) {
			sql, args := store.TableSQL(co, tc.q)
			for _, q := range []struct {
				sql  string
				args []any
			}{{sql, args}} {
				rows, err := s.Pool().Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "+q.sql, q.args...)
				if err != nil {
					t.Fatal(err)
				}
				var lines []string
				for rows.Next() {
					var l string
					if err := rows.Scan(&l); err != nil {
						t.Fatal(err)
					}
					lines = append(lines, l)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				plan := strings.Join(lines, "\n")
				t.Logf("\n%s", plan)
				if tc.trigram && strings.Contains(plan, "Seq Scan") {
					t.Errorf("sequential scan:\n%s", plan)
				}
				if tc.trigram && !(strings.Contains(plan, "seats_user_id_trgm_idx") && strings.Contains(plan, "seats_number_trgm_idx") &&
					strings.Contains(plan, "seat_links_email_trgm_idx") && strings.Contains(plan, "seat_links_name_trgm_idx")) {
					t.Errorf("search without the trigram indexes:\n%s", plan)
				}
			}
		})
	}
}

// TestSeatsOverviewPlan: the panel figures the seats page reads on every
// view cost a few index probes, however many seats the database holds. The
// question whether a switched-off link of a present seat exists, asked as
// a join, scanned every company's seats when the answer was no (the common
// case): over 300 blocks a view at 30,000 seats.
func TestSeatsOverviewPlan(t *testing.T) {
	t.Parallel()
	// As TestSeatTablePlans: only an explicit `go test -short` skips it.
	if testing.Short() {
		t.Skip("seeds 30,000 seats")
	}
	s, co := seedLarge(t)
	ctx := context.Background()
	if _, err := s.Pool().Exec(ctx, `UPDATE seat_links SET enabled = true WHERE company_id = $1`, co); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	o, err := s.SeatsOverview(ctx, co)
	if err != nil || o.Restorable {
		t.Fatalf("overview %+v, %v: want nothing to restore", o, err)
	}
	rows, err := s.Pool().Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) SELECT "+store.SeatsOverviewSQL("$1"), co)
	if err != nil {
		t.Fatal(err)
	}
	var plans []struct {
		Plan struct {
			Hit  int `json:"Shared Hit Blocks"`
			Read int `json:"Shared Read Blocks"`
		}
	}
	var raw []byte
	if !rows.Next() {
		t.Fatal("no plan")
	}
	if err := rows.Scan(&raw); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("plan %s: %v", raw, err)
	}
	if blocks := plans[0].Plan.Hit + plans[0].Plan.Read; blocks > 60 {
		t.Errorf("the panel figures touched %d blocks; want a few index probes:\n%s", blocks, raw)
	}

	// And the banner still shows when a present seat's link is off.
	if _, err := s.Pool().Exec(ctx, `UPDATE seat_links SET enabled = false WHERE id = (SELECT min(id) FROM seat_links WHERE company_id = $1)`, co); err != nil {
		t.Fatal(err)
	}
	if o, err := s.SeatsOverview(ctx, co); err != nil || !o.Restorable {
		t.Fatalf("overview %+v, %v: want the switched-off link restorable", o, err)
	}
}
