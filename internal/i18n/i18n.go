// Package i18n is the gateway's one message catalogue, in Spanish (the
// default) and English: the portal's texts, and the messages the company's
// Zoho users see from the gateway (click-to-dial errors in Zoho's call bar).
// It picks a language from a request's Accept-Language header, and formats
// what the texts carry for the language: counts with their plural forms
// ("1 correcto", "2 correctos"), numbers ("1.235" in Spanish, "1,235" in
// English) and dates in a time zone.
//
// Texts live in a golang.org/x/text message catalogue built from the
// messages_*.go tables: plain texts are fmt formats; texts that count
// something have a form per plural category (plural.Selectf), so the
// grammar follows CLDR rather than "%d elemento(s)".
package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
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

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == EN {
		return language.English
	}
	return language.Spanish
}

// printers hold one message printer per language over the catalogue.
var printers = map[Lang]*message.Printer{
	ES: message.NewPrinter(ES.Tag(), message.Catalog(catalogue)),
	EN: message.NewPrinter(EN.Tag(), message.Catalog(catalogue)),
}

func (l Lang) printer() *message.Printer {
	if p, ok := printers[l]; ok {
		return p
	}
	return printers[ES]
}

// T returns the text for key in l, formatted with args: integers are
// written with the language's digit grouping and select the plural form of
// texts that count. A key missing from the catalogue comes back as itself,
// so it shows up in review. Pass identifiers that look like numbers (years,
// phone numbers) as strings.
func (l Lang) T(key string, args ...any) string {
	texts, plain := messages[key]
	counted := counts(key)
	switch {
	case !plain && !counted:
		return key
	case len(args) == 0 && !counted:
		if s := texts[l]; s != "" {
			return s
		}
		return texts[ES]
	}
	return l.printer().Sprintf(key, args...)
}

// Number formats n with the language's digit grouping.
func (l Lang) Number(n int) string { return l.printer().Sprint(n) }

// Name is the language's own name, for the language switch.
func (l Lang) Name() string {
	if l == EN {
		return "English"
	}
	return "Español"
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	if _, ok := messages[key]; ok {
		return true
	}
	return counts(key)
}
