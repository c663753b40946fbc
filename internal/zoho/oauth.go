package zoho

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conecta-zoho/gateway/internal/chars"
)

// Scopes are the OAuth scopes the gateway asks for, in Zoho's comma-separated
// form: the two PhoneBridge scopes plus AaaServer.profile.Read, which lets
// ConsentingUser learn which Zoho account granted access.
const Scopes = "PhoneBridge.call.log,PhoneBridge.zohoone.search,AaaServer.profile.Read"

// defaultTimeout bounds every HTTP call when the caller gives no client.
const defaultTimeout = 30 * time.Second

// DefaultHomeAccountsURL is the accounts server of the US data centre, where
// PhoneBridge providers are normally registered.
const DefaultHomeAccountsURL = "https://accounts.zoho.com"

// ErrAccountsServer is matched (errors.Is) by every rejection of an
// accounts-server value; the concrete error is *AccountsServerError.
var ErrAccountsServer = errors.New("zoho: accounts server not allowed")

// AccountsServerError says why an accounts-server value was refused. It never
// carries the refused value's userinfo.
type AccountsServerError struct {
	// Reason is a short human explanation.
	Reason string
}

// Error implements error.
func (e *AccountsServerError) Error() string {
	return "zoho: accounts server not allowed: " + e.Reason
}

// Is makes errors.Is(err, ErrAccountsServer) true.
func (e *AccountsServerError) Is(target error) bool { return target == ErrAccountsServer }

// OAuthConfig configures OAuth. ClientID, RedirectURL and ClientSecret (or
// ClientSecrets) are required.
type OAuthConfig struct {
	// ClientID and ClientSecret are the provider's Zoho API-console credentials.
	ClientID, ClientSecret string
	// ClientSecrets are the client's secrets that differ per data centre
	// (Zoho allows a secret "common to all the DCs or unique for each DC"),
	// by location code ("eu", "us", …); a data centre without one uses
	// ClientSecret.
	ClientSecrets map[string]string
	// RedirectURL is the registered redirect URI of the gateway.
	RedirectURL string
	// HomeAccountsURL is the accounts server where the app is registered;
	// default DefaultHomeAccountsURL. Tests and dev mode point it at the
	// simulator, whose origin then becomes an allowed accounts server too.
	HomeAccountsURL string
	// HTTPClient is used for every call; default has a 30 s timeout.
	HTTPClient *http.Client
}

// OAuth runs the Zoho Accounts side of the integration. It is safe for
// concurrent use and holds no tokens.
type OAuth struct {
	cfg      OAuthConfig
	home     *url.URL
	homeIsDC bool
	client   *http.Client
}

// NewOAuth validates cfg and returns an OAuth.
func NewOAuth(cfg OAuthConfig) (*OAuth, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" && len(cfg.ClientSecrets) == 0 || cfg.RedirectURL == "" {
		return nil, errors.New("zoho: new oauth: client id, client secret and redirect url are required")
	}
	if cfg.HomeAccountsURL == "" {
		cfg.HomeAccountsURL = DefaultHomeAccountsURL
	}
	cfg.HomeAccountsURL = strings.TrimRight(cfg.HomeAccountsURL, "/")
	home, err := url.Parse(cfg.HomeAccountsURL)
	if err != nil || (home.Scheme != "https" && home.Scheme != "http") || home.Host == "" || home.User != nil || home.RawQuery != "" {
		return nil, errors.New("zoho: new oauth: home accounts url must be an absolute http(s) url without userinfo or query")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	_, isDC := DataCentreByAccountsServer(cfg.HomeAccountsURL)
	return &OAuth{cfg: cfg, home: home, homeIsDC: isDC, client: client}, nil
}

// AuthCodeURL returns the URL to send the admin's browser to:
// {home accounts}/oauth/v2/auth with response_type=code, client_id,
// redirect_uri, scope (Scopes), access_type=offline, prompt=consent and
// state. loginHint, when not empty, is sent as login_hint to prefill the
// e-mail; Zoho ignores it if unsupported.
func (o *OAuth) AuthCodeURL(state, loginHint string) string {
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", o.cfg.ClientID)
	q.Set("redirect_uri", o.cfg.RedirectURL)
	q.Set("scope", Scopes)
	q.Set("access_type", "offline")
	q.Set("prompt", "consent")
	q.Set("state", state)
	if loginHint != "" {
		q.Set("login_hint", loginHint)
	}
	return o.cfg.HomeAccountsURL + "/oauth/v2/auth?" + q.Encode()
}

// AccountsServer validates the accounts-server value Zoho appended to the
// redirect (it comes through the browser, so it is attacker-controlled) and
// returns it normalised, without a trailing slash. Accepted values are
// exactly one of Zoho's data-centre accounts servers (https, no port, path,
// userinfo, query or fragment), or a URL with the same scheme, host and port
// as HomeAccountsURL (the simulator serves data centres under path prefixes
// of one origin). Anything else yields an *AccountsServerError.
func (o *OAuth) AccountsServer(raw string) (string, error) {
	if raw == "" {
		return "", &AccountsServerError{Reason: "empty"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", &AccountsServerError{Reason: "not a url"}
	}
	switch {
	case u.User != nil:
		return "", &AccountsServerError{Reason: "userinfo present"}
	case u.Opaque != "" || u.Host == "":
		return "", &AccountsServerError{Reason: "not an absolute url"}
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#\\"):
		return "", &AccountsServerError{Reason: "query, fragment or backslash present"}
	}
	host := strings.ToLower(u.Host)
	path := strings.TrimRight(u.EscapedPath(), "/")
	if u.Scheme == "https" && path == "" {
		if dc, ok := DataCentreByAccountsServer("https://" + host); ok {
			return dc.AccountsServer, nil
		}
	}
	if !o.homeIsDC && u.Scheme == o.home.Scheme && host == strings.ToLower(o.home.Host) {
		if !cleanPath(path) {
			return "", &AccountsServerError{Reason: "unexpected path"}
		}
		return u.Scheme + "://" + host + path, nil
	}
	return "", &AccountsServerError{Reason: fmt.Sprintf("host %q is not a Zoho accounts server", sanitizeHost(host))}
}

// cleanPath accepts "" or "/seg/seg" with lower-case letters, digits and '-'.
func cleanPath(p string) bool {
	if p == "" {
		return true
	}
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return strings.HasPrefix(p, "/")
}

// sanitizeHost bounds the host echoed in errors.
func sanitizeHost(h string) string {
	if utf8.RuneCountInString(h) > 80 {
		return chars.Truncate(h, 80) + "…"
	}
	return h
}
