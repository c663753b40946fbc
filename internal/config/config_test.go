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
	}), ModeServe)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"PUBLIC_URL", "SECRET_KEY", "LISTEN_ADDR", "LOG_FORMAT", "LOG_LEVEL", "MIGRATE_ON_START",
		"SESSION_IDLE_TIMEOUT", "DEV_CAPTCHA_SOLUTION", "ZOHO_CLIENT_ID", "ZOHO_ACCOUNTS_URL", "ZOHO_DOCUMENTED_STATES"} {
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
