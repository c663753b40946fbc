package zohosim

import (
	"errors"
	"strings"
)

// IssueCode skips the login and consent pages: it grants a code as if the
// user with email had pressed "Aceptar" for redirectURI and scope with
// access_type=offline, and returns what Zoho would append to the redirect:
// code, location and accounts-server. Tests and the CRM page use it.
func (s *Sim) IssueCode(email, redirectURI, scope string) (code, location, accountsServer string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byEmail[strings.ToLower(email)]
	if !ok {
		return "", "", "", errors.New("zohosim: issue code: unknown user")
	}
	code = newSecret()
	s.codes[code] = &grant{user: u, clientID: s.opts.ClientID, redirectURI: redirectURI, scope: scope,
		offline: true, dc: u.org.dc, expires: s.nowLocked().Add(CodeLifetime)}
	return code, u.org.dc, s.accountsURLLocked(u.org.dc), nil
}

// SetAdmin changes whether the user with zohouser id is a PhoneBridge
// admin (integrate and users need an admin; others get NO_PERMISSION).
func (s *Sim) SetAdmin(zohouser string, admin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[zohouser]; ok {
		u.admin = admin
	}
}

// SetProviderRegistered toggles PROVIDER_NOT_REGISTERED answers at run time.
func (s *Sim) SetProviderRegistered(registered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.ProviderUnregistered = !registered
}
