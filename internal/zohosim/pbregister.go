package zohosim

import (
	"net/http"
	"net/url"
)

// controlActions are the call-control actions and their registration
// parameter names.
var controlActions = map[string]string{
	"answer": "answeruri", "hungup": "hungupuri", "hold": "holduri", "unhold": "unholduri",
	"keypress": "keypressuri", "mute": "muteuri", "unmute": "unmuteuri",
}

// targetUser resolves the zohouser parameter (default: the token's user)
// and checks it belongs to the org.
func (s *Sim) targetUser(w http.ResponseWriter, r *http.Request, c pbCtx) (string, bool) {
	id := r.Form.Get("zohouser")
	if id == "" {
		return c.user.id, true
	}
	s.mu.Lock()
	u, ok := s.users[id]
	s.mu.Unlock()
	if !ok || u.org != c.org {
		writeEnvelope(w, http.StatusBadRequest, "INVALID_USER", "Please check the user configuration", "zohouser")
		return "", false
	}
	return id, true
}

// validURI reports whether v is an absolute http(s) URL.
func validURI(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// pairs parses authorizationparam and the named list parameter.
func pairs(w http.ResponseWriter, r *http.Request, listName string) (Param, []Param, bool) {
	var auth Param
	if raw := r.Form.Get("authorizationparam"); raw != "" {
		p, err := parseParam(raw)
		if err != nil {
			writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", "authorizationparam: "+err.Error(), "authorizationparam")
			return Param{}, nil, false
		}
		auth = p
	}
	var list []Param
	if raw := r.Form.Get(listName); raw != "" {
		l, err := parseParams(raw)
		if err != nil {
			writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", listName+": "+err.Error(), listName)
			return Param{}, nil, false
		}
		list = l
	}
	return auth, list, true
}

func (s *Sim) pbClickToDial(w http.ResponseWriter, r *http.Request, c pbCtx) {
	uri := r.Form.Get("clicktodialuri")
	if uri == "" {
		writeEnvelope(w, http.StatusBadRequest, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", "clicktodialuri")
		return
	}
	if !validURI(uri) {
		writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", "clicktodialuri is not a valid URL", "clicktodialuri")
		return
	}
	id, ok := s.targetUser(w, r, c)
	if !ok {
		return
	}
	auth, list, ok := pairs(w, r, "clicktodialparam")
	if !ok {
		return
	}
	s.mu.Lock()
	c.org.clickToDial[id] = ClickToDialReg{URI: uri, Auth: auth, Params: list}
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Clicktodial has been enabled")
}

func (s *Sim) pbClickToDialOff(w http.ResponseWriter, r *http.Request, c pbCtx) {
	id, ok := s.targetUser(w, r, c)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(c.org.clickToDial, id)
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Clicktodial has been disabled")
}

func (s *Sim) pbCallControl(w http.ResponseWriter, r *http.Request, c pbCtx) {
	uris := map[string]string{}
	for action, param := range controlActions {
		v := r.Form.Get(param)
		if v == "" {
			continue
		}
		if !validURI(v) {
			writeEnvelope(w, http.StatusBadRequest, "INVALID_DATA", param+" is not a valid URL", param)
			return
		}
		uris[action] = v
	}
	id, ok := s.targetUser(w, r, c)
	if !ok {
		return
	}
	auth, list, ok := pairs(w, r, "callcontrolparam")
	if !ok {
		return
	}
	s.mu.Lock()
	c.org.callControl[id] = CallControlReg{URIs: uris, Auth: auth, Params: list}
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Call control has been enabled")
}

func (s *Sim) pbCallControlOff(w http.ResponseWriter, r *http.Request, c pbCtx) {
	id, ok := s.targetUser(w, r, c)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(c.org.callControl, id)
	s.mu.Unlock()
	writeSuccess(w, s.opts.ProviderName+" Call control has been disabled")
}
