package zohosim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

const sessionCookie = "zohosim_session"

// authRequest is a validated /oauth/v2/auth request.
type authRequest struct {
	clientID, redirectURI, scope, state, loginHint string
	offline                                        bool
	query                                          url.Values
}

// validateAuth checks the query like Zoho does; a non-empty title means an
// error page.
func (s *Sim) validateAuth(q url.Values) (authRequest, string, string) {
	ar := authRequest{
		clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), scope: q.Get("scope"),
		state: q.Get("state"), loginHint: q.Get("login_hint"), query: q,
	}
	if ar.loginHint == "" {
		ar.loginHint = q.Get("email")
	}
	if ar.clientID != s.opts.ClientID {
		return ar, "Invalid Client", "The client_id passed is not registered with Zoho Accounts."
	}
	u, err := url.Parse(ar.redirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !s.redirectAllowed(ar.redirectURI) {
		return ar, "Invalid Redirect Uri", "Redirect URI passed does not match with the one configured."
	}
	if q.Get("response_type") != "code" {
		return ar, "Invalid Response Type", "response_type must be \"code\"."
	}
	if strings.TrimSpace(ar.scope) == "" || strings.Contains(ar.scope, " ") {
		return ar, "Invalid OAuth Scope", "scope is required and must be comma-separated."
	}
	for _, sc := range strings.Split(ar.scope, ",") {
		if !knownScope(sc) {
			return ar, "Invalid OAuth Scope", "Scope " + sc + " is not valid."
		}
	}
	switch q.Get("access_type") {
	case "offline":
		ar.offline = true
	case "", "online":
	default:
		return ar, "Invalid Access Type", "access_type must be offline or online."
	}
	if p := q.Get("prompt"); p != "" && p != "consent" {
		return ar, "Invalid Prompt", "prompt must be consent."
	}
	return ar, "", ""
}

func (s *Sim) redirectAllowed(uri string) bool {
	if len(s.opts.RedirectURIs) == 0 {
		return true
	}
	for _, r := range s.opts.RedirectURIs {
		if r == uri {
			return true
		}
	}
	return false
}

// knownScope accepts the PhoneBridge, profile and OpenID scopes plus any
// Zoho-looking "Service.resource.OP" scope.
func knownScope(sc string) bool {
	switch strings.ToLower(sc) {
	case "phonebridge.call.log", "phonebridge.zohoone.search", "aaaserver.profile.read", "openid", "email", "profile":
		return true
	}
	return strings.Count(sc, ".") >= 2 && !strings.ContainsAny(sc, "<>\"'")
}

// handleAuth serves GET/POST {accounts}/oauth/v2/auth: the login form,
// DC routing, the consent page and the redirect back to the provider.
func (s *Sim) handleAuth(w http.ResponseWriter, r *http.Request, loc string) {
	ar, title, msg := s.validateAuth(r.URL.Query())
	if title != "" {
		s.renderError(w, title, msg)
		return
	}
	u := s.sessionUser(r)
	if r.Method == http.MethodPost {
		switch r.PostForm.Get("action") {
		case "login":
			u = s.login(w, r)
			if u == nil {
				s.renderLogin(w, http.StatusOK, ar, r.PostForm.Get("email"), "Contraseña o correo electrónico incorrectos.")
				return
			}
		case "logout":
			s.logout(w, r)
			s.renderLogin(w, http.StatusOK, ar, "", "")
			return
		case "accept", "reject":
			if u == nil {
				s.renderLogin(w, http.StatusOK, ar, ar.loginHint, "")
				return
			}
			if u.org.dc != loc {
				break // handled by the DC redirect below
			}
			s.finish(w, r, ar, u, loc, r.PostForm.Get("action") == "accept")
			return
		}
	}
	if u == nil {
		s.renderLogin(w, http.StatusOK, ar, ar.loginHint, "")
		return
	}
	if u.org.dc != loc {
		// Zoho routes the user to their own data centre.
		http.Redirect(w, r, s.AccountsURL(u.org.dc)+"/oauth/v2/auth?"+ar.query.Encode(), http.StatusSeeOther)
		return
	}
	s.renderConsent(w, ar, u)
}

// finish redirects to redirect_uri with a code (accept) or
// error=access_denied (reject).
func (s *Sim) finish(w http.ResponseWriter, r *http.Request, ar authRequest, u *user, loc string, accept bool) {
	q := url.Values{}
	if accept {
		code := newSecret()
		s.mu.Lock()
		s.codes[code] = &grant{user: u, clientID: ar.clientID, redirectURI: ar.redirectURI, scope: ar.scope,
			offline: ar.offline, dc: loc, expires: s.nowLocked().Add(CodeLifetime)}
		q.Set("code", code)
		q.Set("location", loc)
		q.Set("accounts-server", s.accountsURLLocked(loc))
		s.mu.Unlock()
	} else {
		q.Set("error", "access_denied")
	}
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	sep := "?"
	if strings.Contains(ar.redirectURI, "?") {
		sep = "&"
	}
	http.Redirect(w, r, ar.redirectURI+sep+q.Encode(), http.StatusFound)
}

// login checks the posted credentials and starts a session.
func (s *Sim) login(w http.ResponseWriter, r *http.Request) *user {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byEmail[email]
	if !ok || u.password != r.PostForm.Get("password") {
		return nil
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	sid := hex.EncodeToString(b)
	s.session[sid] = u.id
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return u
}

func (s *Sim) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.session, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
}

func (s *Sim) sessionUser(r *http.Request) *user {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[s.session[c.Value]]
}
