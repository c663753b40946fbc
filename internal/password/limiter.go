package password

// Limiter bounds how many password checks run at once. Each argon2id check
// with Default takes 64 MiB and a core for a fraction of a second, so
// unbounded concurrent checks turn a flood of login posts into gigabytes of
// memory. A check that finds every slot taken is not queued: the caller
// answers at once and the client tries again in a moment.
type Limiter struct {
	slots chan struct{}
}

// NewLimiter returns a Limiter of n slots (at least one); about the number
// of cores keeps the CPU busy without piling up memory.
func NewLimiter(n int) *Limiter {
	return &Limiter{slots: make(chan struct{}, max(n, 1))}
}

// TryAcquire takes a slot if one is free and reports whether it did. Every
// successful TryAcquire must be followed by one Release.
func (l *Limiter) TryAcquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// Release gives back a slot taken by TryAcquire.
func (l *Limiter) Release() { <-l.slots }
