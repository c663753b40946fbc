package i18n

import "testing"

func TestEveryMessageHasEveryLanguage(t *testing.T) {
	for key, m := range messages {
		for _, l := range Langs {
			if m[l] == "" {
				t.Errorf("message %q has no %s text", key, l)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", ES},
		{"es-ES,es;q=0.9", ES},
		{"en-GB,en;q=0.9", EN},
		{"en-US", EN},
		{"fr-FR,fr;q=0.9", ES},
		{"fr-FR,en;q=0.5", EN},
		{"de, es;q=0.8, en;q=0.5", ES},
		{";;garbage", ES},
	} {
		if got := Negotiate(tc.header); got != tc.want {
			t.Errorf("Negotiate(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	if got := EN.T("nav.company", "Fermax"); got != "Company Fermax" {
		t.Errorf("EN nav.company = %q", got)
	}
	if got := ES.T("nav.company", "Fermax"); got != "Empresa Fermax" {
		t.Errorf("ES nav.company = %q", got)
	}
	if got := ES.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
}
