package i18n

import (
	"time"
)

// DateTime writes t in loc as the language does, with the zone's
// abbreviation so the reader knows which clock it is: "24/11/2026 11:00 CET"
// in Spanish, "24 Nov 2026 11:00 CET" in English. The zero time is "".
func (l Lang) DateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() || t.Unix() <= 0 {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	if l == EN {
		return t.In(loc).Format("2 Jan 2006 15:04 MST")
	}
	return t.In(loc).Format("02/01/2006 15:04 MST")
}

// Date writes the day of t in loc: "24/11/2026" or "24 Nov 2026".
func (l Lang) Date(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	if l == EN {
		return t.In(loc).Format("2 Jan 2006")
	}
	return t.In(loc).Format("02/01/2006")
}

// Duration writes a call's length in words, to the second below an hour
// and to the minute above: "45 segundos", "1 minuto", "2 minutos y 5
// segundos", "1 hora y 3 minutos".
func (l Lang) Duration(d time.Duration) string {
	secs := int(max(d, 0).Round(time.Second) / time.Second)
	h, m, s := secs/3600, secs%3600/60, secs%60
	switch {
	case h > 0:
		return l.T("duration.hours", h, m)
	case m == 0:
		return l.T("duration.seconds", s)
	case s == 0:
		return l.T("duration.minutes", m)
	}
	return l.T("duration.minsec", m, s)
}
