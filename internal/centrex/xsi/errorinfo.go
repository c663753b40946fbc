package xsi

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// errorInfo is the Xsi error document returned with non-2xx statuses.
type errorInfo struct {
	XMLName        xml.Name `xml:"ErrorInfo"`
	Summary        string   `xml:"summary"`
	SummaryEnglish string   `xml:"summaryEnglish"`
	ErrorCode      int      `xml:"errorCode"`
}

// statusError maps a non-2xx response to a *centrex.Error carrying the
// ErrorInfo summary and code when the body holds one.
//
// Xsi does not tabulate its error statuses; the mapping is: 401 → ErrUnauthorized,
// 403 → ErrForbidden, 404 and 410 → ErrNotFound, 408, 429 and 5xx →
// ErrUnavailable, anything else (400, 409, ...) → ErrRejected.
func statusError(op string, status int, header http.Header, body []byte) error {
	e := &centrex.Error{Op: op, Status: status}
	switch {
	case status == http.StatusUnauthorized:
		e.Kind = centrex.ErrUnauthorized
	case status == http.StatusForbidden:
		e.Kind = centrex.ErrForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		e.Kind = centrex.ErrNotFound
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		e.Kind = centrex.ErrUnavailable
	default:
		e.Kind = centrex.ErrRejected
	}
	if info, ok := parseErrorInfo(header, body); ok {
		e.Summary = info.SummaryEnglish
		if e.Summary == "" {
			e.Summary = info.Summary
		}
		e.Code = info.ErrorCode
	}
	return e
}

// parseErrorInfo decodes an ErrorInfo body in the Xsi namespace (or without
// one); it reports false for anything else, such as an HTML error page.
func parseErrorInfo(header http.Header, body []byte) (errorInfo, bool) {
	if !bytes.Contains(body, []byte("ErrorInfo")) {
		return errorInfo{}, false
	}
	body, err := toUTF8IfUndeclared(header.Get("Content-Type"), body)
	if err != nil {
		return errorInfo{}, false
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charsetReader
	var info errorInfo
	if err := dec.Decode(&info); err != nil {
		return errorInfo{}, false
	}
	if ns := info.XMLName.Space; ns != "" && ns != NamespaceXSI {
		return errorInfo{}, false
	}
	info.Summary = strings.TrimSpace(info.Summary)
	info.SummaryEnglish = strings.TrimSpace(info.SummaryEnglish)
	return info, true
}
