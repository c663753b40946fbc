package zohosim

import "time"

// now returns the simulator's time: Options.Clock (or the wall clock) plus
// everything added with Advance.
func (s *Sim) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Sim) nowLocked() time.Time {
	base := time.Now()
	if s.opts.Clock != nil {
		base = s.opts.Clock()
	}
	return base.Add(s.offset)
}

// Now returns the simulator's current time.
func (s *Sim) Now() time.Time { return s.now() }

// Advance moves the simulator's clock forward by d, e.g. to expire grant
// codes (2 min) or access tokens (1 h) or to let the refresh throttle clear.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}
