package backoff

import (
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n              int
		base, limit    time.Duration
		least, largest time.Duration
	}{
		{1, time.Second, time.Minute, 500 * time.Millisecond, time.Second},
		{2, time.Second, time.Minute, time.Second, 2 * time.Second},
		{4, time.Second, time.Minute, 4 * time.Second, 8 * time.Second},
		{7, time.Second, time.Minute, 30 * time.Second, time.Minute}, // 64s capped
		{0, time.Second, time.Minute, 500 * time.Millisecond, time.Second},
		{80, time.Second, time.Minute, 30 * time.Second, time.Minute}, // no overflow
		{3, time.Nanosecond, time.Minute, 2 * time.Nanosecond, 4 * time.Nanosecond},
	}
	for _, tt := range tests {
		for range 200 {
			if d := Delay(tt.n, tt.base, tt.limit); d < tt.least || d > tt.largest {
				t.Fatalf("Delay(%d, %s, %s) = %s, want within [%s, %s]", tt.n, tt.base, tt.limit, d, tt.least, tt.largest)
			}
		}
	}
}

func TestDelayJitters(t *testing.T) {
	t.Parallel()
	seen := map[time.Duration]bool{}
	for range 100 {
		seen[Delay(5, time.Second, time.Hour)] = true
	}
	if len(seen) < 10 {
		t.Fatalf("%d distinct delays out of 100: no jitter", len(seen))
	}
}
