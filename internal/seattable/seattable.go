// Package seattable keeps in memory a copy of each viewed company's
// "Usuarios Conecta - Zoho" table (seats and their Zoho links), so that a
// view of the seats page searches, sorts, counts and pages without asking
// PostgreSQL. A copy answers only while it is current: the caller passes
// the table's version as it read it in the page's one statement
// (seat_table_versions, bumped by triggers in the transaction of every
// change, on any instance), and a copy older than that is not used; the
// request then reads its page from the database while a new copy is built
// in the background. No request ever waits for a copy to be built.
//
// A copy holds every row with its rank in each order as PostgreSQL sorts it
// (its collations, NULLS LAST and ties as the SQL table has them), and the
// searchable columns folded to lower case, as ILIKE compares them, in one
// block scanned with bytes.Index. The results of a search (and its order)
// are kept with the copy, within a budget, so that paging and sorting the
// same search do not scan again.
package seattable

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/store"
)

// Loader reads a company's whole table: store.(*Store).SeatTableAll.
type Loader func(ctx context.Context, companyID int64) (store.TableAll, error)

// Options configure Tables.
type Options struct {
	Load   Loader
	Logger *slog.Logger
	// Now is the clock of the idle eviction; nil means time.Now.
	Now func() time.Time
	// IdleAfter drops a company's copy once it has not been asked for this
	// long (zero: 10 minutes), at Run's next sweep.
	IdleAfter time.Duration
	// RetryAfter is how long a failed build keeps another from starting
	// (zero: 5 seconds); requests read the database meanwhile.
	RetryAfter time.Duration
}

// Tables are the copies, one per company viewed lately.
type Tables struct {
	o      Options
	ctx    context.Context // the builds'; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	companies map[int64]*entry
}

// entry is one company's copy and its build's state (under Tables.mu,
// except snap).
type entry struct {
	snap     *snapshot // nil until the first build ends
	building bool
	failedAt time.Time
	usedAt   time.Time
}

// New returns empty Tables. Builds run in goroutines of their own until
// Close (or the end of Run).
func New(o Options) *Tables {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.IdleAfter == 0 {
		o.IdleAfter = 10 * time.Minute
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Tables{o: o, ctx: ctx, cancel: cancel, companies: map[int64]*entry{}}
}

// Page answers q for the company from its copy when the copy is at
// version or later, and reports whether it did. Otherwise it starts a
// build in the background (unless one runs, or one failed lately) and the
// caller reads the page from the database.
func (t *Tables) Page(companyID, version int64, q store.TableQuery) (store.TablePage, bool) {
	t.mu.Lock()
	e := t.companies[companyID]
	if e == nil {
		e = &entry{}
		t.companies[companyID] = e
	}
	e.usedAt = t.o.Now()
	snap := e.snap
	if snap != nil && snap.version >= version {
		t.mu.Unlock()
		return snap.page(q), true
	}
	if !e.building && (e.failedAt.IsZero() || t.o.Now().Sub(e.failedAt) >= t.o.RetryAfter) && t.ctx.Err() == nil {
		e.building = true
		t.wg.Add(1)
		go t.build(companyID, e)
	}
	t.mu.Unlock()
	return store.TablePage{}, false
}

// build reads the company's table once. A change that landed meanwhile
// leaves the copy behind the version the next request reads: that request
// starts another build.
func (t *Tables) build(companyID int64, e *entry) {
	defer t.wg.Done()
	all, err := t.o.Load(t.ctx, companyID)
	if err != nil {
		t.mu.Lock()
		e.building, e.failedAt = false, t.o.Now()
		t.mu.Unlock()
		if t.ctx.Err() == nil {
			t.o.Logger.Warn("seat table copy", "company_id", companyID, "error", err)
		}
		return
	}
	snap := newSnapshot(all)
	t.mu.Lock()
	e.snap, e.failedAt, e.building = snap, time.Time{}, false
	t.mu.Unlock()
}

// Run drops the copies nobody asked for lately, every minute, until ctx
// ends; then it stops the builds and waits for them.
func (t *Tables) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			t.Close()
			return nil
		case <-tick.C:
			t.Sweep()
		}
	}
}

// Sweep drops the copies not asked for within IdleAfter (Run calls it).
func (t *Tables) Sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.o.Now()
	for id, e := range t.companies {
		if !e.building && now.Sub(e.usedAt) >= t.o.IdleAfter {
			delete(t.companies, id)
		}
	}
}

// Close stops the builds in progress and waits for them; Page then never
// starts one.
func (t *Tables) Close() {
	t.cancel()
	t.wg.Wait()
}

// Wait waits for the builds in progress (tests).
func (t *Tables) Wait() { t.wg.Wait() }

// Stats says how many companies have a copy and how many rows they hold.
func (t *Tables) Stats() (companies, rows int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.companies {
		if e.snap != nil {
			companies++
			rows += len(e.snap.rows)
		}
	}
	return companies, rows
}
