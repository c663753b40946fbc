package xsisim

import (
	"net/http"
	"strings"
)

// serveActions dispatches /com.broadsoft.xsi-actions/v2.0/{segs...}.
func (s *Sim) serveActions(w http.ResponseWriter, r *http.Request, segs []string) {
	if match(segs, "versions") {
		writeXML(w, http.StatusOK, document(el("Versions", tx("version", "v2.0")), styleDefault))
		return
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "user") {
		writeError(w, http.StatusNotFound, codeNoSuchCommand, "Resource not found")
		return
	}
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.targetSeat(w, p, segs[1])
	if !ok {
		return
	}
	rest := segs[2:]
	switch {
	case match(rest, "profile"):
		if onlyMethod(w, r, http.MethodGet) {
			s.serveProfile(w, u)
		}
	case match(rest, "directories", "group"):
		if onlyMethod(w, r, http.MethodGet) {
			s.serveGroupDirectory(w, r, u)
		}
	case match(rest, "calls"):
		if onlyMethod(w, r, http.MethodGet) {
			s.serveCallList(w, u)
		}
	case match(rest, "calls", "new"):
		if onlyMethod(w, r, http.MethodPost) {
			s.serveDial(w, r, u)
		}
	case match(rest, "calls", "*"):
		switch r.Method {
		case http.MethodGet:
			s.serveCall(w, u, rest[1])
		case http.MethodDelete:
			s.serveRelease(w, r, u, rest[1])
		default:
			writeError(w, http.StatusMethodNotAllowed, codeMethod, "Method not allowed")
		}
	case match(rest, "calls", "*", "talk"):
		if onlyMethod(w, r, http.MethodPut) {
			s.serveTalk(w, u, rest[1])
		}
	case match(rest, "calls", "*", "hold"):
		if onlyMethod(w, r, http.MethodPut) {
			s.serveHold(w, u, rest[1])
		}
	case match(rest, "calls", "*", "transmitdtmf"):
		if onlyMethod(w, r, http.MethodPut) {
			s.serveDTMF(w, r, u, rest[1])
		}
	default:
		writeError(w, http.StatusNotFound, codeNoSuchCommand, "Resource not found")
	}
}

// onlyMethod writes 405 unless r uses method.
func onlyMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method != method {
		writeError(w, http.StatusMethodNotAllowed, codeMethod, "Method not allowed")
		return false
	}
	return true
}

// serveProfile writes the seat's <Profile> (details and additionalDetails).
func (s *Sim) serveProfile(w http.ResponseWriter, u *seat) {
	isEnt := "false"
	if u.group.IsEnterprise {
		isEnt = "true"
	}
	sp := tx("serviceProvider", u.group.ParentID)
	doc := document(el("Profile",
		el("details",
			tx("userId", u.UserID),
			tx("firstName", u.FirstName),
			tx("lastName", u.LastName),
			tx("groupId", u.group.ID),
			sp,
			tx("number", u.Number),
			tx("extension", u.Extension),
		),
		el("additionalDetails",
			tx("emailAddress", u.Email),
			tx("department", u.Department),
		),
	), styleDefault)
	// The isEnterprise attribute is not expressible in the node tree; add it.
	doc = []byte(strings.Replace(string(doc), "<serviceProvider>", `<serviceProvider isEnterprise="`+isEnt+`">`, 1))
	s.writeLocale(w, doc)
}

// writeLocale writes a directory/profile document in the locale charset.
func (s *Sim) writeLocale(w http.ResponseWriter, doc []byte) {
	if !s.opts.DirectoryUTF8 {
		doc = toLatin1(doc)
	}
	writeXML(w, http.StatusOK, doc)
}
