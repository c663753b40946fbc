package portal

import (
	"net/http"
	"slices"
	"strings"

	"github.com/conecta-zoho/gateway/web"
)

// timeZones are the zones the time zone form offers: Spain's first, then
// the countries a Spanish company most often works with, and UTC.
var timeZones = []string{
	"Europe/Madrid", "Atlantic/Canary", "Africa/Ceuta",
	"Europe/Lisbon", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Rome",
	"America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
	"America/Argentina/Buenos_Aires", "America/New_York", "UTC",
}

// handleTimeZone handles GET /settings/time-zone: the company's time zone.
func (s *Server) handleTimeZone(w http.ResponseWriter, r *http.Request) {
	s.renderTimeZone(w, r, http.StatusOK, "")
}

// handleTimeZoneSave handles POST /settings/time-zone.
func (s *Server) handleTimeZoneSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	name := r.PostFormValue("zone")
	if !knownZone(name) {
		s.renderTimeZone(w, r, http.StatusUnprocessableEntity, s.lang(r).T("zone.invalid"))
		return
	}
	if err := s.store.SetCompanyTimeZone(ctx, a.Company.ID, name); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "company.time_zone", map[string]string{"zone": name}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(ctx, web.FlashSuccess, "zone.saved", zoneLabel(s.lang(r).T, name))
	http.Redirect(w, r, settingsReturn(r), http.StatusSeeOther)
}

func (s *Server) renderTimeZone(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	a, _ := adminFrom(r.Context())
	p := s.newPage(r, "zone.title")
	vm := web.TimeZoneView{Error: errMsg, Back: settingsReturn(r)}
	for _, name := range timeZones {
		vm.Zones = append(vm.Zones, web.Option{Value: name, Label: zoneLabel(p.T, name), Selected: name == a.Company.TimeZone})
	}
	s.render(w, r, status, web.TimeZonePage(p, vm))
}

// knownZone reports whether name is one of the zones the form offers.
func knownZone(name string) bool {
	return slices.Contains(timeZones, name)
}

// zoneLabel is "España peninsular y Baleares (Europe/Madrid)".
func zoneLabel(t func(string, ...any) string, name string) string {
	return t("tz."+name) + " (" + name + ")"
}

// settingsReturn is the portal page the settings form came from.
func settingsReturn(r *http.Request) string {
	v := localPath(r.FormValue("return"))
	for _, prefix := range []string{"/zoho", "/activity", "/audit"} {
		if v == prefix || strings.HasPrefix(v, prefix+"?") {
			return v
		}
	}
	return "/zoho"
}
