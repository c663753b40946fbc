package xsisim

import "time"

// ForgetSubscription makes the XSP lose a subscription without a word, as
// after a restart or a failover to an XSP that never heard of it: no
// SubscriptionTerminatedEvent, its undelivered events dropped, and every
// later command on it answered 403. It reports whether it existed.
func (s *Sim) ForgetSubscription(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[id]
	if sub == nil {
		return false
	}
	s.forget(sub)
	return true
}

// forget stops sub without an event. Callers hold s.mu.
func (s *Sim) forget(sub *subscription) {
	delete(s.subs, sub.id)
	close(sub.queue)
}

// Restart is an XSP restart: every subscription, channel, session and call
// is forgotten without events (the calls in progress are cut off, the
// channels' connections dropped), and call
// and tracking ids start again from callhalf-1:0 and 1:1, so new calls get
// the ids of calls from before. Seats, groups and administrators stay.
func (s *Sim) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.timers {
		t.Stop()
	}
	s.timers = map[*time.Timer]struct{}{}
	for _, sub := range s.subs {
		s.forget(sub)
	}
	for _, ch := range s.chans {
		s.dropChannel(ch)
	}
	s.sets = map[string]*channelSet{}
	s.calls = map[string]*callHalf{}
	s.sessions = map[string]bool{}
	s.nextCall, s.nextTrack = 0, 0
}
