package config

import (
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/zoho"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes

func TestServeRequiresEverything(t *testing.T) {
	t.Parallel()
	_, err := Load(env(nil), ModeServe)
	if err == nil {
		t.Fatal("serve started with an empty environment")
	}
	for _, want := range []string{"DATABASE_URL", "PUBLIC_URL", "SECRET_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestServeValid(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"DATABASE_URL": "postgres://u:p@db/gw",
		"PUBLIC_URL":   "https://gw.example.com/",
		"SECRET_KEY":   key,
	}), ModeServe)
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL.String() != "https://gw.example.com" || len(c.SecretKey) != 32 || c.ListenAddr != ":8080" ||
		c.LogFormat != "json" || c.SessionIdleTimeout != 30*time.Minute || c.ZohoAccountsURL.String() != zoho.DefaultHomeAccountsURL {
		t.Fatalf("config = %+v", c)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{
		"DATABASE_URL":           "postgres://db/gw",
		"PUBLIC_URL":             "ftp://x",
		"SECRET_KEY":             "c2hvcnQ=",
		"LISTEN_ADDR":            "8080",
		"LOG_FORMAT":             "xml",
		"LOG_LEVEL":              "loud",
		"MIGRATE_ON_START":       "maybe",
		"SESSION_IDLE_TIMEOUT":   "-1m",
		"DEV_CAPTCHA_SOLUTION":   "1234",
		"ZOHO_CLIENT_ID":         "id-only",
		"ZOHO_ACCOUNTS_URL":      "https://user:pw@accounts.zoho.com",
		"ZOHO_DOCUMENTED_STATES": "sometimes",
		"METRICS_ADDR":           "9090",
		"METRICS_COMPANY_LIMIT":  "lots",
		"OUTBOX_IN_FLIGHT":       "0",
	}), ModeServe)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"PUBLIC_URL", "SECRET_KEY", "LISTEN_ADDR", "LOG_FORMAT", "LOG_LEVEL", "MIGRATE_ON_START",
		"SESSION_IDLE_TIMEOUT", "DEV_CAPTCHA_SOLUTION", "ZOHO_CLIENT_ID", "ZOHO_ACCOUNTS_URL", "ZOHO_DOCUMENTED_STATES",
		"METRICS_ADDR", "METRICS_COMPANY_LIMIT", "OUTBOX_IN_FLIGHT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s", want)
		}
	}
	if strings.Contains(err.Error(), "c2hvcnQ=") || strings.Contains(err.Error(), "pw@") {
		t.Errorf("error echoes a secret:\n%v", err)
	}
}

func TestDevDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"DEV_CAPTCHA_SOLUTION": "123456", "LISTEN_ADDR": "0.0.0.0:9000"}), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev || c.PublicURL.String() != "http://127.0.0.1:9000" || c.DevCaptchaSolution != "123456" || c.LogFormat != "text" {
		t.Fatalf("dev config = %+v", c)
	}
	if _, err := Load(env(map[string]string{"DEV_CAPTCHA_SOLUTION": "12ab"}), ModeDev); err == nil {
		t.Error("a non-digit captcha solution was accepted")
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	t.Parallel()
	c, _ := Load(env(map[string]string{"SECRET_KEY": key, "ZOHO_CLIENT_ID": "cid", "ZOHO_CLIENT_SECRET": "csecret"}), ModeDev)
	v := c.LogValue().String()
	if strings.Contains(v, key) || strings.Contains(v, "csecret") {
		t.Fatalf("LogValue leaks a secret: %s", v)
	}
}

func TestMetricsSettings(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" || c.MetricsCompanyLimit != 50 {
		t.Errorf("defaults: METRICS_ADDR %q, METRICS_COMPANY_LIMIT %d; want off and 50", c.MetricsAddr, c.MetricsCompanyLimit)
	}
	c, err = Load(env(map[string]string{"METRICS_ADDR": "10.0.0.5:9090", "METRICS_COMPANY_LIMIT": "0"}), ModeDev)
	if err != nil || c.MetricsAddr != "10.0.0.5:9090" || c.MetricsCompanyLimit != 0 {
		t.Errorf("set: %+v, %v", c, err)
	}
	_, err = Load(env(map[string]string{"LISTEN_ADDR": ":8080", "METRICS_ADDR": ":8080"}), ModeDev)
	if err == nil || !strings.Contains(err.Error(), "must differ from LISTEN_ADDR") {
		t.Errorf("METRICS_ADDR equal to LISTEN_ADDR: %v", err)
	}
}

func TestOutboxInFlight(t *testing.T) {
	t.Parallel()
	if c, err := Load(env(nil), ModeDev); err != nil || c.OutboxInFlight != DefaultOutboxInFlight {
		t.Errorf("default: %d, %v; want %d", c.OutboxInFlight, err, DefaultOutboxInFlight)
	}
	if c, err := Load(env(map[string]string{"OUTBOX_IN_FLIGHT": "200"}), ModeDev); err != nil || c.OutboxInFlight != 200 {
		t.Errorf("set: %d, %v", c.OutboxInFlight, err)
	}
	for _, v := range []string{"0", "-3", "many", "5000"} {
		if _, err := Load(env(map[string]string{"OUTBOX_IN_FLIGHT": v}), ModeDev); err == nil || !strings.Contains(err.Error(), "OUTBOX_IN_FLIGHT") {
			t.Errorf("OUTBOX_IN_FLIGHT=%s: %v", v, err)
		}
	}
}

func TestListenAddrAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		mode Mode
		want string
		ok   bool
	}{
		{nil, ModeServe, ":8080", true},
		{nil, ModeDev, "127.0.0.1:8080", true},
		{map[string]string{"LISTEN_ADDR": " 10.1.2.3:80 "}, ModeCLI, "10.1.2.3:80", true},
		{map[string]string{"LISTEN_ADDR": "8080"}, ModeCLI, "8080", false},
	} {
		got, err := ListenAddr(env(tc.env), tc.mode)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ListenAddr(%v, %d) = %q, %v", tc.env, tc.mode, got, err)
		}
	}
}

// TestClientSecretsPerDataCentre: ZOHO_CLIENT_SECRETS names data centres by
// location or accounts domain; mistakes are reported without the secrets,
// which are not logged either.
func TestClientSecretsPerDataCentre(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"ZOHO_CLIENT_ID": "cid", "ZOHO_CLIENT_SECRET": "common-secret",
		"ZOHO_CLIENT_SECRETS": "eu=eu-secret, com=us-secret,com.au=au-secret"}), ModeDev)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"eu": "eu-secret", "us": "us-secret", "au": "au-secret"}
	if len(c.ZohoClientSecrets) != len(want) {
		t.Fatalf("secrets for %d data centres: %v", len(c.ZohoClientSecrets), len(c.ZohoClientSecrets))
	}
	for dc, s := range want {
		if c.ZohoClientSecrets[dc] != s {
			t.Errorf("secret of %s is not the one given", dc)
		}
	}
	v := c.LogValue().String()
	for _, s := range []string{"common-secret", "eu-secret", "us-secret", "au-secret"} {
		if strings.Contains(v, s) {
			t.Fatalf("LogValue leaks %s: %s", s, v)
		}
	}
	if !strings.Contains(v, "eu") {
		t.Errorf("LogValue does not say which data centres have a secret: %s", v)
	}
	// Per-DC secrets alone are a client secret too.
	if _, err := Load(env(map[string]string{"ZOHO_CLIENT_ID": "cid", "ZOHO_CLIENT_SECRETS": "eu=x"}), ModeDev); err != nil {
		t.Errorf("ZOHO_CLIENT_SECRETS without ZOHO_CLIENT_SECRET: %v", err)
	}
	for _, bad := range []string{"eu", "mars=top-secret", "eu=one-secret,eu=two-secret", "=top-secret", "eu="} {
		_, err := Load(env(map[string]string{"ZOHO_CLIENT_ID": "cid", "ZOHO_CLIENT_SECRET": "c", "ZOHO_CLIENT_SECRETS": bad}), ModeDev)
		if err == nil || !strings.Contains(err.Error(), "ZOHO_CLIENT_SECRETS") {
			t.Errorf("%q: %v", bad, err)
			continue
		}
		for _, s := range []string{"top-secret", "one-secret", "two-secret"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%q: the error shows a secret: %v", bad, err)
			}
		}
	}
}
