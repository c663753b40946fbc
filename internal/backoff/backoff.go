// Package backoff is the gateway's one retry delay: exponential, capped, with
// jitter. The Zoho client's retries, the outbox's redeliveries and the
// outbox's LISTEN reconnects all wait with it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Delay is the wait before retry number n (1-based): base doubled n-1 times,
// capped at limit, with equal jitter (half of it fixed, half random), so that
// many clients retrying at once spread out instead of retrying in step.
func Delay(n int, base, limit time.Duration) time.Duration {
	d := base << min(max(n-1, 0), 30)
	if d > limit || d <= 0 {
		d = limit
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// Sleep waits d or until ctx ends, and reports whether it waited d (at
// once for d <= 0).
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
