package password

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestLimiter: of fifty goroutines that try at once while the holders keep
// their slots, exactly the limiter's three get one; a released slot can be
// taken again.
func TestLimiter(t *testing.T) {
	t.Parallel()
	l := NewLimiter(3)
	var held, refused atomic.Int32
	hold := make(chan struct{})
	var tried, done sync.WaitGroup
	for range 50 {
		tried.Add(1)
		done.Go(func() {
			ok := l.TryAcquire()
			if ok {
				held.Add(1)
			} else {
				refused.Add(1)
			}
			tried.Done()
			if ok {
				<-hold
				l.Release()
			}
		})
	}
	tried.Wait()
	if held.Load() != 3 || refused.Load() != 47 {
		t.Fatalf("%d got a slot, %d were refused; want 3 and 47", held.Load(), refused.Load())
	}
	close(hold)
	done.Wait()
	for range 3 {
		if !l.TryAcquire() {
			t.Fatal("a slot was not given back")
		}
	}
	if l.TryAcquire() {
		t.Fatal("a fourth slot")
	}
	if !NewLimiter(0).TryAcquire() {
		t.Fatal("a limiter of 0 slots has none; want at least one")
	}
}
