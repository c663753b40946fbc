package site

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// TestRenderSendsLength: a page goes out with its length, in one piece,
// and a buffer used for a big page serves the next, shorter one cleanly.
func TestRenderSendsLength(t *testing.T) {
	t.Parallel()
	for _, body := range []string{strings.Repeat("<p>fila</p>", 5000), "<p>corta</p>"} {
		rec := httptest.NewRecorder()
		page := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
			_, err := io.WriteString(w, body)
			return err
		})
		Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, page, func(http.ResponseWriter, *http.Request, error) {
			t.Fatal("fail called")
		})
		if got := rec.Body.String(); got != body {
			t.Fatalf("body of %d bytes, want %d", len(got), len(body))
		}
		if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("Content-Length %q for %d bytes", cl, len(body))
		}
	}
}

// TestRenderErrorWritesNothing: a component that fails half-way leaves
// the answer to fail, with nothing of the page written.
func TestRenderErrorWritesNothing(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	page := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "<p>half")
		return errors.New("broken")
	})
	var failed error
	Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, page, func(w http.ResponseWriter, _ *http.Request, err error) {
		failed = err
		http.Error(w, "error", http.StatusInternalServerError)
	})
	if failed == nil || rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "half") {
		t.Errorf("failed %v, status %d, body %q", failed, rec.Code, rec.Body.String())
	}
}
