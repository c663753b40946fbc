package xsisim

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request is one request the simulator received.
type Request struct {
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query"`
	// User is the Basic-auth user name (never the password); Session the
	// JSESSIONID cookie the request carried ("" for none).
	User    string `json:"user"`
	Session string `json:"session,omitempty"`
	Body    string `json:"body"`
	Status  int    `json:"status"`
}

// Fault is an injected failure for reliability tests. It applies to the
// next Count requests (default 1) whose method and path match (empty Method
// or Path match everything; Path is a case-insensitive substring). Delay
// stalls the request first; a non-zero Status then answers with that status
// and an ErrorInfo instead of serving the request. The /_sim/ API is exempt.
type Fault struct {
	Method string        `json:"method"`
	Path   string        `json:"path"`
	Status int           `json:"status"`
	Delay  time.Duration `json:"-"`
	Count  int           `json:"count"`
}

// FailNext queues a fault; faults are matched in the order queued.
func (s *Sim) FailNext(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// takeFault consumes one use of the first fault matching r.
func (s *Sim) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		if f.Path != "" && !strings.Contains(strings.ToLower(r.URL.Path), strings.ToLower(f.Path)) {
			continue
		}
		s.faults[i].Count--
		if s.faults[i].Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// Requests returns the recorded requests, oldest first (bounded by
// Options.MaxRecordedRequests; /_sim/ requests are not recorded).
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Sim) record(r *http.Request, body []byte, status int) {
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/_sim/") {
		return
	}
	user, _, _ := r.BasicAuth()
	req := Request{
		Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		User: user, Body: string(body), Status: status,
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		req.Session = c.Value
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if max := s.opts.MaxRecordedRequests; len(s.requests) >= max {
		drop := max/10 + 1 // drop in batches to keep recording O(1) amortised
		s.requests = append(s.requests[:0], s.requests[min(drop, len(s.requests)):]...)
	}
	s.requests = append(s.requests, req)
}

// readBody reads up to 1 MiB of the request body and leaves a copy in place.
func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (the event
// channel's stream flushes every document).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

// bufferedResponse collects a response to write later.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// flush copies the collected response to w.
func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(cmpOrInt(b.status, http.StatusOK))
	_, _ = w.Write(b.body.Bytes())
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
