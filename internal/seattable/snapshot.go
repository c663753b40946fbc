package seattable

import (
	"bytes"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/conecta-zoho/gateway/internal/store"
)

// snapshot is one copy of a company's table. Everything but the results
// cache is read-only once built.
type snapshot struct {
	version int64
	// rows hold no pointer (their texts are spans of strs), so that the
	// garbage collector need not walk a copy of 100,000 rows at every cycle.
	rows []compactRow
	strs string
	// rank[o][i] is row i's position in store.TableOrders[o]; perm[o] is
	// the inverse: perm[o][k] is the row at position k.
	rank, perm [][]int32
	// text holds every row's user id, number, Zoho login and name, lower
	// case, each followed by a NUL (which no column holds); row i's text
	// starts at starts[i]. A search with no NUL matches within a column.
	text   []byte
	starts []int32
	live   int // rows of seats present in the Centrex

	mu    sync.Mutex
	cache map[resultKey]*result
	used  int   // int32s held by the cache
	tick  int64 // the cache's clock, for the least recently used
}

// compactRow is a store.TableRow whose texts are spans of snapshot.strs.
type compactRow struct {
	seatID, linkID                    int64
	user, number, zohoID, login, name span
	enabled, gone                     bool
}

type span struct{ off, n int32 }

// row is row i as the store gives it (its strings share strs).
func (s *snapshot) row(i int32) store.TableRow {
	r := &s.rows[i]
	str := func(p span) string { return s.strs[p.off : p.off+p.n] }
	return store.TableRow{SeatID: r.seatID, UserID: str(r.user), Number: str(r.number), LinkID: r.linkID,
		ZohoUserID: str(r.zohoID), ZohoLogin: str(r.login), ZohoName: str(r.name), Enabled: r.enabled, Gone: r.gone}
}

// resultKey names a cached result: the rows matching a folded search (and
// present, with hideGone), in order (-1: in row order).
type resultKey struct {
	search   string
	hideGone bool
	order    int
}

type result struct {
	rows []int32
	used int64
}

// The cache keeps at most cacheEntries results and cacheBudget(n) row
// numbers in all.
const cacheEntries = 256

func cacheBudget(n int) int { return max(8*n, 1<<16) }

func newSnapshot(all store.TableAll) *snapshot {
	n := len(all.Rows)
	s := &snapshot{version: all.Version, rows: make([]compactRow, n), rank: all.Ranks, perm: make([][]int32, len(all.Ranks)),
		starts: make([]int32, n+1), cache: map[resultKey]*result{}}
	for o, rk := range all.Ranks {
		p := make([]int32, n)
		for i, k := range rk {
			p[k] = int32(i)
		}
		s.perm[o] = p
	}
	var b bytes.Buffer
	var strs strings.Builder
	put := func(v string) span {
		p := span{int32(strs.Len()), int32(len(v))}
		strs.WriteString(v)
		return p
	}
	for i, r := range all.Rows {
		s.rows[i] = compactRow{seatID: r.SeatID, linkID: r.LinkID, user: put(r.UserID), number: put(r.Number),
			zohoID: put(r.ZohoUserID), login: put(r.ZohoLogin), name: put(r.ZohoName), enabled: r.Enabled, gone: r.Gone}
		s.starts[i] = int32(b.Len())
		for _, col := range []string{r.UserID, r.Number, r.ZohoLogin, r.ZohoName} {
			b.WriteString(strings.ToLower(col))
			b.WriteByte(0)
		}
		if !r.Gone {
			s.live++
		}
	}
	s.starts[n] = int32(b.Len())
	s.text = b.Bytes()
	s.strs = strs.String()
	return s
}

// orderIndex is the position of q's order in store.TableOrders.
func orderIndex(q store.TableQuery) int {
	sortCol := q.Sort
	if _, ok := store.ParseSortColumn(string(sortCol)); !ok {
		sortCol = store.SortUserID
	}
	for i, o := range store.TableOrders {
		if o.Sort == sortCol && o.Desc == q.Desc {
			return i
		}
	}
	return 0
}

// page answers q as store.SeatTable does.
func (s *snapshot) page(q store.TableQuery) store.TablePage {
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 500)
	offset := max(q.Offset, 0)
	o := orderIndex(q)
	search := strings.ToLower(strings.TrimSpace(q.Search))

	var list []int32
	total := len(s.rows)
	if q.HideGone {
		total = s.live
	}
	if search == "" && !q.HideGone {
		list = s.perm[o]
	} else {
		list = s.ordered(search, q.HideGone, o)
	}
	p := store.TablePage{Filtered: len(list), Total: total}
	if q.Clamp && len(list) > 0 && offset >= len(list) {
		offset = (len(list) - 1) / limit * limit
	}
	p.Offset = offset
	if offset < len(list) {
		for _, i := range list[offset:min(offset+limit, len(list))] {
			p.Rows = append(p.Rows, s.row(i))
		}
	}
	return p
}

// ordered is the rows matching search (and present, with hideGone) in
// order o, from the cache or computed and cached.
func (s *snapshot) ordered(search string, hideGone bool, o int) []int32 {
	key := resultKey{search, hideGone, o}
	if r, ok := s.cached(key); ok {
		return r
	}
	matches := s.matching(search, hideGone)
	var out []int32
	if m := len(matches); m > 0 && m*bits.Len(uint(m)) < len(s.rows) {
		// Few matches: sort them by rank.
		out = slices.Clone(matches)
		rk := s.rank[o]
		slices.SortFunc(out, func(a, b int32) int { return int(rk[a]) - int(rk[b]) })
	} else if m > 0 {
		// Many: walk the order, keeping the matches.
		in := make([]uint64, (len(s.rows)+63)/64)
		for _, i := range matches {
			in[i/64] |= 1 << (i % 64)
		}
		out = make([]int32, 0, m)
		for _, i := range s.perm[o] {
			if in[i/64]&(1<<(i%64)) != 0 {
				out = append(out, i)
			}
		}
	}
	s.store(key, out)
	return out
}

// matching is the rows whose text contains search (every row for ""),
// without the gone ones with hideGone, in row order.
func (s *snapshot) matching(search string, hideGone bool) []int32 {
	key := resultKey{search, hideGone, -1}
	if r, ok := s.cached(key); ok {
		return r
	}
	var out []int32
	keep := func(i int) {
		if !hideGone || !s.rows[i].gone {
			out = append(out, int32(i))
		}
	}
	switch {
	case search == "":
		for i := range s.rows {
			keep(i)
		}
	case strings.IndexByte(search, 0) >= 0:
		// No column holds a NUL.
	default:
		needle := []byte(search)
		for i, pos := 0, 0; pos < len(s.text); {
			at := bytes.Index(s.text[pos:], needle)
			if at < 0 {
				break
			}
			// The row holding the match: the last start at or before it,
			// a few rows on (dense matches) or found by halving.
			hit := int32(pos + at)
			for k := 0; k < 8 && s.starts[i+1] <= hit; k++ {
				i++
			}
			if s.starts[i+1] <= hit {
				i += sort.Search(len(s.rows)-i, func(k int) bool { return s.starts[i+k+1] > hit })
			}
			keep(i)
			i++
			pos = int(s.starts[i])
		}
	}
	s.store(key, out)
	return out
}

func (s *snapshot) cached(key resultKey) ([]int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.cache[key]
	if !ok {
		return nil, false
	}
	s.tick++
	r.used = s.tick
	return r.rows, true
}

// store caches rows under key, dropping the least recently used results
// beyond the budget. A result larger than the budget is not kept.
func (s *snapshot) store(key resultKey, rows []int32) {
	budget := cacheBudget(len(s.rows))
	if len(rows) > budget {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.cache[key]; ok {
		s.used -= len(old.rows)
	}
	s.tick++
	s.cache[key] = &result{rows: rows, used: s.tick}
	s.used += len(rows)
	for len(s.cache) > cacheEntries || s.used > budget {
		var oldest resultKey
		first := true
		for k, r := range s.cache {
			if first || r.used < s.cache[oldest].used {
				oldest, first = k, false
			}
		}
		s.used -= len(s.cache[oldest].rows)
		delete(s.cache, oldest)
	}
}
