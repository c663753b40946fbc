package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/testdb"
)

// tableFixture is the guide's company with five seats: 329 linked to Miguel
// (ON), 330 unlinked, 331 linked to Gema (OFF), "oficina" unlinked with a
// +34 number, and 332 gone but linked to Zoe (OFF); plus another company
// whose seat would match every search.
func tableFixture(t *testing.T) (*store.Store, int64) {
	t.Helper()
	ctx := context.Background()
	s := testdb.Open(t)
	co := newCompany(t, s, "fermax")
	office := centrex.Seat{UserID: "oficina@conecta.orange.es", Number: "+34910000111"}
	mustSync(t, s, co, seat("910726329"), seat("910726330"), seat("910726331"), office, seat("910726332"))
	mustLink(t, s, co, seatID(t, s, co, "910726329@conecta.orange.es"),
		store.ZohoUser{ID: "1", Email: "miguel.martin@satec.es", Name: "Miguel Martín Buil"})
	if _, _, err := s.CreateLink(ctx, co, seatID(t, s, co, "910726331@conecta.orange.es"),
		store.ZohoUser{ID: "2", Email: "gema.castro@satec.es", Name: "Gema Castro"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateLink(ctx, co, seatID(t, s, co, "910726332@conecta.orange.es"),
		store.ZohoUser{ID: "3", Email: "zoe@satec.es", Name: "Zoe Alba"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, s, co, seat("910726329"), seat("910726330"), seat("910726331"), office)

	other := newCompany(t, s, "acme")
	mustSync(t, s, other, centrex.Seat{UserID: "910726329-miguel.martin@satec.es-buil-castro-oficina", Number: "+349107263"})
	return s, co
}

// users returns the user ids of a page's rows, without "@conecta.orange.es".
func users(p store.TablePage) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, strings.TrimSuffix(r.UserID, "@conecta.orange.es"))
	}
	return out
}

func TestSeatTableSearchesEveryColumn(t *testing.T) {
	t.Parallel()
	s, co := tableFixture(t)
	tests := []struct {
		name, search string
		want         []string
	}{
		{"user id", "OFICINA", []string{"oficina"}},
		{"number only", "+3491", []string{"oficina"}},
		{"number and user id", "0726330", []string{"910726330"}},
		{"zoho login, any case", "MIGUEL.MARTIN@", []string{"910726329"}},
		{"zoho name only", "buil", []string{"910726329"}},
		{"zoho name with accent", "martín", []string{"910726329"}},
		{"zoho name, accented capitals", "MARTÍN BUIL", []string{"910726329"}},
		{"login of a disabled link", "gema.castro", []string{"910726331"}},
		{"login of a gone seat's link", "zoe@", []string{"910726332"}},
		{"two columns of two rows", "@satec.es", []string{"910726329", "910726331", "910726332"}},
		{"every row", "conecta.orange", []string{"910726329", "910726330", "910726331", "910726332", "oficina"}},
		{"short text", "9", []string{"910726329", "910726330", "910726331", "910726332", "oficina"}},
		{"surrounding spaces ignored", "  buil ", []string{"910726329"}},
		{"percent is literal", "%", nil},
		{"underscore is literal", "9107_6329", nil},
		{"no match", "zzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.SeatTable(context.Background(), co, store.TableQuery{Search: tt.search, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := users(p); !slices.Equal(got, tt.want) || p.Filtered != len(tt.want) || p.Total != 5 {
				t.Fatalf("rows %v (filtered %d of %d), want %v of 5", got, p.Filtered, p.Total, tt.want)
			}
		})
	}
}

func TestSeatTableSortsEveryColumn(t *testing.T) {
	t.Parallel()
	s, co := tableFixture(t)
	tests := []struct {
		sort      store.SortColumn
		asc, desc []string
	}{
		{store.SortUserID, []string{"910726329", "910726330", "910726331", "910726332", "oficina"},
			[]string{"oficina", "910726332", "910726331", "910726330", "910726329"}},
		{store.SortNumber, []string{"oficina", "910726329", "910726330", "910726331", "910726332"},
			[]string{"910726332", "910726331", "910726330", "910726329", "oficina"}},
		// Unlinked seats come last either way, by user id.
		{store.SortZohoLogin, []string{"910726331", "910726329", "910726332", "910726330", "oficina"},
			[]string{"910726332", "910726329", "910726331", "910726330", "oficina"}},
		{store.SortZohoName, []string{"910726331", "910726329", "910726332", "910726330", "oficina"},
			[]string{"910726332", "910726329", "910726331", "910726330", "oficina"}},
		{store.SortEnabled, []string{"910726330", "910726331", "910726332", "oficina", "910726329"},
			[]string{"910726329", "910726330", "910726331", "910726332", "oficina"}},
	}
	for _, tt := range tests {
		for _, desc := range []bool{false, true} {
			want := tt.asc
			if desc {
				want = tt.desc
			}
			name := string(tt.sort)
			if desc {
				name += " desc"
			}
			t.Run(name, func(t *testing.T) {
				p, err := s.SeatTable(context.Background(), co, store.TableQuery{Sort: tt.sort, Desc: desc})
				if err != nil {
					t.Fatal(err)
				}
				if got := users(p); !slices.Equal(got, want) {
					t.Fatalf("order %v, want %v", got, want)
				}
				// The same order holds when searching.
				p, _ = s.SeatTable(context.Background(), co, store.TableQuery{Sort: tt.sort, Desc: desc, Search: "@"})
				if got := users(p); !slices.Equal(got, want) {
					t.Fatalf("order while searching %v, want %v", got, want)
				}
			})
		}
	}
	if c, ok := store.ParseSortColumn("login"); !ok || c != store.SortZohoLogin {
		t.Errorf("ParseSortColumn(login) = %q, %v", c, ok)
	}
	if c, ok := store.ParseSortColumn("user_id; DROP TABLE seats"); ok || c != store.SortUserID {
		t.Errorf("ParseSortColumn(injection) = %q, %v", c, ok)
	}
}

func TestSeatTablePagesAndCounts(t *testing.T) {
	t.Parallel()
	s, co := tableFixture(t)
	tests := []struct {
		name                      string
		q                         store.TableQuery
		want                      []string
		from, to, filtered, total int
	}{
		{"first page", store.TableQuery{Limit: 2}, []string{"910726329", "910726330"}, 1, 2, 5, 5},
		{"last page", store.TableQuery{Limit: 2, Offset: 4}, []string{"oficina"}, 5, 5, 5, 5},
		{"beyond the end", store.TableQuery{Limit: 2, Offset: 10}, nil, 0, 0, 5, 5},
		{"second page of a search", store.TableQuery{Search: "07263", Limit: 2, Offset: 2},
			[]string{"910726331", "910726332"}, 3, 4, 4, 5},
		{"hide gone", store.TableQuery{HideGone: true, Limit: 10}, []string{"910726329", "910726330", "910726331", "oficina"}, 1, 4, 4, 4},
		{"hide gone while searching", store.TableQuery{HideGone: true, Search: "satec"}, []string{"910726329", "910726331"}, 1, 2, 2, 4},
		{"default page size is 10", store.TableQuery{Offset: -3}, []string{"910726329", "910726330", "910726331", "910726332", "oficina"}, 1, 5, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.SeatTable(context.Background(), co, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got := users(p)
			if !slices.Equal(got, tt.want) || p.From() != tt.from || p.To() != tt.to || p.Filtered != tt.filtered || p.Total != tt.total {
				t.Fatalf("rows %v, %d–%d of %d (total %d); want %v, %d–%d of %d (total %d)",
					got, p.From(), p.To(), p.Filtered, p.Total, tt.want, tt.from, tt.to, tt.filtered, tt.total)
			}
		})
	}
	t.Run("row fields", func(t *testing.T) {
		p, _ := s.SeatTable(context.Background(), co, store.TableQuery{Search: "0726329"})
		r := p.Rows[0]
		if r.Number != "910726329" || r.ZohoLogin != "miguel.martin@satec.es" || r.ZohoName != "Miguel Martín Buil" ||
			!r.Enabled || r.Gone || r.LinkID == 0 || r.ZohoUserID != "1" {
			t.Fatalf("row = %+v", r)
		}
		p, _ = s.SeatTable(context.Background(), co, store.TableQuery{Search: "0726332"})
		if r := p.Rows[0]; !r.Gone || r.Enabled {
			t.Fatalf("gone row = %+v", r)
		}
	})
}
