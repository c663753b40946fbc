package portal

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// An OAuth state lives this long in the session, and is used once.
const oauthStateTTL = 10 * time.Minute

// Session keys of a consent in progress.
const (
	sessOAuthState   = "oauth_state"
	sessOAuthEmail   = "oauth_email"
	sessOAuthCompany = "oauth_company"
	sessOAuthExpires = "oauth_expires"
)

// handleZoho handles GET /zoho: the enable screen while the integration is
// disabled, the management page once it is on (guide sections 3 and 5).
func (s *Server) handleZoho(w http.ResponseWriter, r *http.Request) {
	s.forgetResult(r.Context())
	s.renderZoho(w, r, http.StatusOK, "", "", "")
}

// handleZohoEnableConfirm handles GET /zoho/enable: the activation
// confirmation as a page, for browsers without JavaScript.
func (s *Server) handleZohoEnableConfirm(w http.ResponseWriter, r *http.Request) {
	s.renderZoho(w, r, http.StatusOK, "enable", "", "")
}

// handleZohoDisableConfirm handles GET /zoho/disable: the deactivation
// warning as a page, for browsers without JavaScript.
func (s *Server) handleZohoDisableConfirm(w http.ResponseWriter, r *http.Request) {
	s.renderZoho(w, r, http.StatusOK, "disable", "", "")
}

// handleZohoEnable handles POST /zoho/enable ("Comenzar la activación"):
// remembers a single-use state and the Zoho account typed in the dialog, and
// sends the browser to Zoho's consent.
func (s *Server) handleZohoEnable(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	if !s.integ.Configured() {
		s.flash(ctx, web.FlashError, "zoho.not_configured")
		http.Redirect(w, r, "/zoho", http.StatusSeeOther)
		return
	}
	z, err := s.integ.Status(ctx, a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if z.Status != store.ZohoDisabled && z.Status != store.ZohoNeedsConsent {
		http.Redirect(w, r, "/zoho", http.StatusSeeOther)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("zoho_email"))
	if !validEmail(email) {
		// From the dialog, the page comes back with the dialog open and the
		// message inside it; from the page version, the page version again.
		confirm := "enable"
		if r.PostFormValue("in_dialog") == "1" {
			confirm = "enable-dialog"
		}
		s.renderZoho(w, r, http.StatusUnprocessableEntity, confirm, email, s.lang(r).T("zoho.email.invalid"))
		return
	}
	state := rand.Text()
	s.sessions.Put(ctx, sessOAuthState, state)
	s.sessions.Put(ctx, sessOAuthEmail, email)
	s.sessions.Put(ctx, sessOAuthCompany, a.Company.ID)
	s.sessions.Put(ctx, sessOAuthExpires, s.now().Add(oauthStateTTL).Unix())
	if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "zoho.consent_started", map[string]string{"zoho_account": email}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.integ.AuthCodeURL(state, email), http.StatusSeeOther)
}

// handleZohoCallback handles GET /zoho/callback, where Zoho sends the
// browser back after the consent. The state must be the one this login
// session started, unused and not expired. A wrong state (a stale tab, or a
// link on another site) leaves the consent in progress as it was; the
// right one is used up by this request, whatever comes of it.
func (s *Server) handleZohoCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	q := r.URL.Query()
	want, got := s.sessions.GetString(ctx, sessOAuthState), q.Get("state")
	valid := want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
	email := s.sessions.GetString(ctx, sessOAuthEmail)
	company := s.sessions.GetInt64(ctx, sessOAuthCompany)
	expires := s.sessions.GetInt64(ctx, sessOAuthExpires)
	if valid {
		for _, k := range []string{sessOAuthState, sessOAuthEmail, sessOAuthCompany, sessOAuthExpires} {
			s.sessions.Remove(ctx, k)
		}
	}
	if !valid || company != a.Company.ID || s.now().Unix() > expires {
		if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "zoho.callback_rejected", map[string]string{"reason": "state"}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.flash(ctx, web.FlashError, "zoho.err.state")
		http.Redirect(w, r, "/zoho", http.StatusSeeOther)
		return
	}
	err := s.integ.CompleteConsent(ctx, a.Company.ID, a.Admin.Email, email, integration.Callback{
		Code:           q.Get("code"),
		Location:       q.Get("location"),
		AccountsServer: q.Get("accounts-server"),
		Error:          q.Get("error"),
	})
	if !s.flashIntegrationError(w, r, err, "/zoho") {
		s.flash(ctx, web.FlashSuccess, "zoho.ok.enabled")
		http.Redirect(w, r, "/zoho", http.StatusSeeOther)
	}
}

// handleZohoDisable handles POST /zoho/disable ("Confirmar Desactivación").
func (s *Server) handleZohoDisable(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	res, err := s.integ.Disable(ctx, a.Company.ID, a.Admin.Email)
	if s.flashIntegrationError(w, r, err, "/zoho") {
		return
	}
	if res.ZohoNotified {
		s.flash(ctx, web.FlashSuccess, "zoho.ok.disabled")
	} else {
		s.flash(ctx, web.FlashInfo, "zoho.ok.disabled.local")
	}
	http.Redirect(w, r, "/zoho", http.StatusSeeOther)
}

// handleZohoLanguage handles POST /zoho/language: the language of the
// messages the company's Zoho users see from the gateway.
func (s *Server) handleZohoLanguage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		s.clientError(w, r, http.StatusBadRequest, "error.notfound")
		return
	}
	if err := s.store.SetCompanyLanguage(ctx, a.Company.ID, string(l)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "zoho.language", map[string]string{"lang": string(l)}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(ctx, web.FlashSuccess, "zoho.language.saved", l.Name())
	http.Redirect(w, r, "/zoho", http.StatusSeeOther)
}

// renderZoho shows the Zoho screen for the company's integration status.
// On GET /zoho everything but the table's rows was read with the session
// (loadSeatsPage), and the rows come from the table's copy in memory when
// it is current: one statement in all.
func (s *Server) renderZoho(w http.ResponseWriter, r *http.Request, status int, confirm, email, emailErr string) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	pre, preloaded := seatsPageFrom(ctx)
	preloaded = preloaded && pre.Company.ID == a.Company.ID
	z := pre.Integration
	if !preloaded {
		var err error
		if z, err = s.integ.Status(ctx, a.Company.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p := s.newPage(r, "nav.zoho")
	p.Nav = "zoho"
	if email == "" {
		email = z.ConsentEmail
	}
	vm := web.ZohoView{
		Company:    a.Company.Name,
		Configured: s.integ.Configured(),
		Status:     z.Status,
		Email:      email,
		EmailError: emailErr,
		Confirm:    confirm,
		Panel:      s.zohoPanel(p, z),
	}
	if confirm == "enable-dialog" {
		vm.Confirm, vm.OpenDialog = "", "enable"
	}
	if z.Status != store.ZohoDisabled && vm.Confirm == "" {
		var err error
		figures := tableFigures{version: -1}
		if preloaded {
			figures = tableFigures{version: pre.TableVersion, overview: &pre.Overview}
		}
		if vm.Seats, err = s.seatsView(ctx, p, a.Company.ID, r.URL.Query(), figures); err != nil {
			s.serverError(w, r, err)
			return
		}
		if preloaded {
			vm.Delivery, vm.ZohoLanguage = deliveryFigures(p, pre.Delivery), pre.Language
		} else {
			if vm.Delivery, err = s.deliveryView(ctx, p, a.Company.ID); err != nil {
				s.serverError(w, r, err)
				return
			}
			if vm.ZohoLanguage, err = s.store.CompanyLanguage(ctx, a.Company.ID); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
	}
	s.render(w, r, status, web.ZohoPage(p, vm))
}

// zohoPanel describes the connection for the management page.
func (s *Server) zohoPanel(p web.Page, z store.ZohoIntegration) web.ZohoPanel {
	panel := web.ZohoPanel{
		DataCentre:   z.Location,
		APIDomain:    z.APIDomain,
		ConsentEmail: z.ConsentEmail,
		EnabledAt:    p.DateTime(z.EnabledAt),
		Zone:         zoneLabel(p.T, p.Zone.String()),
	}
	if key := "dc." + z.Location; i18n.Has(key) {
		panel.DataCentre = p.T(key)
	}
	switch z.Status {
	case store.ZohoEnabled:
		panel.Status = p.T("zoho.status.enabled")
	case store.ZohoNeedsConsent:
		panel.Status = p.T("zoho.status.needs")
	case store.ZohoDisabling:
		panel.Status = p.T("zoho.status.disabling")
	}
	switch {
	case z.Status == store.ZohoNeedsConsent:
		panel.Token = p.T("zoho.panel.token.dead")
	case z.AccessExpiresAt.After(s.now()):
		panel.Token = p.T("zoho.panel.token.valid", p.DateTime(z.AccessExpiresAt))
	default:
		panel.Token = p.T("zoho.panel.token.renew")
	}
	if z.LastError != "" {
		key := "zoho.err." + z.LastError
		if i18n.Has(key) {
			panel.LastError = p.T(key)
		} else {
			panel.LastError = p.T("zoho.err.other", strings.TrimPrefix(z.LastError, "zoho:"))
		}
	}
	return panel
}

func validEmail(e string) bool {
	at := strings.LastIndex(e, "@")
	return at > 0 && at < len(e)-1 && len(e) <= 254 && !strings.ContainsAny(e, " \t\r\n<>\"")
}
