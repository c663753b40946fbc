package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/web"
)

// Render writes c with status, through a buffer so that a render error
// still ends in fail's clean 500.
func Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component, fail Fail) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		fail(w, r, err)
		return
	}
	writeHTML(w, status, buf)
}

// ErrorPage writes the error page with status, its message the
// translation of key; when even that fails to render, a plain-text error.
func ErrorPage(w http.ResponseWriter, r *http.Request, status int, p web.Page, key string) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := web.ErrorPage(p, web.ErrorView{Message: p.T(key)}).Render(r.Context(), buf); err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeHTML(w, status, buf)
}

// writeHTML answers a rendered page with its length: net/http sends it in
// one piece instead of chunks ending in a write of their own.
func writeHTML(w http.ResponseWriter, status int, buf *bytes.Buffer) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderBuffers keeps the buffers pages were rendered into, so that a page
// of tens of kilobytes is not grown again from nothing on every request.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept: a rare huge page (an export
// of the whole table) does not stay in memory.
const maxPooledBuffer = 256 << 10

func getBuffer() *bytes.Buffer { return renderBuffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// Session keys of the flash message.
const (
	flashKindKey = "flash_kind"
	flashKeyKey  = "flash_key"
	flashArgKey  = "flash_arg"
)

// PutFlash stores a one-time message for the next page; args fill in the
// translated text (integers stay integers, so counts get their plural).
func PutFlash(ctx context.Context, sm *scs.SessionManager, kind web.FlashKind, key string, args ...any) {
	sm.Put(ctx, flashKindKey, string(kind))
	sm.Put(ctx, flashKeyKey, key)
	sm.Remove(ctx, flashArgKey)
	if len(args) > 0 {
		if b, err := json.Marshal(args); err == nil {
			sm.Put(ctx, flashArgKey, string(b))
		}
	}
}

// PopFlash takes the pending flash message out of the session, translated
// into lang (none: the zero Flash).
func PopFlash(ctx context.Context, sm *scs.SessionManager, lang i18n.Lang) web.Flash {
	key := sm.PopString(ctx, flashKeyKey)
	if key == "" {
		return web.Flash{}
	}
	kind := web.FlashKind(sm.PopString(ctx, flashKindKey))
	args := decodeFlashArgs(sm.PopString(ctx, flashArgKey))
	return web.Flash{Kind: kind, Message: lang.T(key, args...)}
}

// decodeFlashArgs reads flash arguments back: whole numbers as int, the
// rest as strings.
func decodeFlashArgs(raw string) []any {
	if raw == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil
	}
	for i, v := range vals {
		switch v := v.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				vals[i] = int(n)
			} else {
				vals[i] = v.String()
			}
		case string:
		default:
			vals[i] = fmt.Sprint(v)
		}
	}
	return vals
}

// LocalPath returns p if it is a path on this site, else fallback: a
// "return to" value must not become an open redirect. Browsers drop TAB,
// CR and LF from URLs ("/\t/evil.example" is "//evil.example" to them), so
// no control character is allowed, nor a backslash.
func LocalPath(p, fallback string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.ContainsRune(p, '\\') || strings.ContainsFunc(p, unicode.IsControl) {
		return fallback
	}
	return p
}

// StaticFiles serves the embedded assets; their URLs carry a content hash,
// so they may be cached for a year.
func StaticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}
