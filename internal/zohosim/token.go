package zohosim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenError answers Zoho's way: HTTP 200 with {"error": code}.
func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]string{"error": code})
}

// handleToken serves POST {accounts}/oauth/v2/token; params may come in
// the body or the query string.
func (s *Sim) handleToken(w http.ResponseWriter, r *http.Request, loc string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request_method"})
		return
	}
	switch {
	case r.Form.Get("client_id") != s.opts.ClientID:
		tokenError(w, "invalid_client")
		return
	case r.Form.Get("client_secret") != s.clientSecret(loc):
		tokenError(w, "invalid_client_secret")
		return
	}
	switch r.Form.Get("grant_type") {
	case "authorization_code":
		s.grantCode(w, r, loc)
	case "refresh_token":
		s.grantRefresh(w, r, loc)
	default:
		tokenError(w, "unsupported_grant_type")
	}
}

func (s *Sim) grantCode(w http.ResponseWriter, r *http.Request, loc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	code := r.Form.Get("code")
	g, ok := s.codes[code]
	if ok {
		delete(s.codes, code) // single use, even when the exchange fails
	}
	switch {
	case !ok || now.After(g.expires) || g.clientID != s.opts.ClientID || g.dc != loc:
		tokenError(w, "invalid_code")
		return
	case r.Form.Get("redirect_uri") != g.redirectURI:
		tokenError(w, "invalid_redirect_uri")
		return
	}
	at := s.issueAccessLocked(g.user, g.scope, g.dc, "", now)
	resp := map[string]any{
		"access_token": at.token, "scope": g.scope, "api_domain": s.base + "/api/" + g.dc,
		"token_type": "Bearer", "expires_in": defaultAccessTokenTTL,
	}
	if g.offline {
		rt := s.issueRefreshLocked(g.user, g.scope, g.dc, now)
		at.parent = rt.token
		resp["refresh_token"] = rt.token
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Sim) grantRefresh(w http.ResponseWriter, r *http.Request, loc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	rt, ok := s.refresh[r.Form.Get("refresh_token")]
	if !ok || rt.dc != loc {
		tokenError(w, "invalid_code")
		return
	}
	recent := rt.uses[:0]
	for _, t := range rt.uses {
		if now.Sub(t) < RefreshWindow {
			recent = append(recent, t)
		}
	}
	rt.uses = recent
	if len(rt.uses) >= RefreshLimit {
		writeJSON(w, s.opts.ThrottleStatus, map[string]string{
			"error":             "Access Denied",
			"error_description": "You have made too many requests continuously. Please try again after some time.",
			"status":            "failure",
		})
		return
	}
	rt.uses = append(rt.uses, now)
	at := s.issueAccessLocked(rt.user, rt.scope, rt.dc, rt.token, now)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at.token, "scope": rt.scope, "api_domain": s.base + "/api/" + rt.dc,
		"token_type": "Bearer", "expires_in": defaultAccessTokenTTL,
	})
}

// handleRevokeLegacy serves POST {accounts}/oauth/v2/token/revoke?token=….
func (s *Sim) handleRevokeLegacy(w http.ResponseWriter, r *http.Request, loc string) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request_method"})
		return
	}
	if !s.revokeToken(r.Form.Get("token"), "") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token", "status": "failure"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success"})
}

// handleRevoke serves POST {accounts}/oauth/v2/revoke/token with Basic
// client authentication, token and token_type.
func (s *Sim) handleRevoke(w http.ResponseWriter, r *http.Request, loc string) {
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != s.opts.ClientID || secret != s.clientSecret(loc) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "status": "failure"})
		return
	}
	tt := r.Form.Get("token_type")
	if tt != "" && tt != "refresh_token" && tt != "access_token" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token_type", "status": "failure"})
		return
	}
	if !s.revokeToken(r.Form.Get("token"), tt) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token", "status": "failure"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success"})
}

// revokeToken revokes a refresh or access token (restricted to kind when
// not empty) and reports whether it existed.
func (s *Sim) revokeToken(token, kind string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.refresh[token]; ok && kind != "access_token" {
		s.revokeRefreshLocked(token)
		return true
	}
	if _, ok := s.access[token]; ok && kind != "refresh_token" {
		delete(s.access, token)
		return true
	}
	return false
}

// handleUserInfo serves GET {accounts}/oauth/user/info for tokens with the
// AaaServer.profile.Read scope. Zoho accepts Zoho-oauthtoken or Bearer here.
func (s *Sim) handleUserInfo(w http.ResponseWriter, r *http.Request, loc string) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	at, ok := s.access[tok]
	valid := ok && (scheme == "Zoho-oauthtoken" || scheme == "Bearer") && s.nowLocked().Before(at.expires) && at.dc == loc
	s.mu.Unlock()
	if !valid {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "INVALID_OAUTHTOKEN", "error": "invalid_oauthtoken"})
		return
	}
	if !hasScope(at.scope, "AaaServer.profile.Read") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "INVALID_OAUTHSCOPE", "error": "invalid_oauthscope"})
		return
	}
	first, last, _ := strings.Cut(at.user.name, " ")
	var zuid json.Number = json.Number(at.user.id)
	writeJSON(w, http.StatusOK, map[string]any{
		"First_Name": first, "Last_Name": last, "Display_Name": at.user.name, "Email": at.user.email, "ZUID": zuid,
	})
}

// handleServerInfo serves GET /oauth/serverinfo: location → accounts URL.
func (s *Sim) handleServerInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	locs := map[string]string{}
	for _, l := range locations {
		locs[l] = s.accountsURLLocked(l)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"result": "success", "locations": locs})
}

// hasScope reports whether the comma-separated list contains want
// (case-insensitive, as Zoho treats scopes).
func hasScope(list, want string) bool {
	for _, sc := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(sc), want) {
			return true
		}
	}
	return false
}
