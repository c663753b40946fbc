// Package phonenumber normalises the phone numbers the gateway exchanges
// between Zoho PhoneBridge and the Centrex: the tonumber Zoho sends to the
// click-to-dial URI (passed on as the Xsi address) and the from/to numbers
// of callnotify.
//
// The result of Parse and Normalize is always one of three forms:
//
//   - E164: "+" and 7 to 15 digits, the first one not 0 ("+34910000111");
//   - Extension: 2 to 6 digits, a short internal number kept as it is
//     ("1011");
//   - Digits: 7 to 15 digits that are neither Spanish nor international
//     (for example a number behind an outside-line prefix), kept as they are
//     for the PBX to route.
//
// Spain is the home country: nine-digit national numbers starting with 6, 7,
// 8 or 9 become +34…, and so do eleven digits starting with 34 and such a
// national number (an international number written without "+" or "00").
//
// Numbers typed freely in a CRM are read with Google's libphonenumber rules
// (github.com/nyaruka/phonenumbers) where a hand-written rule would get them
// wrong: an international number is formatted with its country's rules, so
// the trunk prefix some countries write after the country code goes
// ("+44 (0)20 7946 0958" is +442079460958, "+49 (0)30 1234567" is
// +49301234567); and an extension after the number ("ext. 12", "x12",
// "extension 7", "#12") is recognised and dropped, since the Centrex dials
// the number itself. A number the library does not know as valid (a
// reserved range, an unassigned country code) keeps the plain rule: "+" and
// its digits. Short extensions and digit strings behind an outside-line
// prefix never reach the library. The package does no I/O and is safe for
// concurrent use.
package phonenumber

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// homeRegion is the region national numbers are read in.
const homeRegion = "ES"

// Errors a caller can branch on with errors.Is; every error of Parse and
// Normalize wraps exactly one of them.
var (
	// ErrEmpty: nothing but spaces and separators.
	ErrEmpty = errors.New("empty number")
	// ErrInvalid: letters or other characters that are not part of a number,
	// or a "+" not at the start.
	ErrInvalid = errors.New("invalid character in number")
	// ErrTooShort: a single digit, or fewer than 7 digits after "+".
	ErrTooShort = errors.New("number too short")
	// ErrTooLong: more than 15 digits (the E.164 maximum) or an input longer
	// than MaxInputLen.
	ErrTooLong = errors.New("number too long")
)

// MaxInputLen bounds the raw input, URI and separators included.
const MaxInputLen = 128

// Kind is the form of a normalised number.
type Kind int

// The normalised forms (see the package comment).
const (
	// E164 is "+" followed by 7 to 15 digits.
	E164 Kind = iota + 1
	// Extension is a short internal number of 2 to 6 digits.
	Extension
	// Digits is 7 to 15 digits kept as they are.
	Digits
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case E164:
		return "e164"
	case Extension:
		return "extension"
	case Digits:
		return "digits"
	}
	return "unknown"
}

// Number is a normalised phone number.
type Number struct {
	// Value is the normalised text, e.g. "+34910000111" or "1011".
	Value string
	// Kind tells which form Value has.
	Kind Kind
}

// Normalize returns the normalised form of raw; see Parse.
func Normalize(raw string) (string, error) {
	n, err := Parse(raw)
	return n.Value, err
}

// Parse normalises raw: it takes the user part of a tel:, sip: or sips: URI
// (before any '@' or ';' parameter), drops a trailing extension, drops
// spaces, dashes, dots, slashes and parentheses, turns a leading "00" into
// "+", formats an international number with its country's rules (see the
// package comment), adds +34 to Spanish national numbers and classifies the
// result. Errors quote the input.
func Parse(raw string) (Number, error) {
	if len(raw) > MaxInputLen {
		return Number{}, fmt.Errorf("phonenumber: %d characters: %w", len(raw), ErrTooLong)
	}
	fail := func(err error) (Number, error) {
		return Number{}, fmt.Errorf("phonenumber: %q: %w", raw, err)
	}
	text, err := withoutExtension(userPart(strings.TrimSpace(raw)))
	if err != nil {
		return fail(err)
	}
	digits, plus, err := clean(text)
	if err != nil {
		return fail(err)
	}
	if digits == "" {
		return fail(ErrEmpty)
	}
	if !plus && strings.HasPrefix(digits, "00") {
		digits, plus = digits[2:], true
	}
	switch {
	case len(digits) > 15:
		return fail(ErrTooLong)
	case plus && len(digits) < 7:
		return fail(ErrTooShort)
	case plus && digits[0] == '0':
		return fail(fmt.Errorf("country code cannot start with 0: %w", ErrInvalid))
	case plus:
		return Number{Value: international(text, digits), Kind: E164}, nil
	case spanishNational(digits):
		return Number{Value: "+34" + digits, Kind: E164}, nil
	case len(digits) == 11 && strings.HasPrefix(digits, "34") && spanishNational(digits[2:]):
		return Number{Value: "+" + digits, Kind: E164}, nil
	case len(digits) < 2:
		return fail(ErrTooShort)
	case len(digits) <= 6:
		return Number{Value: digits, Kind: Extension}, nil
	}
	return Number{Value: digits, Kind: Digits}, nil
}

// international is the E.164 form of an international number written as
// text, whose digits after "+" or "00" are digits: libphonenumber's, when it
// knows the number as valid (it drops a trunk prefix written after the
// country code), else "+" and the digits.
func international(text, digits string) string {
	if n, err := phonenumbers.Parse(text, homeRegion); err == nil && phonenumbers.IsValidNumber(n) {
		if e164 := phonenumbers.Format(n, phonenumbers.E164); len(e164) >= 8 && len(e164) <= 16 {
			return e164
		}
	}
	return "+" + digits
}

// withoutExtension returns s without a trailing extension that
// libphonenumber recognises ("ext. 12", "x12", "extension 7", "#12"): the
// number is what comes before its marker. Text with any other character
// that is not part of a number is ErrInvalid; text without one is returned
// as it is.
func withoutExtension(s string) (string, error) {
	i := strings.IndexFunc(s, func(c rune) bool { return !numberRune(c) })
	if i < 0 {
		return s, nil
	}
	n, err := phonenumbers.Parse(s, homeRegion)
	if err != nil || n.GetExtension() == "" {
		return "", ErrInvalid
	}
	marker, ok := strings.CutSuffix(s[i:], n.GetExtension())
	if !ok || strings.ContainsFunc(marker, func(c rune) bool { return c >= '0' && c <= '9' }) {
		return "", ErrInvalid
	}
	return s[:i], nil
}

// numberRune reports whether c may appear in a number: a digit, "+" or a
// separator.
func numberRune(c rune) bool {
	return c >= '0' && c <= '9' || c == '+' || separator(c)
}

// separator reports whether c is one of the characters people put between
// the digits of a number.
func separator(c rune) bool {
	return c == ' ' || c == '\t' || c == '\u00a0' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'
}

// userPart strips a tel:, sip: or sips: scheme and keeps the user part.
func userPart(s string) string {
	lower := strings.ToLower(s)
	for _, scheme := range []string{"tel:", "sip:", "sips:"} {
		if strings.HasPrefix(lower, scheme) {
			s = s[len(scheme):]
			s, _, _ = strings.Cut(s, "@")
			s, _, _ = strings.Cut(s, ";")
			return s
		}
	}
	return s
}

// clean drops separators and returns the digits and whether a leading '+'
// was present.
func clean(s string) (digits string, plus bool, err error) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && b.Len() == 0 && !plus:
			plus = true
		case separator(c):
		default:
			return "", false, ErrInvalid
		}
	}
	return b.String(), plus, nil
}

// spanishNational reports whether d is a nine-digit Spanish number of the
// fixed (8, 9) or mobile (6, 7) ranges.
func spanishNational(d string) bool {
	return len(d) == 9 && d[0] >= '6' && d[0] <= '9'
}

// Valid reports whether s is already in one of the normalised forms, so
// Normalize(s) returns s unchanged.
func Valid(s string) bool {
	n, err := Parse(s)
	return err == nil && n.Value == s
}
