package zohosim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is the record of one request the simulator received. Secret values
// (tokens, codes, secrets, passwords) are replaced by "[redacted]"; the
// Authorization header is reduced to its scheme.
type Request struct {
	// Method and Path as received (Path includes any DC prefix).
	Method, Path string
	// Query is the URL query; Form the urlencoded body (POST/PUT/DELETE).
	Query, Form url.Values
	// AuthScheme is the Authorization scheme, e.g. "Zoho-oauthtoken",
	// "Bearer", "Basic", or "" when absent.
	AuthScheme string
	// ContentType is the request's Content-Type header.
	ContentType string
	// Time is the simulator time of receipt.
	Time time.Time
}

var secretKeys = map[string]bool{
	"client_secret": true, "code": true, "refresh_token": true, "access_token": true,
	"token": true, "password": true,
}

func redacted(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if secretKeys[k] {
			out[k] = []string{"[redacted]"}
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// record stores r (parsing its form so handlers can read it afterwards).
func (s *Sim) record(r *http.Request) {
	_ = r.ParseForm()
	if r.Method == http.MethodDelete && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// net/http ignores DELETE bodies; accept them like query params.
		if b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20)); err == nil {
			if body, err := url.ParseQuery(string(b)); err == nil {
				r.PostForm = body
				for k, vs := range body {
					r.Form[k] = append(r.Form[k], vs...)
				}
			}
		}
	}
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	rec := Request{
		Method: r.Method, Path: r.URL.Path, Query: redacted(r.URL.Query()),
		Form: redacted(r.PostForm), AuthScheme: scheme, ContentType: r.Header.Get("Content-Type"),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Time = s.nowLocked()
	s.records = append(s.records, rec)
}

// Requests returns every recorded request, oldest first.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.records...)
}

// RequestsTo returns the recorded requests whose path ends with suffix,
// e.g. "/phonebridge/v3/callnotify" or "/oauth/v2/token".
func (s *Sim) RequestsTo(suffix string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = nil
}
