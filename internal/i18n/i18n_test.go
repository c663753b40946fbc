package i18n

import (
	"testing"
	"time"
)

func TestEveryMessageHasEveryLanguage(t *testing.T) {
	t.Parallel()
	for key, m := range messages {
		for _, l := range Langs {
			if m[l] == "" {
				t.Errorf("message %q has no %s text", key, l)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestCountedMessagesHaveEveryLanguage(t *testing.T) {
	t.Parallel()
	for key, m := range countedMessages {
		for _, l := range Langs {
			if len(m[l]) == 0 {
				t.Errorf("counted message %q has no %s text", key, l)
			}
		}
	}
}

// TestPlurals checks the plural forms and the digit grouping of both
// languages through the x/text catalogue.
func TestPlurals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		l    Lang
		key  string
		args []any
		want string
	}{
		{ES, "seats.bulk.summary", []any{1, 0}, "1 correcto, 0 con error."},
		{ES, "seats.bulk.summary", []any{2, 1}, "2 correctos, 1 con error."},
		{EN, "seats.bulk.summary", []any{1, 3}, "1 succeeded, 3 failed."},
		{ES, "activity.pending", []any{1}, "pendiente (tras 1 intento)"},
		{ES, "activity.pending", []any{4}, "pendiente (tras 4 intentos)"},
		{EN, "activity.parked", []any{1}, "stopped after 1 attempt"},
		{ES, "seats.showing", []any{1, 1, 1}, "Mostrando 1 a 1 de 1 elemento"},
		{ES, "seats.showing", []any{1, 10, 1235}, "Mostrando 1 a 10 de 1.235 elementos"},
		{EN, "seats.showing", []any{1, 10, 1235}, "Showing 1 to 10 of 1,235 entries"},
		{ES, "activate.more", []any{1}, "Y 1 usuario más: afine la búsqueda."},
		{ES, "seats.ok.synced", []any{32, 1, 0}, "Sincronización con la centralita terminada: 32 puestos, 1 nuevo, 0 desaparecidos."},
		{ES, "login.throttled", []any{1}, "Demasiados intentos fallidos. Por seguridad, el acceso queda bloqueado durante 1 minuto; vuelva a intentarlo después."},
		{ES, "footer.copy", []any{"2026"}, "Copyright © 2014-2026 . Orange Digital Centrex"},
	} {
		if got := tc.l.T(tc.key, tc.args...); got != tc.want {
			t.Errorf("%s %s %v = %q, want %q", tc.l, tc.key, tc.args, got, tc.want)
		}
	}
	if got := ES.Number(1235); got != "1.235" {
		t.Errorf("ES 1235 = %q", got)
	}
	if got := EN.Number(1235); got != "1,235" {
		t.Errorf("EN 1235 = %q", got)
	}
}

func TestDatesAndDurations(t *testing.T) {
	t.Parallel()
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	winter := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{ES.DateTime(winter, madrid), "24/11/2026 11:00 CET"},
		{ES.DateTime(summer, madrid), "02/07/2026 00:30 CEST"},
		{EN.DateTime(winter, madrid), "24 Nov 2026 11:00 CET"},
		{ES.DateTime(winter, time.UTC), "24/11/2026 10:00 UTC"},
		{ES.DateTime(time.Time{}, madrid), ""},
		{ES.Date(summer, madrid), "02/07/2026"},
		{ES.Duration(45 * time.Second), "45 segundos"},
		{ES.Duration(time.Second), "1 segundo"},
		{ES.Duration(time.Minute), "1 minuto"},
		{ES.Duration(125 * time.Second), "2 minutos y 5 segundos"},
		{EN.Duration(61 * time.Second), "1 minute and 1 second"},
		{ES.Duration(time.Hour + 3*time.Minute + 20*time.Second), "1 hora y 3 minutos"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
