package operator

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/site"
)

// Request body limits of the console: its largest form is the Centrex
// connection's.
const (
	maxPublicFormBytes = 8 << 10
	maxFormBytes       = 16 << 10
)

// Handler returns every route of the console in one place, each under
// Prefix (the app routes /operator and /operator/* here). The static
// assets and the captcha pictures are the portal's (/static/, /captcha/).
//
//	GET  /operator                      → /operator/
//	GET  /operator/login                sign-in form (e-mail, password, captcha)
//	POST /operator/login                first step: the login gate
//	POST /operator/login/captcha        a new captcha picture, keeping the typed e-mail
//	GET  /operator/login/code           second step: the TOTP code, or the enrolment at the first sign-in
//	POST /operator/login/code           check the code (and enrol)
//	GET  /operator/login/qr.png         the enrolment's QR code            (first step passed)
//	POST /operator/lang                 switch language (kept in the session)
//	GET  /operator/                     the companies: search, sort, paging, "needs attention" (signed in)
//	GET  /operator/companies/{id}       a company: figures, recent errors, actions  (signed in)
//	POST /operator/companies/{id}/centrex         set or change the Centrex connection (signed in)
//	POST /operator/companies/{id}/seats/sync      synchronise seats now               (signed in)
//	POST /operator/companies/{id}/outbox/retry    retry the parked notifications       (signed in)
//	POST /operator/companies/{id}/admin           create the administrator             (signed in)
//	POST /operator/companies/{id}/admin/password  reset the administrator's password   (signed in)
//	GET  /operator/companies/{id}/switch-off      the switch-off confirmation          (signed in)
//	POST /operator/companies/{id}/switch-off      switch the company off               (signed in)
//	POST /operator/companies/{id}/switch-on       switch it on again                   (signed in)
//	GET  /operator/audit                the operator audit log                    (signed in)
//	POST /operator/logout               sign out                                  (signed in)
//
// Paths and query values must be text (400); forms are read before the
// handlers within a size limit (413), multipart bodies are refused (415),
// and cross-origin posts are refused (403), as in the portal.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(site.RecoverPanics(s.serverError), site.SecureHeaders(s.csp, s.hsts), site.CheckQuery(s.clientError))
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.clientError(w, r, http.StatusMethodNotAllowed, "error.notfound")
	})
	r.Get(Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})

	r.Group(func(r chi.Router) {
		r.Use(site.ReadForm(maxPublicFormBytes, s.clientError), site.WithSession(s.sessions, s.serverError), site.NoStore)
		r.Get(Prefix+"/login", s.handleLogin)
		r.Post(Prefix+"/login", s.handleLoginPost)
		r.Post(Prefix+"/login/captcha", s.handleCaptchaNew)
		r.Get(Prefix+"/login/code", s.handleCode)
		r.Post(Prefix+"/login/code", s.handleCodePost)
		r.Get(Prefix+"/login/qr.png", s.handleQR)
		r.Post(Prefix+"/lang", s.handleLang)
	})

	r.Group(func(r chi.Router) {
		r.Use(site.ReadForm(maxFormBytes, s.clientError), site.WithSession(s.sessions, s.serverError), site.NoStore, s.requireOperator)
		r.Get(Prefix+"/", s.handleCompanies)
		r.Get(Prefix+"/companies/{id}", s.handleCompany)
		r.Post(Prefix+"/companies/{id}/centrex", s.handleSetCentrex)
		r.Post(Prefix+"/companies/{id}/seats/sync", s.handleSyncSeats)
		r.Post(Prefix+"/companies/{id}/outbox/retry", s.handleRetryParked)
		r.Post(Prefix+"/companies/{id}/admin", s.handleCreateAdmin)
		r.Post(Prefix+"/companies/{id}/admin/password", s.handleResetAdmin)
		r.Get(Prefix+"/companies/{id}/switch-off", s.handleSwitchOffConfirm)
		r.Post(Prefix+"/companies/{id}/switch-off", s.handleSwitchOff)
		r.Post(Prefix+"/companies/{id}/switch-on", s.handleSwitchOn)
		r.Get(Prefix+"/audit", s.handleAudit)
		r.Post(Prefix+"/logout", s.handleLogout)
	})

	return site.CrossOrigin(r, s.clientError)
}
