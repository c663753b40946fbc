// Package config reads the gateway's configuration from the environment into
// one typed, validated struct. Nothing else in the gateway reads os.Getenv.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// Mode says which subcommand the configuration is for; the modes differ in
// defaults and in what they require.
type Mode int

const (
	// ModeServe is production: every value must be given explicitly.
	ModeServe Mode = iota
	// ModeDev is `gateway dev`: missing values get local defaults, and the
	// caller fills in DATABASE_URL and SECRET_KEY from its private environment.
	ModeDev
	// ModeCLI is a one-shot command (migrate, company, admin): it needs the
	// database and, for commands that seal secrets, the key.
	ModeCLI
)

// Config is everything the gateway can be told through its environment.
// Secret fields are never logged: use LogValue to print a config.
type Config struct {
	// DatabaseURL is a PostgreSQL connection string (DATABASE_URL).
	DatabaseURL string
	// ListenAddr is the address the HTTP server binds (LISTEN_ADDR).
	ListenAddr string
	// MetricsAddr is the address of the internal listener serving /metrics
	// and /debug/pprof/ (METRICS_ADDR); "" means none.
	MetricsAddr string
	// MetricsCompanyLimit caps the companies that get outbox series of
	// their own (METRICS_COMPANY_LIMIT; 0: totals only).
	MetricsCompanyLimit int
	// PublicURL is the origin users and Zoho reach the gateway at, without a
	// trailing slash (PUBLIC_URL). OAuth callbacks and click-to-dial URIs are
	// built from it.
	PublicURL *url.URL
	// SecretKey is 32 random bytes (SECRET_KEY, base64) that encrypt tokens
	// and credentials at rest.
	SecretKey []byte
	// LogFormat is "json" or "text" (LOG_FORMAT).
	LogFormat string
	// LogLevel is the minimum level logged (LOG_LEVEL: debug, info, warn, error).
	LogLevel slog.Level
	// MigrateOnStart makes `serve` apply pending migrations instead of refusing
	// to start on a schema that is behind (MIGRATE_ON_START).
	MigrateOnStart bool
	// TrustProxy makes the gateway take the client address from the last
	// X-Forwarded-For entry, for deployments behind one reverse proxy (TRUST_PROXY).
	TrustProxy bool
	// SessionIdleTimeout ends a portal session after this much inactivity
	// (SESSION_IDLE_TIMEOUT).
	SessionIdleTimeout time.Duration
	// SessionLifetime ends a portal session this long after login, whatever
	// the activity (SESSION_LIFETIME).
	SessionLifetime time.Duration
	// DevCaptchaSolution fixes the captcha's answer for automated browser
	// tests (DEV_CAPTCHA_SOLUTION, dev mode only; serve refuses it).
	DevCaptchaSolution string
	// SeatSyncInterval is how often every company's seats are read from its
	// Centrex (SEAT_SYNC_INTERVAL); the gateway checks every quarter of it,
	// and then also switches off the links of seats that left.
	SeatSyncInterval time.Duration
	// CompanyRetention is how long a switched-off company's data is kept
	// before the janitor deletes it (COMPANY_RETENTION).
	CompanyRetention time.Duration
	// APIRateLimit is how many requests an API key may make per minute,
	// over every instance together (API_RATE_LIMIT).
	APIRateLimit int
	// OutboxInFlight is how many notifications one instance has on their
	// way to Zoho at once, and the keep-alive connections it keeps to Zoho
	// for them (OUTBOX_IN_FLIGHT): Zoho's answer time times the rate to
	// sustain, 64 by default (150 ms at about 400 a second).
	OutboxInFlight int
	// PasswordParams is the argon2id cost of the passwords the gateway
	// hashes (administrators' and operators'): password.Default; not read
	// from the environment (tests that create many set a cheaper one).
	PasswordParams password.Params
	// Dev is true in `gateway dev`: cookies may be sent over plain HTTP on
	// loopback and the demo data is seeded.
	Dev bool

	// ZohoClientID and ZohoClientSecret are the PhoneBridge provider's OAuth
	// client (ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET).
	ZohoClientID     string
	ZohoClientSecret string
	// ZohoClientSecrets are the client's secrets for the data centres where
	// it has a secret of its own, by location code (ZOHO_CLIENT_SECRETS,
	// "eu=…,com=…"); the others use ZohoClientSecret.
	ZohoClientSecrets map[string]string
	// ZohoAccountsURL is the accounts server of the data centre the client is
	// registered in (ZOHO_ACCOUNTS_URL, default zoho.DefaultHomeAccountsURL).
	ZohoAccountsURL *url.URL
	// ZohoDocumentedStates sends callnotify's "missed" and the unattended
	// outbound states as Zoho documents them (ZOHO_DOCUMENTED_STATES); by
	// default they go as "ended" with duration 0, because Zoho's live API is
	// reported to reject them.
	ZohoDocumentedStates bool
	// ZohoAccountsURLSet is true when ZOHO_ACCOUNTS_URL was given; `gateway
	// dev` starts the Zoho simulator only when it was not.
	ZohoAccountsURLSet bool
}

// DefaultOutboxInFlight is OUTBOX_IN_FLIGHT when unset.
const DefaultOutboxInFlight = 64

// Load reads the configuration for mode through getenv and validates it,
// reporting every problem at once.
func Load(getenv func(string) string, mode Mode) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	c := Config{
		PasswordParams:     password.Default,
		DatabaseURL:        get("DATABASE_URL"),
		ListenAddr:         get("LISTEN_ADDR"),
		MetricsAddr:        get("METRICS_ADDR"),
		LogFormat:          strings.ToLower(get("LOG_FORMAT")),
		Dev:                mode == ModeDev,
		ZohoClientID:       get("ZOHO_CLIENT_ID"),
		ZohoClientSecret:   get("ZOHO_CLIENT_SECRET"),
		DevCaptchaSolution: get("DEV_CAPTCHA_SOLUTION"),
	}

	var err error
	if c.ListenAddr, err = ListenAddr(getenv, mode); err != nil {
		errs = append(errs, err)
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("METRICS_ADDR", "want host:port, got %q", c.MetricsAddr)
		} else if c.MetricsAddr == c.ListenAddr && port != "0" {
			bad("METRICS_ADDR", "must differ from LISTEN_ADDR: the metrics and profiles are for the internal network only")
		}
	}
	c.MetricsCompanyLimit = 50
	if v := get("METRICS_COMPANY_LIMIT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 10000 {
			bad("METRICS_COMPANY_LIMIT", "want a number from 0 to 10000, got %q", v)
		} else {
			c.MetricsCompanyLimit = n
		}
	}

	if c.DatabaseURL == "" && mode != ModeDev {
		bad("DATABASE_URL", "is required (a PostgreSQL connection string)")
	}

	public := get("PUBLIC_URL")
	if public == "" && mode == ModeDev {
		public = "http://" + devHost(c.ListenAddr)
	}
	switch u, err := parseOrigin(public); {
	case public == "" && mode == ModeServe:
		bad("PUBLIC_URL", "is required (for example https://gateway.example.com)")
	case public != "" && err != nil:
		bad("PUBLIC_URL", "%v", err)
	default:
		c.PublicURL = u
	}

	switch key := get("SECRET_KEY"); {
	case key == "" && mode == ModeServe:
		bad("SECRET_KEY", "is required: 32 random bytes, base64 (generate one with `openssl rand -base64 32`)")
	case key != "":
		b, err := base64.StdEncoding.DecodeString(key)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(key)
		}
		if err != nil || len(b) != 32 {
			bad("SECRET_KEY", "must be 32 random bytes encoded in base64 (the value is not shown)")
		} else {
			c.SecretKey = b
		}
	}

	if c.LogFormat == "" {
		c.LogFormat = "json"
		if mode != ModeServe {
			c.LogFormat = "text"
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "want json or text, got %q", c.LogFormat)
	}
	if lvl := get("LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			bad("LOG_LEVEL", "want debug, info, warn or error, got %q", lvl)
		}
	}

	c.MigrateOnStart = parseBool(get("MIGRATE_ON_START"), "MIGRATE_ON_START", bad)
	c.TrustProxy = parseBool(get("TRUST_PROXY"), "TRUST_PROXY", bad)
	c.ZohoDocumentedStates = parseBool(get("ZOHO_DOCUMENTED_STATES"), "ZOHO_DOCUMENTED_STATES", bad)
	c.SessionIdleTimeout = parseDuration(get("SESSION_IDLE_TIMEOUT"), 30*time.Minute, "SESSION_IDLE_TIMEOUT", bad)
	c.SessionLifetime = parseDuration(get("SESSION_LIFETIME"), 12*time.Hour, "SESSION_LIFETIME", bad)
	c.SeatSyncInterval = parseDuration(get("SEAT_SYNC_INTERVAL"), time.Hour, "SEAT_SYNC_INTERVAL", bad)
	c.CompanyRetention = parseDuration(get("COMPANY_RETENTION"), 30*24*time.Hour, "COMPANY_RETENTION", bad)
	c.APIRateLimit = 120
	if v := get("API_RATE_LIMIT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 100000 {
			bad("API_RATE_LIMIT", "want requests per minute per key, 1 to 100000, got %q", v)
		} else {
			c.APIRateLimit = n
		}
	}
	c.OutboxInFlight = DefaultOutboxInFlight
	if v := get("OUTBOX_IN_FLIGHT"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 4096 {
			bad("OUTBOX_IN_FLIGHT", "want the deliveries under way at once per instance, 1 to 4096, got %q", v)
		} else {
			c.OutboxInFlight = n
		}
	}
	if c.SessionIdleTimeout > c.SessionLifetime {
		bad("SESSION_IDLE_TIMEOUT", "(%s) must not exceed SESSION_LIFETIME (%s)", c.SessionIdleTimeout, c.SessionLifetime)
	}

	if c.DevCaptchaSolution != "" {
		if mode == ModeServe {
			bad("DEV_CAPTCHA_SOLUTION", "is only for `gateway dev` and automated tests; unset it for serve")
		} else if !allDigits(c.DevCaptchaSolution) || len(c.DevCaptchaSolution) < 4 || len(c.DevCaptchaSolution) > 8 {
			bad("DEV_CAPTCHA_SOLUTION", "must be 4 to 8 digits")
		}
	}

	accounts := get("ZOHO_ACCOUNTS_URL")
	c.ZohoAccountsURLSet = accounts != ""
	if accounts == "" {
		accounts = zoho.DefaultHomeAccountsURL
	}
	if u, err := parseOrigin(accounts); err != nil {
		bad("ZOHO_ACCOUNTS_URL", "%v", err)
	} else {
		c.ZohoAccountsURL = u
	}
	c.ZohoClientSecrets = parseSecrets(get("ZOHO_CLIENT_SECRETS"), bad)
	if (c.ZohoClientID == "") != (c.ZohoClientSecret == "" && len(c.ZohoClientSecrets) == 0) {
		bad("ZOHO_CLIENT_ID", "and ZOHO_CLIENT_SECRET (or ZOHO_CLIENT_SECRETS) must be set together")
	}

	return c, errors.Join(errs...)
}

// ListenAddr reads LISTEN_ADDR alone, with Load's default for mode and its
// check: what `gateway healthcheck` needs, without the rest of the
// configuration.
func ListenAddr(getenv func(string) string, mode Mode) (string, error) {
	addr := strings.TrimSpace(getenv("LISTEN_ADDR"))
	if addr == "" {
		addr = ":8080"
		if mode == ModeDev {
			addr = "127.0.0.1:8080"
		}
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return addr, fmt.Errorf("LISTEN_ADDR: want host:port, got %q", addr)
	}
	return addr, nil
}

// LogValue prints the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	str := func(u *url.URL) string {
		if u == nil {
			return ""
		}
		return u.String()
	}
	return slog.GroupValue(
		slog.String("listen_addr", c.ListenAddr),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("public_url", str(c.PublicURL)),
		slog.Bool("secret_key_set", len(c.SecretKey) > 0),
		slog.Bool("dev", c.Dev),
		slog.String("zoho_accounts_url", str(c.ZohoAccountsURL)),
		slog.Bool("zoho_client_set", c.ZohoClientID != ""),
		slog.Any("zoho_dc_secrets", slices.Sorted(maps.Keys(c.ZohoClientSecrets))),
	)
}

// parseSecrets reads ZOHO_CLIENT_SECRETS: comma-separated dc=secret pairs,
// the data centre named by its location code or accounts domain
// (zoho.DataCentreByName). Problems are reported without the secrets.
func parseSecrets(v string, bad func(string, string, ...any)) map[string]string {
	if v == "" {
		return nil
	}
	out := map[string]string{}
	for i, pair := range strings.Split(v, ",") {
		name, secret, ok := strings.Cut(strings.TrimSpace(pair), "=")
		name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
		dc, known := zoho.DataCentreByName(name)
		switch {
		case !ok || name == "" || secret == "":
			bad("ZOHO_CLIENT_SECRETS", "entry %d is not dc=secret (the values are not shown)", i+1)
		case !known:
			bad("ZOHO_CLIENT_SECRETS", "entry %d names an unknown data centre %q (use a location such as eu or a domain such as com)", i+1, name)
		case out[dc.Location] != "":
			bad("ZOHO_CLIENT_SECRETS", "data centre %s is given twice", dc.Location)
		default:
			out[dc.Location] = secret
		}
	}
	return out
}

// parseOrigin accepts an absolute http(s) URL with a host and no query,
// fragment or user info, and returns it without a trailing slash.
func parseOrigin(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL (the value is not shown)")
	}
	// Redacted hides a password; the value is echoed only that way.
	shown := u.Redacted()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("want an http or https URL, got %q", shown)
	case u.Host == "":
		return nil, fmt.Errorf("missing host in %q", shown)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("must not carry user info, query or fragment: %q", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// devHost turns a listen address into a host:port a local browser can open.
func devHost(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func parseBool(v, name string, bad func(string, string, ...any)) bool {
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		bad(name, "want true or false, got %q", v)
	}
	return b
}

func parseDuration(v string, def time.Duration, name string, bad func(string, string, ...any)) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		bad(name, "want a positive duration such as 30m or 12h, got %q", v)
		return def
	}
	return d
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
