package calls

// Queued is how many events wait for a group.
func (s *Service) Queued() int { return s.queued() }

// DialRecordsRunning reports whether RunDialRecords runs.
func (s *Service) DialRecordsRunning() bool {
	s.dials.mu.Lock()
	defer s.dials.mu.Unlock()
	return s.dials.running
}

// Grouping reports whether a group is being applied (or about to be).
func (s *Service) Grouping() bool {
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	return s.g.running
}

// DialRecordsInFlight is how many click-to-dial rows are being written in
// the background.
func (s *Service) DialRecordsInFlight() int {
	s.dials.mu.Lock()
	defer s.dials.mu.Unlock()
	return s.dials.n
}
