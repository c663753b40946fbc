package zohosim

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Sim.
type Options struct {
	// ClientID and ClientSecret are the only client the simulator knows.
	ClientID, ClientSecret string
	// ClientSecrets are the client's secrets of the data centres where it
	// has one of its own, by location ("eu"); the others take ClientSecret.
	ClientSecrets map[string]string
	// RedirectURIs are the registered redirect URIs; empty allows any
	// http(s) URI.
	RedirectURIs []string
	// ProviderName appears on the consent page and in messages, e.g.
	// "Digital Centrex".
	ProviderName string
	// ProviderUnregistered makes every PhoneBridge call answer
	// PROVIDER_NOT_REGISTERED.
	ProviderUnregistered bool
	// StrictLive rejects callnotify "missed" and the unattended dialed
	// states with 400, as the live API reportedly does.
	StrictLive bool
	// AcceptBearer lets PhoneBridge accept "Authorization: Bearer"; by
	// default it answers 401 INVALID_TOKEN as the live API reportedly does.
	AcceptBearer bool
	// ThrottleStatus is the HTTP status of the refresh-throttle answer;
	// default 400 (public samples disagree between 200 and 400).
	ThrottleStatus int
	// Clock, when set, is the time source; Advance adds on top of it.
	Clock func() time.Time
	// HTTPClient sends the Zoho → provider requests; default 10 s timeout.
	HTTPClient *http.Client
}

// Sim is the simulator. Create it with New; it is safe for concurrent use.
type Sim struct {
	mu      sync.Mutex
	opts    Options
	base    string
	offset  time.Duration
	nextID  int64
	orgs    []*Org
	users   map[string]*user // by zohouser
	byEmail map[string]*user
	codes   map[string]*grant
	refresh map[string]*refreshToken
	access  map[string]*accessToken
	session map[string]string // cookie value → zohouser
	records []Request
	faults  faults
}

// New returns an empty simulator; seed it with AddOrg or SeedDemo and call
// SetBaseURL once its origin is known.
func New(opts Options) *Sim {
	if opts.ProviderName == "" {
		opts.ProviderName = "Digital Centrex"
	}
	if opts.ThrottleStatus == 0 {
		opts.ThrottleStatus = http.StatusBadRequest
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Sim{
		opts:    opts,
		base:    "http://127.0.0.1",
		nextID:  20000000000,
		users:   map[string]*user{},
		byEmail: map[string]*user{},
		codes:   map[string]*grant{},
		refresh: map[string]*refreshToken{},
		access:  map[string]*accessToken{},
		session: map[string]string{},
	}
}

// SetBaseURL sets the origin the simulator is served at (e.g. an
// httptest.Server URL); it is used to build accounts-server and api_domain.
func (s *Sim) SetBaseURL(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = strings.TrimRight(base, "/")
}

// BaseURL returns the origin set with SetBaseURL.
func (s *Sim) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// Locations are the data-centre codes the simulator serves; "us" is home.
var locations = []string{"us", "eu", "in", "au", "jp", "ca", "sa", "uk", "cn"}

// HomeLocation is the data centre served at the root path.
const HomeLocation = "us"

func knownLocation(loc string) bool {
	for _, l := range locations {
		if l == loc {
			return true
		}
	}
	return false
}

// AccountsURL returns the simulated accounts server of a data centre:
// {base} for "us", {base}/{loc} otherwise.
func (s *Sim) AccountsURL(loc string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accountsURLLocked(loc)
}

func (s *Sim) accountsURLLocked(loc string) string {
	if loc == HomeLocation {
		return s.base
	}
	return s.base + "/" + loc
}

// APIDomain returns the simulated api_domain of a data centre:
// {base}/api/{loc}.
func (s *Sim) APIDomain(loc string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base + "/api/" + loc
}

// Handler returns the HTTP handler serving every simulated endpoint.
func (s *Sim) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if isCRMPath(r.URL.Path) {
		s.serveCRM(w, r) // a page for people, not recorded
		return
	}
	s.record(r)
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/api/"); ok {
		loc, sub, _ := strings.Cut(rest, "/")
		res, ok := strings.CutPrefix(sub, "phonebridge/v3/")
		if !knownLocation(loc) || !ok {
			writeEnvelope(w, http.StatusNotFound, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", "")
			return
		}
		if s.injectFault(w, r) {
			return
		}
		if d := s.lateness(r); d > 0 {
			held := &heldResponse{header: http.Header{}}
			s.servePhoneBridge(held, r, loc, res)
			held.release(w, d)
			return
		}
		s.servePhoneBridge(w, r, loc, res)
		return
	}
	loc := HomeLocation
	if first, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/"); ok && first != HomeLocation && knownLocation(first) {
		loc, path = first, "/"+rest
	}
	s.serveAccounts(w, r, loc, path)
}

func (s *Sim) serveAccounts(w http.ResponseWriter, r *http.Request, loc, path string) {
	switch path {
	case "/oauth/v2/auth":
		s.handleAuth(w, r, loc)
	case "/oauth/v2/token":
		s.handleToken(w, r, loc)
	case "/oauth/v2/token/revoke":
		s.handleRevokeLegacy(w, r, loc)
	case "/oauth/v2/revoke/token":
		s.handleRevoke(w, r, loc)
	case "/oauth/user/info":
		s.handleUserInfo(w, r, loc)
	case "/oauth/serverinfo":
		s.handleServerInfo(w, r)
	case "/", "":
		http.Redirect(w, r, "/oauth/v2/auth", http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

// clientSecret is the client's secret in the data centre loc.
func (s *Sim) clientSecret(loc string) string {
	if v, ok := s.opts.ClientSecrets[loc]; ok {
		return v
	}
	return s.opts.ClientSecret
}
