package portal

import (
	"net/http"
	"slices"
	"strings"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// auditPageSize is how many entries the audit log shows at once.
const auditPageSize = 50

// auditGroups are the audit filter's kinds of event and the actions each
// holds (a trailing dot is a prefix).
var auditGroups = []struct {
	filterChoice
	actions []string
}{
	{filterChoice{"access", "audit.group.access"}, []string{"login", "login.", "logout", "admin."}},
	{filterChoice{"zoho", "audit.group.zoho"}, []string{"zoho."}},
	{filterChoice{"links", "audit.group.links"}, []string{"link."}},
	{filterChoice{"settings", "audit.group.settings"}, []string{"centrex.", "company.", "zoho.language"}},
	{filterChoice{"delivery", "audit.group.delivery"}, []string{"outbox."}},
}

// handleAudit handles GET /audit: the company's audit log, every event as a
// sentence, newest first, filtered by text, date and kind of event.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	p := s.newPage(r, "audit.title")
	p.Nav = "audit"
	q := r.URL.Query()
	f, page := parseListFilter(p, q), site.PageParam(q.Get("page"))
	af := store.AuditFilter{Search: f.Text, From: f.from, Until: f.until, Offset: (page - 1) * auditPageSize, Limit: auditPageSize}
	var choices []filterChoice
	for _, g := range auditGroups {
		choices = append(choices, g.filterChoice)
		if g.value == f.State {
			af.Actions = g.actions
		}
	}
	entries, total, err := s.store.AuditPage(ctx, a.Company.ID, af)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vm := web.AuditView{Filter: f.view(p, choices), Total: total, Zone: zoneCaption(p, s.now()),
		Pager: site.Pager(page, auditPageSize, total, func(n int) string { return f.url("/audit", n) })}
	if total > 0 && len(entries) > 0 {
		vm.From, vm.To = af.Offset+1, af.Offset+len(entries)
	}
	for _, e := range entries {
		vm.Entries = append(vm.Entries, web.AuditRow{When: p.DateTime(e.CreatedAt), Actor: auditActor(p.Lang, e.Actor),
			What: auditSentence(p.Lang, e), Action: e.Action})
	}
	s.render(w, r, http.StatusOK, web.AuditPage(p, vm))
}

// auditActor names who did it: an administrator's e-mail, or the operator
// (the command line) or the gateway itself.
func auditActor(l i18n.Lang, actor string) string {
	switch actor {
	case "operator", "gateway":
		return l.T("audit.actor." + actor)
	}
	return actor
}

// auditSentence tells an audit entry as a sentence in l, from its action
// and detail. An action without a sentence of its own is shown with its
// detail, so nothing recorded is hidden.
func auditSentence(l i18n.Lang, e store.AuditEntry) string {
	d := func(k string) string { return e.Detail[k] }
	key := "audit.ev." + e.Action
	switch e.Action {
	case "login":
		return l.T(key, d("client"))
	case "login.failed":
		if r := d("reason"); i18n.Has(key + "." + r) {
			return l.T(key+"."+r, d("client"))
		}
		return l.T(key, d("client"))
	case "admin.password_reset":
		return l.T(key, d("email"))
	case "centrex.connection_set":
		return l.T(key, d("xsi_url"), d("user"), d("group"))
	case "zoho.consent_started":
		return l.T(key, d("zoho_account"))
	case "zoho.consent_mismatch":
		return l.T(key, d("consented"), d("expected"))
	case "zoho.refused", "zoho.disable_failed":
		return l.T(key, codeMessage(l, d("code")))
	case "zoho.enabled":
		dc := d("location")
		if i18n.Has("dc." + dc) {
			dc = l.T("dc." + dc)
		}
		return l.T(key, d("consented"), dc)
	case "zoho.disabled":
		if strings.HasPrefix(d("zoho_notified"), "no") {
			return l.T(key + ".local")
		}
		return l.T(key)
	case "zoho.language":
		if lang, ok := i18n.Parse(d("lang")); ok {
			return l.T(key, lang.Name())
		}
	case "link.activated", "link.deactivated":
		return l.T(key, d("seat"), d("number"), zohoUserLabel(d("zoho_name"), d("zoho_user")))
	case "link.refused":
		return l.T(key, d("seat"), zohoUserLabel(d("zoho_name"), d("zoho_user")), codeMessage(l, d("code")))
	case "link.seat_gone":
		return l.T(key, d("seat"), zohoUserLabel(d("zoho_name"), d("zoho_user")))
	case "outbox.retry":
		return l.T(key, d("id"))
	case "company.time_zone":
		return l.T(key, d("zone"))
	default:
		if i18n.Has(key) && len(e.Detail) == 0 {
			return l.T(key)
		}
	}
	return l.T("audit.ev.other", e.Action, detailList(e.Detail))
}

// codeMessage explains an integration error code recorded in the audit log.
func codeMessage(l i18n.Lang, code string) string {
	if code == "" {
		return ""
	}
	if key := "zoho.err." + code; i18n.Has(key) && !strings.Contains(l.T(key), "%") {
		return l.T(key)
	}
	return l.T("zoho.err.other", strings.TrimPrefix(code, "zoho:"))
}

// zohoUserLabel is "Name (e-mail)" or whichever is known.
func zohoUserLabel(name, email string) string {
	return store.ZohoUser{Name: name, Email: email}.Label()
}

// detailList is an entry's detail as ": k = v, …" (sorted), or "." when it
// has none.
func detailList(detail map[string]string) string {
	if len(detail) == 0 {
		return "."
	}
	var parts []string
	for k, v := range detail {
		parts = append(parts, k+" = "+v)
	}
	slices.Sort(parts)
	return ": " + strings.Join(parts, ", ") + "."
}
