package site

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
)

// Fail writes the error page of a failure the client cannot mend (a 500),
// having logged err.
type Fail func(w http.ResponseWriter, r *http.Request, err error)

// Refuse writes the error page of a request refused with status, its
// message being the catalogue key key (internal/i18n).
type Refuse func(w http.ResponseWriter, r *http.Request, status int, key string)

// SecureHeaders sets the security headers of every response: csp
// (ContentSecurityPolicy), no sniffing, no framing, and HSTS when hsts.
func SecureHeaders(csp string, hsts bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ContentSecurityPolicy allows nothing inline and nothing from elsewhere,
// except that a form may lead to the given origins (the OAuth consent).
func ContentSecurityPolicy(formActions []string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"media-src 'self'",
		"connect-src 'self'",
		"form-action " + strings.Join(append([]string{"'self'"}, formActions...), " "),
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// NoStore keeps pages that depend on the session out of caches.
func NoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// RecoverPanics answers a panicking handler with fail's error page (an
// aborted handler still aborts).
func RecoverPanics(fail Fail) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					fail(w, r, fmt.Errorf("panic: %v", v))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// CheckQuery refuses, with 400, a request whose path or query values hold
// anything but text (invalid UTF-8 or NUL): bad bytes are the client's
// error, never a database error. (Malformed pairs are ignored, as
// r.URL.Query does.)
func CheckQuery(refuse Refuse) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !chars.Valid(r.URL.Path) || !chars.ValidForm(r.URL.Query()) {
				refuse(w, r, http.StatusBadRequest, "error.badrequest")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ReadForm reads a posted form before next runs: multipart bodies are
// refused (415), a body over limit bytes is refused (413) without being
// read further, and a form that is malformed or holds a value that is not
// text (invalid UTF-8 or NUL) is refused (400).
func ReadForm(limit int64, refuse Refuse) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				next.ServeHTTP(w, r)
				return
			}
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
				refuse(w, r, http.StatusUnsupportedMediaType, "error.unsupported")
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := r.ParseForm(); err != nil {
				if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
					refuse(w, r, http.StatusRequestEntityTooLarge, "error.toolarge")
				} else {
					refuse(w, r, http.StatusBadRequest, "error.badrequest")
				}
				return
			}
			if !chars.ValidForm(r.PostForm) {
				refuse(w, r, http.StatusBadRequest, "error.badrequest")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CrossOrigin is net/http's protection against cross-site requests around
// h: a cross-origin form post is refused with 403.
func CrossOrigin(h http.Handler, refuse Refuse) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse(w, r, http.StatusForbidden, "error.forbidden")
	}))
	return csrf.Handler(h)
}
