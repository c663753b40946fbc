package seattable

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/store"
)

// synthetic is a table of n seats shaped as gwbench's (every sixth linked),
// ranked by Go's byte order (the benchmark measures the work, not the
// collation).
func synthetic(n int) store.TableAll {
	names := []string{"Miguel Martín", "Gema Castro", "Ana López", "Jordi Puig", "Lucía Fernández"}
	all := store.TableAll{Version: 1}
	for i := range n {
		r := store.TableRow{SeatID: int64(i + 1), UserID: fmt.Sprintf("f-%06d@conecta.orange.es", i), Number: fmt.Sprintf("9100%06d", i)}
		if i%6 == 0 {
			k := i / 6
			r.LinkID, r.ZohoUserID = int64(k+1), fmt.Sprint(700000000+k)
			r.ZohoLogin, r.ZohoName, r.Enabled = fmt.Sprintf("user%05d@satec.es", k), fmt.Sprintf("%s %d", names[k%5], k), k%2 == 0
		}
		all.Rows = append(all.Rows, r)
	}
	for _, o := range store.TableOrders {
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(i)
		}
		key := func(r store.TableRow) string {
			switch o.Sort {
			case store.SortNumber:
				return r.Number
			case store.SortZohoLogin:
				return r.ZohoLogin
			case store.SortZohoName:
				return r.ZohoName
			case store.SortEnabled:
				if r.Enabled {
					return "1"
				}
				return "0"
			}
			return r.UserID
		}
		slices.SortStableFunc(idx, func(a, b int32) int {
			c := strings.Compare(key(all.Rows[a]), key(all.Rows[b]))
			if o.Desc {
				c = -c
			}
			return c
		})
		rank := make([]int32, n)
		for k, i := range idx {
			rank[i] = int32(k)
		}
		all.Ranks = append(all.Ranks, rank)
	}
	return all
}

// BenchmarkColdSearch measures a search the copy has not seen (its results
// not cached): the scan of every row's text, then the order of the
// matches; and, as a metric, the heap a copy of that size holds besides
// the rows it was built from (texts, ranks and orders).
func BenchmarkColdSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		all := synthetic(n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newSnapshot(all)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(all)
		heap := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
		for _, search := range []string{"miguel", "0726", "conecta", "zzz"} {
			b.Run(fmt.Sprintf("seats=%d/q=%s", n, search), func(b *testing.B) {
				q := store.TableQuery{Search: search, Sort: store.SortZohoName, Offset: 20, Limit: 10}
				for b.Loop() {
					s.mu.Lock()
					clear(s.cache)
					s.used = 0
					s.mu.Unlock()
					s.page(q)
				}
				b.ReportMetric(heap, "copy-B/seat")
			})
		}
		runtime.KeepAlive(s)
	}
}

// BenchmarkWarmPage measures a page of a search already asked (the
// results cached), as paging and sorting the same search do.
func BenchmarkWarmPage(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := newSnapshot(synthetic(n))
		q := store.TableQuery{Search: "miguel", Sort: store.SortZohoName, Offset: 20, Limit: 50}
		s.page(q)
		b.Run(fmt.Sprintf("seats=%d", n), func(b *testing.B) {
			for b.Loop() {
				s.page(q)
			}
		})
	}
}
