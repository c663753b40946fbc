// Package i18n holds the portal's texts in Spanish (the default) and
// English, and picks a language from a request's Accept-Language header.
package i18n

import (
	"fmt"

	"golang.org/x/text/language"
)

// Lang is a language the portal speaks.
type Lang string

const (
	// ES is Spanish, the default: the original portal's language.
	ES Lang = "es"
	// EN is English.
	EN Lang = "en"
)

// Langs lists the supported languages, default first.
var Langs = []Lang{ES, EN}

var matcher = language.NewMatcher([]language.Tag{language.Spanish, language.English})

// Parse returns the Lang for a code such as "es" or "en", and false for
// anything else.
func Parse(code string) (Lang, bool) {
	switch Lang(code) {
	case ES, EN:
		return Lang(code), true
	}
	return ES, false
}

// Negotiate picks the language that best fits an Accept-Language header,
// Spanish when nothing fits.
func Negotiate(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ES
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No || idx != 1 {
		return ES
	}
	return EN
}

// T returns the text for key in l, formatted with args when given. A key
// missing from the catalogue comes back as itself, so it shows up in review.
func (l Lang) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[l]
	if s == "" {
		s = m[ES]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Name is the language's own name, for the language switch.
func (l Lang) Name() string {
	if l == EN {
		return "English"
	}
	return "Español"
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := messages[key]
	return ok
}
