package zohosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// writeEnvelope answers Zoho's error envelope.
func writeEnvelope(w http.ResponseWriter, status int, code, message, param string) {
	details := map[string]string{}
	if param != "" {
		details["param"] = param
	}
	writeJSON(w, status, map[string]any{"code": code, "details": details, "message": message, "status": "error"})
}

// writeSuccess answers {"status":"success","code":"SUCCESS"} plus message.
func writeSuccess(w http.ResponseWriter, message string) {
	body := map[string]string{"status": "success", "code": "SUCCESS"}
	if message != "" {
		body["message"] = message
	}
	writeJSON(w, http.StatusOK, body)
}

// pbCtx is an authenticated PhoneBridge request.
type pbCtx struct {
	user  *user
	org   *Org
	admin bool
}

// servePhoneBridge authenticates, gates and dispatches /phonebridge/v3/{res}.
func (s *Sim) servePhoneBridge(w http.ResponseWriter, r *http.Request, loc, res string) {
	c, ok := s.authenticate(w, r, loc)
	if !ok {
		return
	}
	s.mu.Lock()
	unregistered, other, integrated := s.opts.ProviderUnregistered, c.org.otherProvider, c.org.integrated
	s.mu.Unlock()
	if unregistered {
		writeEnvelope(w, http.StatusBadRequest, "PROVIDER_NOT_REGISTERED", "Provider is not registered with Zoho PhoneBridge", "")
		return
	}
	if other {
		writeEnvelope(w, http.StatusForbidden, "DIFFERENT_PROVIDER_ALREADY_ENABLED", "A different provider is already enabled for this organization", "")
		return
	}
	type route struct {
		method string
		fn     func(http.ResponseWriter, *http.Request, pbCtx)
	}
	routes := map[string][]route{
		"integrate":        {{http.MethodPost, s.pbIntegrate}, {http.MethodDelete, s.pbDisintegrate}},
		"users":            {{http.MethodGet, s.pbUsers}},
		"clicktodial":      {{http.MethodPost, s.pbClickToDial}, {http.MethodDelete, s.pbClickToDialOff}},
		"callcontrol":      {{http.MethodPost, s.pbCallControl}, {http.MethodDelete, s.pbCallControlOff}},
		"callnotify":       {{http.MethodPost, s.pbCallNotify}},
		"clicktodialerror": {{http.MethodPost, s.pbClickToDialError}},
	}
	rs, found := routes[strings.TrimSuffix(res, "/")]
	if !found {
		writeEnvelope(w, http.StatusNotFound, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", "")
		return
	}
	for _, rt := range rs {
		if rt.method != r.Method {
			continue
		}
		if res != "integrate" && !integrated {
			writeEnvelope(w, http.StatusBadRequest, "PBX_NOT_INTEGRATED", s.opts.ProviderName+" PBX Integration is not enabled", "")
			return
		}
		rt.fn(w, r, c)
		return
	}
	writeEnvelope(w, http.StatusMethodNotAllowed, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one", "")
}

// authenticate checks "Authorization: Zoho-oauthtoken <token>" for the DC.
func (s *Sim) authenticate(w http.ResponseWriter, r *http.Request, loc string) (pbCtx, bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	at, ok := s.access[tok]
	valid := ok && s.nowLocked().Before(at.expires) && at.dc == loc &&
		(scheme == "Zoho-oauthtoken" || (scheme == "Bearer" && s.opts.AcceptBearer))
	admin := valid && at.user.admin
	s.mu.Unlock()
	if !valid {
		writeEnvelope(w, http.StatusUnauthorized, "INVALID_TOKEN", "invalid oauth token", "")
		return pbCtx{}, false
	}
	if !hasScope(at.scope, "PhoneBridge.call.log") {
		writeEnvelope(w, http.StatusUnauthorized, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL", "")
		return pbCtx{}, false
	}
	return pbCtx{user: at.user, org: at.user.org, admin: admin}, true
}

func (s *Sim) pbIntegrate(w http.ResponseWriter, r *http.Request, c pbCtx) {
	if !c.admin {
		writeEnvelope(w, http.StatusForbidden, "NO_PERMISSION", "Permission denied", "")
		return
	}
	s.mu.Lock()
	c.org.integrated = true
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Integration is successful")
}

func (s *Sim) pbDisintegrate(w http.ResponseWriter, r *http.Request, c pbCtx) {
	if !c.admin {
		writeEnvelope(w, http.StatusForbidden, "NO_PERMISSION", "Permission denied", "")
		return
	}
	s.mu.Lock()
	c.org.integrated = false
	c.org.clickToDial = map[string]ClickToDialReg{}
	c.org.callControl = map[string]CallControlReg{}
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Integration has been successfully removed")
}

// pbUsers serves GET users?page=&perPage= (page ≥ 1, perPage 1..1000,
// default 1 and 200). zohouser is emitted as a JSON number, as in Zoho's
// samples.
func (s *Sim) pbUsers(w http.ResponseWriter, r *http.Request, c pbCtx) {
	if !c.admin {
		writeEnvelope(w, http.StatusForbidden, "NO_PERMISSION", "Permission denied", "")
		return
	}
	page, ok := intParam(w, r, "page", 1, 1, 1<<30)
	if !ok {
		return
	}
	perPage, ok := intParam(w, r, "perPage", 200, 1, 1000)
	if !ok {
		return
	}
	type out struct {
		ZohoUser json.Number `json:"zohouser"`
		Email    string      `json:"email"`
		Username string      `json:"username"`
	}
	s.mu.Lock()
	users := []out{}
	for i := (page - 1) * perPage; i < len(c.org.users) && i < page*perPage; i++ {
		u := c.org.users[i]
		users = append(users, out{ZohoUser: json.Number(u.id), Email: u.email, Username: u.name})
	}
	last := (len(c.org.users) + perPage - 1) / perPage
	api := s.base + "/api/" + c.org.dc + "/phonebridge/v3/users"
	s.mu.Unlock()
	if last < 1 {
		last = 1
	}
	nav := func(p int) map[string]string {
		return map[string]string{"uri": fmt.Sprintf("%s?page=%d&perPage=%d", api, p, perPage)}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"users":      users,
		"paging":     map[string]int{"perPage": perPage, "page": page},
		"navigation": map[string]any{"firstPage": nav(1), "lastPage": nav(last)},
	})
}

// intParam reads an optional integer parameter within [min,max].
func intParam(w http.ResponseWriter, r *http.Request, name string, def, min, max int) (int, bool) {
	raw := r.Form.Get(name)
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", fmt.Sprintf("%s must be an integer between %d and %d", name, min, max), name)
		return 0, false
	}
	return n, true
}
