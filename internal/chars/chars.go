// Package chars handles text by characters rather than bytes: Truncate
// shortens text without splitting a character, and Valid tells text from
// bytes that are not text at all. Every place that bounds what it stores,
// shows or logs uses Truncate, so that a cut never leaves half a character
// behind (PostgreSQL refuses such a string in a text column).
package chars

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Truncate returns at most n characters of s. A cut never splits a
// character, and bytes of s that are not UTF-8 come out as U+FFFD, so the
// result is always valid UTF-8. n ≤ 0 gives "".
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	count := 0
	for i := range s {
		if count == n {
			return strings.ToValidUTF8(s[:i], "\uFFFD")
		}
		count++
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Valid reports whether s is text: valid UTF-8 without NUL. A form or query
// value that is not is the client's error, and PostgreSQL would refuse it.
func Valid(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// ValidForm reports whether every key and value of a form or query is text
// (Valid).
func ValidForm(v url.Values) bool {
	for k, vs := range v {
		if !Valid(k) {
			return false
		}
		for _, x := range vs {
			if !Valid(x) {
				return false
			}
		}
	}
	return true
}
