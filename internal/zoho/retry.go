package zoho

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/conecta-zoho/gateway/internal/backoff"
)

// RetryPolicy bounds the retries PhoneBridge makes for idempotent calls
// (GET users, DELETE registrations, POST/DELETE integrate). Only 5xx, 429
// and transport failures/timeouts are retried, and never past ctx.
type RetryPolicy struct {
	// Attempts is the total number of tries, including the first (≥1).
	Attempts int
	// Base is the first backoff; each retry doubles it, with jitter.
	Base time.Duration
	// Max caps a single backoff (also caps an honoured Retry-After).
	Max time.Duration
	// AttemptTimeout bounds one HTTP attempt; 0 means only ctx and the
	// http.Client timeout apply.
	AttemptTimeout time.Duration
}

// DefaultRetryPolicy returns 3 attempts, 250 ms doubling to at most 5 s, 20 s
// per attempt.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Attempts: 3, Base: 250 * time.Millisecond, Max: 5 * time.Second, AttemptTimeout: 20 * time.Second}
}

// backoff returns the wait before retry number n (1-based), honouring a
// Retry-After in seconds from resp when present.
func (p RetryPolicy) backoff(n int, resp *http.Response) time.Duration {
	if resp != nil {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			if d := time.Duration(s) * time.Second; d <= p.Max {
				return d
			}
			return p.Max
		}
	}
	return backoff.Delay(n, p.Base, p.Max)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
