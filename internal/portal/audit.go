package portal

import (
	"net/http"
	"slices"
	"strings"

	"github.com/conecta-zoho/gateway/web"
)

// handleAudit handles GET /audit: the company's audit log.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	log, err := s.store.AuditLog(r.Context(), a.Company.ID, 300)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var vm web.AuditView
	for _, e := range log {
		var parts []string
		for k, v := range e.Detail {
			parts = append(parts, k+"="+v)
		}
		slices.Sort(parts)
		vm.Entries = append(vm.Entries, web.AuditRow{When: formatTime(e.CreatedAt), Actor: e.Actor, Action: e.Action, Detail: strings.Join(parts, ", ")})
	}
	p := s.newPage(r, "audit.title")
	s.render(w, r, http.StatusOK, web.AuditPage(p, vm))
}
