package portal

import (
	"net/http"

	"github.com/conecta-zoho/gateway/internal/captcha"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/web"
)

// handleWelcome handles GET /: the welcome screen.
func (s *Server) handleWelcome(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		s.notFound(w, r)
		return
	}
	s.render(w, r, http.StatusOK, web.WelcomePage(s.newPage(r, "welcome.title")))
}

// handleHome handles GET /home: the main screen after login.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "home.subtitle")
	s.render(w, r, http.StatusOK, web.HomePage(p))
}

// handleLang handles POST /lang: keeps the chosen language in the session
// and goes back to the page the switch was on.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		s.clientError(w, r, http.StatusBadRequest, "error.notfound")
		return
	}
	s.sessions.Put(r.Context(), sessLang, string(l))
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// handleCaptchaImage handles GET /captcha/{token}.png: the picture of the
// captcha sealed in token.
func (s *Server) handleCaptchaImage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.login.Captcha(r.PathValue("token"))
	if !ok {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	if err := captcha.WriteImage(w, c); err != nil {
		s.logger.WarnContext(r.Context(), "captcha image", "error", err)
	}
}

// handleCaptchaAudio handles GET /captcha/{token}.wav: the captcha sealed
// in token, spoken.
func (s *Server) handleCaptchaAudio(w http.ResponseWriter, r *http.Request) {
	c, ok := s.login.Captcha(r.PathValue("token"))
	if !ok {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", `inline; filename="captcha.wav"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := captcha.WriteAudio(w, c, "en"); err != nil {
		s.logger.WarnContext(r.Context(), "captcha audio", "error", err)
	}
}

// localPath returns p if it is a path on this site, else "/": the
// language switch must not become an open redirect (site.LocalPath).
func localPath(p string) string { return site.LocalPath(p, "/") }
