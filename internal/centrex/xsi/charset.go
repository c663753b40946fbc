package xsi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"
)

// charsetReader lets encoding/xml read the charsets an XSP declares: Xsi
// call-control responses are UTF-8, but directory and profile responses use
// the user's locale, typically ISO-8859-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	if isLatin1(charset) {
		data, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(latin1ToUTF8(data)), nil
	}
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

// isLatin1 reports whether charset names ISO-8859-1. windows-1252 is read the
// same way: it differs only in 0x80–0x9F, which Latin-1 maps to controls.
func isLatin1(charset string) bool {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252":
		return true
	}
	return false
}

// latin1ToUTF8 converts ISO-8859-1 bytes, each being its own code point.
func latin1ToUTF8(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	for _, b := range data {
		out = utf8.AppendRune(out, rune(b))
	}
	return out
}

// toUTF8IfUndeclared transcodes a Latin-1 body that has no XML declaration
// but whose Content-Type says ISO-8859-1; a body with a declaration is left to
// the decoder's CharsetReader.
func toUTF8IfUndeclared(contentType string, body []byte) []byte {
	if decl, ok := xmlDeclaration(body); ok && bytes.Contains(decl, []byte("encoding")) {
		return body
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || !isLatin1(params["charset"]) {
		return body
	}
	return latin1ToUTF8(body)
}

// xmlDeclaration returns the body's leading <?xml ...?> declaration.
func xmlDeclaration(body []byte) ([]byte, bool) {
	body = bytes.TrimLeft(body, " \t\r\n\ufeff")
	if !bytes.HasPrefix(body, []byte("<?xml")) {
		return nil, false
	}
	end := bytes.Index(body, []byte("?>"))
	if end < 0 {
		return nil, false
	}
	return body[:end], true
}
