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
	late       func(r *http.Request) time.Duration
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

// SetLateAnswer makes PhoneBridge requests slow the way a busy Zoho is: each
// request is carried out at once (a callnotify is recorded), but its answer
// is held back for the delay fn returns, even when the client gave up
// meanwhile. nil removes it.
func (s *Sim) SetLateAnswer(fn func(r *http.Request) time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.late = fn
}

// lateness returns how long the answer to r is held back.
func (s *Sim) lateness(r *http.Request) time.Duration {
	s.mu.Lock()
	fn := s.faults.late
	s.mu.Unlock()
	if fn == nil {
		return 0
	}
	return fn(r)
}

// heldResponse collects an answer to write after a delay.
type heldResponse struct {
	header http.Header
	status int
	body   []byte
}

func (h *heldResponse) Header() http.Header { return h.header }
func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	h.body = append(h.body, b...)
	return len(b), nil
}

// release writes the held answer to w after delay; a client that is gone
// by then simply never reads it.
func (h *heldResponse) release(w http.ResponseWriter, delay time.Duration) {
	time.Sleep(delay)
	for k, v := range h.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(h.status, http.StatusOK))
	_, _ = w.Write(h.body)
}
