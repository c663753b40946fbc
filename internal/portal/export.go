package portal

import (
	"encoding/csv"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// utf8BOM starts the CSV so that Excel reads it as UTF-8 (without it a
// Spanish Excel shows "MartÃ­n").
const utf8BOM = "\uFEFF"

// handleLinksCSV handles GET /zoho/links.csv: the company's seat ↔ Zoho
// user mapping, for a spreadsheet. It is UTF-8 with a byte order mark and
// separated by ";", what Excel in a Spanish (comma-decimal) locale opens
// into columns; ?sep=, gives the comma form. The header is in the
// administrator's language.
func (s *Server) handleLinksCSV(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	lang := s.lang(r)
	links, err := s.store.Links(r.Context(), a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="conecta-zoho-links.csv"`)
	_, _ = w.Write([]byte(utf8BOM))
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if r.URL.Query().Get("sep") == "," {
		cw.Comma = ','
	}
	_ = cw.Write([]string{lang.T("seats.col.user"), lang.T("seats.col.number"), lang.T("csv.zoho_user_id"),
		lang.T("seats.col.login"), lang.T("seats.col.name"), lang.T("seats.col.enabled"), lang.T("csv.in_centrex")})
	for _, l := range links {
		inCentrex := lang.T("csv.yes")
		if l.SeatGone {
			inCentrex = lang.T("csv.no")
		}
		_ = cw.Write([]string{cell(l.SeatUserID), cell(l.SeatNumber), cell(l.ZohoUserID), cell(l.ZohoEmail), cell(l.ZohoName),
			onOff(l.Enabled), inCentrex})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.logger.WarnContext(r.Context(), "links csv", "error", err)
	}
}

// formulaStarts are the characters that make a spreadsheet read a cell as
// a formula (or a DDE command), in their ASCII and fullwidth forms: Excel
// folds "＝SUMA(…)" to "=SUMA(…)".
const formulaStarts = "=+-@\t\r\n" + "＝＋－＠"

// cell keeps a spreadsheet from reading a value as a formula: a value
// whose first character (after any spaces) starts one is prefixed with an
// apostrophe, which the spreadsheet shows as text.
func cell(v string) string {
	first, _ := utf8.DecodeRuneInString(v)
	visible, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(v, unicode.IsSpace))
	if strings.ContainsRune(formulaStarts, first) || strings.ContainsRune(formulaStarts, visible) {
		return "'" + v
	}
	return v
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}
