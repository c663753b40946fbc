package portal

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz handles GET and HEAD /healthz: the process is alive.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReadyz handles GET and HEAD /readyz: the database answers and the
// schema is current.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	st, err := s.store.Migrations(ctx)
	if err != nil || st.Behind() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("schema not current\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
