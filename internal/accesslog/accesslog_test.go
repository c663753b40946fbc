package accesslog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// lines decodes the JSON log lines written to buf.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

type observed struct {
	surface, method, route string
	status                 int
}

// router is a chi router behind the middleware, with a service that logs
// through a WithRequestID logger.
func router(buf *bytes.Buffer, seen *[]observed) http.Handler {
	logger := slog.New(WithRequestID(slog.NewJSONHandler(buf, nil)))
	var mu sync.Mutex
	r := chi.NewRouter()
	r.Use(Middleware(Options{
		Logger: logger,
		Surface: func(r *http.Request) string {
			return map[bool]string{true: "bridge", false: "portal"}[strings.HasPrefix(r.URL.Path, "/bridge/")]
		},
		Secret: []string{"/bridge/centrex/events/"},
		Quiet:  []string{"/healthz"},
		Observe: func(surface, method, route string, status int, d time.Duration) {
			mu.Lock()
			*seen = append(*seen, observed{surface, method, route, status})
			mu.Unlock()
		},
	}))
	r.Post("/bridge/centrex/events/{token}", func(w http.ResponseWriter, r *http.Request) {
		logger.WarnContext(r.Context(), "service says", "company_id", 7)
		http.Error(w, "not found", http.StatusNotFound)
	})
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	sub := chi.NewRouter()
	sub.Get("/zoho/seats/{seat}/activate", func(w http.ResponseWriter, r *http.Request) {})
	r.Mount("/", sub)
	return r
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var seen []observed
	h := router(&buf, &seen)
	do := func(method, target string, header http.Header) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const token = "S3CRETtokenABCDEFGHIJ"
	do("POST", "/bridge/centrex/events/"+token+"?x="+token, http.Header{"X-Request-Id": {"req-42"}})
	do("GET", "/healthz", nil)
	do("GET", "/healthz", nil)
	do("GET", "/healthz?fail=1", nil)
	do("GET", "/zoho/seats/77/activate?code=oauthcode", http.Header{"X-Request-Id": {"bad id with spaces"}})

	out := buf.String()
	if strings.Contains(out, token) || strings.Contains(out, "oauthcode") {
		t.Fatalf("a secret reached the log:\n%s", out)
	}
	ls := lines(t, &buf)
	var access []map[string]any
	var service map[string]any
	for _, l := range ls {
		switch l["msg"] {
		case "http request":
			access = append(access, l)
		case "service says":
			service = l
		}
	}
	if len(access) != 3 {
		t.Fatalf("%d access lines, want 3 (the healthy probes unlogged):\n%s", len(access), out)
	}
	ev := access[0]
	if ev["path"] != "/bridge/centrex/events/[redacted]" || ev["status"] != float64(404) || ev["surface"] != "bridge" ||
		ev["route"] != "/bridge/centrex/events/{token}" || ev["request_id"] != "req-42" || ev["client"] != "192.0.2.1" {
		t.Errorf("events line = %v", ev)
	}
	if service == nil || service["request_id"] != "req-42" {
		t.Errorf("the service's line does not carry the request id: %v", service)
	}
	if p := access[1]; p["path"] != "/healthz" || p["status"] != float64(503) {
		t.Errorf("failing probe line = %v", p)
	}
	seat := access[2]
	if seat["route"] != "/zoho/seats/{seat}/activate" || seat["request_id"] == "bad id with spaces" || seat["request_id"] == "" {
		t.Errorf("portal line = %v", seat)
	}
	want := []observed{{"bridge", "POST", "/bridge/centrex/events/{token}", 404}, {"portal", "GET", "/healthz", 200},
		{"portal", "GET", "/healthz", 200}, {"portal", "GET", "/healthz", 503}, {"portal", "GET", "/zoho/seats/{seat}/activate", 200}}
	if len(seen) != len(want) {
		t.Fatalf("observed %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("observation %d = %+v, want %+v", i, seen[i], want[i])
		}
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.9:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.7, 198.51.100.4")
	if got := ClientIP(r, false); got != "10.0.0.9" {
		t.Errorf("untrusted: %s", got)
	}
	if got := ClientIP(r, true); got != "198.51.100.4" {
		t.Errorf("trusted proxy: %s", got)
	}
	// The client's own line before the proxy's: only the proxy's last
	// entry counts.
	r.Header["X-Forwarded-For"] = []string{"192.0.2.1", "10.1.1.1, 203.0.113.7"}
	if got := ClientIP(r, true); got != "203.0.113.7" {
		t.Errorf("two header lines: %s", got)
	}
	r.Header.Set("X-Forwarded-For", "not-an-ip")
	if got := ClientIP(r, true); got != "10.0.0.9" {
		t.Errorf("bad header: %s", got)
	}
}

func TestWithRequestIDLeavesOtherLinesAlone(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(WithRequestID(slog.NewJSONHandler(&buf, nil))).With("component", "outbox")
	logger.InfoContext(context.Background(), "no request")
	ctx := context.WithValue(context.Background(), middleware.RequestIDKey, "r-1")
	logger.InfoContext(ctx, "in a request")
	ls := lines(t, &buf)
	if _, ok := ls[0]["request_id"]; ok {
		t.Errorf("a line without a request got a request id: %v", ls[0])
	}
	if ls[1]["component"] != "outbox" || ls[1]["request_id"] != "r-1" {
		t.Errorf("line in a request = %v", ls[1])
	}
}
