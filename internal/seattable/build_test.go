package seattable_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/seattable"
	"github.com/conecta-zoho/gateway/internal/store"
)

// fakeLoader serves a table of one row at a version, or fails.
type fakeLoader struct {
	mu      sync.Mutex
	version int64
	fail    bool
	loads   int
	gate    chan struct{} // when set, a load waits for it
}

func (f *fakeLoader) load(ctx context.Context, companyID int64) (store.TableAll, error) {
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return store.TableAll{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads++
	if f.fail {
		return store.TableAll{}, errors.New("database unreachable")
	}
	ranks := make([][]int32, len(store.TableOrders))
	for i := range ranks {
		ranks[i] = []int32{0}
	}
	return store.TableAll{Version: f.version, Rows: []store.TableRow{{SeatID: 1, UserID: "a@b"}}, Ranks: ranks}, nil
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestFailedBuildsAreRetriedLater: while the table cannot be read, pages
// are not answered from memory (the caller reads the database) and builds
// are not retried on every request, only after RetryAfter.
func TestFailedBuildsAreRetriedLater(t *testing.T) {
	t.Parallel()
	f := &fakeLoader{version: 3, fail: true}
	clk := &fakeClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	tables := seattable.New(seattable.Options{Load: f.load, Now: clk.Now, RetryAfter: 5 * time.Second})
	t.Cleanup(tables.Close)
	for range 20 {
		if _, ok := tables.Page(1, 3, store.TableQuery{}); ok {
			t.Fatal("answered without a copy")
		}
		tables.Wait()
	}
	if f.loads != 1 {
		t.Fatalf("%d loads within RetryAfter, want 1", f.loads)
	}
	f.mu.Lock()
	f.fail = false
	f.mu.Unlock()
	clk.Advance(5 * time.Second)
	tables.Page(1, 3, store.TableQuery{})
	tables.Wait()
	if p, ok := tables.Page(1, 3, store.TableQuery{}); !ok || p.Total != 1 {
		t.Fatalf("after the retry: %+v, %v", p, ok)
	}
}

// TestRequestsNeverWaitForABuild: while a build is blocked, pages are
// answered at once (not from memory), and only one build runs; a copy
// newer than asked answers.
func TestRequestsNeverWaitForABuild(t *testing.T) {
	t.Parallel()
	f := &fakeLoader{version: 7, gate: make(chan struct{})}
	tables := seattable.New(seattable.Options{Load: f.load})
	t.Cleanup(tables.Close)
	for range 10 {
		if _, ok := tables.Page(1, 5, store.TableQuery{}); ok {
			t.Fatal("answered before the build")
		}
	}
	close(f.gate)
	tables.Wait()
	if f.loads != 1 {
		t.Fatalf("%d builds, want 1", f.loads)
	}
	if _, ok := tables.Page(1, 5, store.TableQuery{}); !ok {
		t.Fatal("a copy at version 7 did not answer for version 5")
	}
	if _, ok := tables.Page(1, 8, store.TableQuery{}); ok {
		t.Fatal("a copy at version 7 answered for version 8")
	}
	tables.Wait()
}

// TestIdleCopiesAreDropped: Sweep drops a copy not asked for within
// IdleAfter, and keeps the others.
func TestIdleCopiesAreDropped(t *testing.T) {
	t.Parallel()
	f := &fakeLoader{version: 1}
	clk := &fakeClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	tables := seattable.New(seattable.Options{Load: f.load, Now: clk.Now, IdleAfter: 10 * time.Minute})
	t.Cleanup(tables.Close)
	tables.Page(1, 1, store.TableQuery{})
	tables.Page(2, 1, store.TableQuery{})
	tables.Wait()
	clk.Advance(6 * time.Minute)
	tables.Page(2, 1, store.TableQuery{})
	clk.Advance(6 * time.Minute)
	tables.Sweep()
	if n, _ := tables.Stats(); n != 1 {
		t.Fatalf("%d copies after the sweep, want 1", n)
	}
	if _, ok := tables.Page(2, 1, store.TableQuery{}); !ok {
		t.Fatal("the copy in use was dropped")
	}
}
