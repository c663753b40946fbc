package portal

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/web"
)

// Handler returns every route of the portal in one place. The access log
// and the request ids are the app's (internal/accesslog), around this
// handler and the bridge's alike.
//
//	GET  /healthz              alive (HEAD too)
//	GET  /readyz               database reachable and schema current (HEAD too)
//	GET  /static/*             CSS, JavaScript, images
//	GET  /captcha/{token}.png  the login form's captcha picture
//	GET  /captcha/{token}.wav  the login form's captcha, spoken
//	GET  /                     welcome page
//	GET  /login                login form
//	POST /login                sign in (e-mail, password, captcha)
//	POST /login/captcha        a new captcha picture, keeping the typed e-mail
//	POST /lang                 switch language (kept in the session)
//	GET  /home                 main screen                 (signed in)
//	POST /logout               sign out                    (signed in)
//	GET  /zoho                 Zoho integration: enable screen or management page (signed in)
//	GET  /zoho/enable          activation confirmation without JavaScript   (signed in)
//	POST /zoho/enable          start Zoho's OAuth consent                   (signed in)
//	GET  /zoho/callback        Zoho's redirect after the consent            (signed in)
//	GET  /zoho/disable         deactivation warning without JavaScript      (signed in)
//	POST /zoho/disable         disable the integration for everyone         (signed in)
//	POST /zoho/language        language of the messages Zoho users see         (signed in)
//	GET  /zoho/seats/{seat}/activate    activation dialog (list of Zoho users)  (signed in)
//	POST /zoho/seats/{seat}/activate    link the seat to a Zoho user            (signed in)
//	GET  /zoho/seats/{seat}/deactivate  deactivation dialog                      (signed in)
//	POST /zoho/seats/{seat}/deactivate  unlink the seat                          (signed in)
//	POST /zoho/seats/bulk      activate or deactivate the selected seats       (signed in)
//	GET  /zoho/result          the last bulk operation's outcome, row by row   (signed in)
//	GET  /zoho/suggestions     suggested seat ↔ Zoho user matches             (signed in)
//	POST /zoho/seats/suggested link every suggested match                      (signed in)
//	POST /zoho/seats/sync      read the Centrex's directory now                (signed in)
//	POST /zoho/links/restore   switch back on the links kept by a disable      (signed in)
//	POST /zoho/users/refresh   list the Zoho users again                       (signed in)
//	GET  /zoho/links.csv       the seat ↔ Zoho user mapping as CSV             (signed in)
//	GET  /audit                the company's audit log                         (signed in)
//	GET  /activity             recent calls and their notifications to Zoho    (signed in)
//	POST /activity/outbox/{id}/retry  send a stopped notification again        (signed in)
//	GET  /settings/time-zone   the company's time zone                         (signed in)
//	POST /settings/time-zone   choose it                                        (signed in)
//
// Every path and query value must be text (400); forms are read before the
// handlers, within maxPublicFormBytes before login and maxFormBytes after
// (413), and multipart bodies are refused (415).
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(site.RecoverPanics(s.serverError), site.SecureHeaders(s.csp, s.hsts), site.CheckQuery(s.clientError))
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.clientError(w, r, http.StatusMethodNotAllowed, "error.notfound")
	})

	r.Get("/healthz", s.handleHealthz)
	r.Head("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Head("/readyz", s.handleReadyz)
	r.Handle("/static/*", http.StripPrefix("/static/", site.StaticFiles(web.Static())))
	r.Get("/captcha/{token}.png", s.handleCaptchaImage)
	r.Get("/captcha/{token}.wav", s.handleCaptchaAudio)

	r.Group(func(r chi.Router) {
		r.Use(site.ReadForm(maxPublicFormBytes, s.clientError), site.WithSession(s.sessions, s.serverError), site.NoStore)
		r.Get("/", s.handleWelcome)
		r.Get("/login", s.handleLogin)
		r.Post("/login", s.handleLoginPost)
		r.Post("/login/captcha", s.handleCaptchaNew)
		r.Post("/lang", s.handleLang)
	})

	// The seats page reads its session with everything else it shows in
	// one statement (loadSeatsPage), before the session is loaded.
	r.Group(func(r chi.Router) {
		r.Use(site.ReadForm(maxFormBytes, s.clientError), s.loadSeatsPage, site.WithSession(s.sessions, s.serverError), site.NoStore,
			s.requireAdmin)
		r.Get("/zoho", s.handleZoho)
	})

	r.Group(func(r chi.Router) {
		r.Use(site.ReadForm(maxFormBytes, s.clientError), site.WithSession(s.sessions, s.serverError), site.NoStore, s.requireAdmin)
		r.Get("/home", s.handleHome)
		r.Post("/logout", s.handleLogout)

		// Zoho integration (guide sections 3 and 5).
		r.Get("/zoho/enable", s.handleZohoEnableConfirm)
		r.Post("/zoho/enable", s.handleZohoEnable)
		r.Get("/zoho/callback", s.handleZohoCallback)
		r.Get("/zoho/disable", s.handleZohoDisableConfirm)
		r.Post("/zoho/disable", s.handleZohoDisable)
		r.Post("/zoho/language", s.handleZohoLanguage)

		// Usuarios Conecta - Zoho (guide section 4).
		r.Get("/zoho/seats/{seat}/activate", s.handleActivateForm)
		r.Post("/zoho/seats/{seat}/activate", s.handleActivate)
		r.Get("/zoho/seats/{seat}/deactivate", s.handleDeactivateForm)
		r.Post("/zoho/seats/{seat}/deactivate", s.handleDeactivate)
		r.Post("/zoho/seats/bulk", s.handleBulk)
		r.Get("/zoho/result", s.handleResult)
		r.Get("/zoho/suggestions", s.handleSuggestions)
		r.Post("/zoho/seats/suggested", s.handleLinkSuggested)
		r.Post("/zoho/seats/sync", s.handleSyncSeats)
		r.Post("/zoho/links/restore", s.handleRestoreLinks)
		r.Post("/zoho/users/refresh", s.handleRefreshZohoUsers)
		r.Get("/zoho/links.csv", s.handleLinksCSV)
		r.Get("/audit", s.handleAudit)

		// Call activity (issue 5).
		r.Get("/activity", s.handleActivity)
		r.Post("/activity/outbox/{id}/retry", s.handleRetryOutbox)

		// Company settings.
		r.Get("/settings/time-zone", s.handleTimeZone)
		r.Post("/settings/time-zone", s.handleTimeZoneSave)
	})

	return site.CrossOrigin(r, s.clientError)
}
