package portal

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
)

// handleLinksCSV handles GET /zoho/links.csv: the company's seat ↔ Zoho
// user mapping.
func (s *Server) handleLinksCSV(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	links, err := s.store.Links(r.Context(), a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="conecta-zoho-links.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"usuario_conecta", "puesto_telefono", "zoho_user_id", "login_zoho", "nombre_zoho", "activado_zoho", "puesto_en_centralita"})
	for _, l := range links {
		_ = cw.Write([]string{cell(l.SeatUserID), cell(l.SeatNumber), cell(l.ZohoUserID), cell(l.ZohoEmail), cell(l.ZohoName),
			onOff(l.Enabled), strconv.FormatBool(!l.SeatGone)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.logger.WarnContext(r.Context(), "links csv", "error", err)
	}
}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
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
