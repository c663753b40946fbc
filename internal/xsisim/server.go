package xsisim

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Simulator error codes carried in ErrorInfo.errorCode. Real BroadWorks codes
// are product-internal; these are the simulator's own.
const (
	codeBadRequest    = 4000
	codeInvalidState  = 4001
	codeUnauthorized  = 4010
	codeForbidden     = 4030
	codeUserNotFound  = 4040
	codeCallNotFound  = 4041
	codeNoSuchCommand = 4042
	codeSubNotFound   = 4043
	codeMethod        = 4050
	codeUnavailable   = 5030
)

// principal is the authenticated caller: a seat or a group administrator.
type principal struct {
	userID string
	seat   *seat
	admin  *admin
}

// ServeHTTP records the request, applies injected faults, then dispatches to
// Xsi-Actions, Xsi-Events or the /_sim/ control API.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &statusWriter{ResponseWriter: w}
	body := readBody(r)
	defer func() { s.record(r, body, rw.status) }()

	segs := splitPath(r.URL.EscapedPath())
	if len(segs) > 0 && strings.EqualFold(segs[0], "_sim") {
		s.serveControl(rw, r, segs[1:], body)
		return
	}
	if f, ok := s.takeFault(r); ok {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status != 0 {
			writeError(rw, f.Status, codeUnavailable, "Injected fault")
			return
		}
	}
	s.session(rw, r)
	if hasPrefixFold(segs, "com.broadsoft.async", "com.broadsoft.xsi-events", "v2.0") {
		s.serveChannelStream(rw, r, segs[3:], body)
		return
	}
	// Handlers run under s.mu; they write into a buffer that is copied to
	// the client after the lock is released, so a slow client cannot stall
	// the simulator.
	buf := &bufferedResponse{header: http.Header{}}
	switch {
	case hasPrefixFold(segs, "com.broadsoft.xsi-actions", "v2.0"):
		s.serveActions(buf, r, segs[2:])
		buf.flush(rw)
	case hasPrefixFold(segs, "com.broadsoft.xsi-events", "v2.0"):
		s.serveEvents(buf, r, segs[2:], body)
		buf.flush(rw)
	default:
		writeError(rw, http.StatusNotFound, codeNoSuchCommand, "Resource not found")
	}
}

// sessionCookie is the XSP's session cookie.
const sessionCookie = "JSESSIONID"

// session gives a client without a known session cookie a new one, as an
// XSP does: a client may send it back to spare the XSP re-authenticating,
// but must still send its Authorization on every request.
func (s *Sim) session(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		known := s.sessions[c.Value]
		s.mu.Unlock()
		if known {
			return
		}
	}
	id := strings.ReplaceAll(newID(), "-", "")
	s.mu.Lock()
	s.sessions[id] = true
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true})
}

// authenticate checks HTTP Basic credentials against seats and admins and
// writes a 401 challenge when they are missing or wrong.
func (s *Sim) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	user, pass, ok := r.BasicAuth()
	if ok {
		s.mu.Lock()
		key := strings.ToLower(user)
		u, a := s.seats[key], s.admins[key]
		s.mu.Unlock()
		switch {
		case u != nil && equal(u.password, pass):
			return principal{userID: u.UserID, seat: u}, true
		case a != nil && equal(a.password, pass):
			return principal{userID: a.userID, admin: a}, true
		}
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="BroadWorks"`)
	writeError(w, http.StatusUnauthorized, codeUnauthorized, "Authentication failed")
	return principal{}, false
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// targetSeat resolves /user/{id} for the principal: 404 for an unknown user,
// 403 when the seat is outside the principal's scope. Callers hold s.mu.
func (s *Sim) targetSeat(w http.ResponseWriter, p principal, userID string) (*seat, bool) {
	u := s.seats[strings.ToLower(userID)]
	if u == nil {
		if p.admin == nil {
			writeError(w, http.StatusForbidden, codeForbidden, "Access to the requested user is not permitted")
			return nil, false
		}
		writeError(w, http.StatusNotFound, codeUserNotFound, "User not found: "+userID)
		return nil, false
	}
	if (p.seat != nil && p.seat != u) || (p.admin != nil && p.admin.group != u.group) {
		writeError(w, http.StatusForbidden, codeForbidden, "Access to the requested user is not permitted")
		return nil, false
	}
	return u, true
}

// writeXML writes an Xsi document with the given status.
func writeXML(w http.ResponseWriter, status int, doc []byte) {
	ct := "application/xml;charset=UTF-8"
	if strings.Contains(string(doc[:min(len(doc), 64)]), "ISO-8859-1") {
		ct = "application/xml;charset=ISO-8859-1"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_, _ = w.Write(doc)
}

// writeError writes an ErrorInfo document.
func writeError(w http.ResponseWriter, status, code int, summary string) {
	doc := document(el("ErrorInfo",
		tx("summary", summary),
		tx("summaryEnglish", summary),
		tx("errorCode", itoa(code)),
	), styleDefault)
	writeXML(w, status, doc)
}

// splitPath splits an escaped URL path into unescaped segments, so an escaped
// "/" inside a segment stays in it. Empty segments are dropped.
func splitPath(escaped string) []string {
	var segs []string
	for _, p := range strings.Split(escaped, "/") {
		if p == "" {
			continue
		}
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		segs = append(segs, p)
	}
	return segs
}

// hasPrefixFold reports whether segs starts with prefix, ignoring case.
func hasPrefixFold(segs []string, prefix ...string) bool {
	if len(segs) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if !strings.EqualFold(segs[i], p) {
			return false
		}
	}
	return true
}

// match reports whether segs equals pattern, ignoring case; "*" matches any
// one segment.
func match(segs []string, pattern ...string) bool {
	if len(segs) != len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && !strings.EqualFold(segs[i], p) {
			return false
		}
	}
	return true
}

// ListenAndServe serves sim on addr until ctx is done, then shuts the server
// down gracefully and closes sim.
func ListenAndServe(ctx context.Context, addr string, sim *Sim, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	logger.Info("xsi simulator listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		sim.Close()
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	sim.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
