package xsi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// charsetEncoding finds the decoder of a charset an XSP declares, in an XML
// declaration or a Content-Type header: IANA names first (ISO-8859-1 is
// Latin-1, windows-1252 is Windows-1252: they differ in 0x80–0x9F), then the
// WHATWG labels browsers accept (cp1252, utf8, …). Xsi call-control and
// event documents are UTF-8, but directory and profile responses use the
// user's locale, typically ISO-8859-1.
func charsetEncoding(charset string) (encoding.Encoding, error) {
	name := strings.TrimSpace(charset)
	if e, err := ianaindex.IANA.Encoding(name); err == nil && e != nil {
		return e, nil
	}
	if e, err := htmlindex.Get(name); err == nil {
		return e, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

// isUTF8 reports whether e decodes as UTF-8 already (UTF-8 and its subset
// US-ASCII): such input is read as is.
func isUTF8(e encoding.Encoding) bool {
	n, _ := ianaindex.IANA.Name(e)
	return e == unicode.UTF8 || n == "UTF-8" || n == "US-ASCII"
}

// charsetReader lets encoding/xml read the charset a document declares.
// Once a reader transcodes, a later declaration of the same stream (the
// event channel carries one declaration per document) does not transcode a
// second time: a stream has one charset.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	if t, ok := input.(*transcoded); ok {
		return t, nil
	}
	e, err := charsetEncoding(charset)
	if err != nil {
		return nil, err
	}
	if isUTF8(e) {
		return input, nil
	}
	return &transcoded{transform.NewReader(input, e.NewDecoder())}, nil
}

// transcoded marks a reader charsetReader already converts to UTF-8.
type transcoded struct{ io.Reader }

// toUTF8IfUndeclared transcodes a body that has no XML declaration of its
// encoding but whose Content-Type names a charset other than UTF-8; a body
// that declares its encoding is left to the decoder's CharsetReader, since
// the declaration describes the bytes that follow it.
func toUTF8IfUndeclared(contentType string, body []byte) ([]byte, error) {
	if decl, ok := xmlDeclaration(body); ok && bytes.Contains(decl, []byte("encoding")) {
		return body, nil
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["charset"] == "" {
		return body, nil
	}
	e, err := charsetEncoding(params["charset"])
	if err != nil {
		return nil, err
	}
	if isUTF8(e) {
		return body, nil
	}
	out, _, err := transform.Bytes(e.NewDecoder(), body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", params["charset"], err)
	}
	return out, nil
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
