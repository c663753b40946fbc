package zohosim

import (
	"net/http"
	"time"
)

// FaultFunc decides, per PhoneBridge request, whether to misbehave: wait
// delay (or until the client gives up), then answer status with an
// INTERNAL_ERROR-style body when status is not 0.
type FaultFunc func(r *http.Request) (status int, delay time.Duration)

type faults struct {
	failNext   int
	failStatus int
	fn         FaultFunc
}

// FailNext makes the next n PhoneBridge requests answer status (e.g. 503)
// without touching any state.
func (s *Sim) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.failNext, s.faults.failStatus = n, status
}

// SetFault installs fn for every PhoneBridge request (nil removes it). It
// runs after FailNext's budget is used up.
func (s *Sim) SetFault(fn FaultFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.fn = fn
}

// injectFault applies any configured fault; true means the response is done.
func (s *Sim) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	status := 0
	var fn FaultFunc
	if s.faults.failNext > 0 {
		s.faults.failNext--
		status = s.faults.failStatus
	} else {
		fn = s.faults.fn
	}
	s.mu.Unlock()
	if fn != nil {
		var delay time.Duration
		status, delay = fn(r)
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-r.Context().Done():
				t.Stop()
				return true
			case <-t.C:
			}
		}
	}
	if status == 0 {
		return false
	}
	code := "INTERNAL_ERROR"
	if status < 500 {
		code = http.StatusText(status)
	}
	writeEnvelope(w, status, code, "Simulated fault", "")
	return true
}
