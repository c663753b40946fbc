package phonenumber

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		kind Kind
	}{
		{"910726329", "+34910726329", E164},
		{"910 000 111", "+34910000111", E164},
		{"600-111-222", "+34600111222", E164},
		{"(91) 000.01.11", "+34910000111", E164},
		{"712345678", "+34712345678", E164},
		{"812345678", "+34812345678", E164},
		{"0034910000111", "+34910000111", E164},
		{"0034 910 000 111", "+34910000111", E164},
		{"00441632960961", "+441632960961", E164},
		{"+34910000111", "+34910000111", E164},
		{"+34 910 000 111", "+34910000111", E164},
		{"(+34) 910-000-111", "+34910000111", E164},
		{"+1 (500) 700-3333", "+15007003333", E164},
		{"34910000111", "+34910000111", E164},
		{"tel:+34910726330", "+34910726330", E164},
		{"TEL:910726330", "+34910726330", E164},
		{"tel:+15006001011;ext=1011", "+15006001011", E164},
		{"tel:+34-910-000-111;phone-context=example.com", "+34910000111", E164},
		{"sip:910726329@conecta.orange.es", "+34910726329", E164},
		{"sip:+34910726329@conecta.orange.es;user=phone", "+34910726329", E164},
		{"sips:0034600111222@example.com", "+34600111222", E164},
		{"  910726329\t", "+34910726329", E164},
		{"910\u00a0726\u00a0329", "+34910726329", E164},
		{"1011", "1011", Extension},
		{"tel:1011", "1011", Extension},
		{"sip:2001@conecta.orange.es", "2001", Extension},
		{"12", "12", Extension},
		{"112", "112", Extension},
		{"123456", "123456", Extension},
		{"1234567", "1234567", Digits},
		{"0910000111", "0910000111", Digits},
		{"512345678", "512345678", Digits},
		{"123456789012345", "123456789012345", Digits},
		{"+123456789012345", "+123456789012345", E164},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if n.Value != tt.want || n.Kind != tt.kind {
				t.Errorf("Parse(%q) = %q (%v), want %q (%v)", tt.in, n.Value, n.Kind, tt.want, tt.kind)
			}
			if !Valid(n.Value) {
				t.Errorf("Valid(%q) = false for a normalised value", n.Value)
			}
			if s, _ := Normalize(tt.in); s != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{"- . ()", ErrEmpty},
		{"tel:", ErrEmpty},
		{"+", ErrEmpty},
		{"91O726329", ErrInvalid},
		{"Pepe Sanchez", ErrInvalid},
		{"sip:alice@example.com", ErrInvalid},
		{"910726329#", ErrInvalid},
		{"*21#", ErrInvalid},
		{"34+910726329", ErrInvalid},
		{"++34910726329", ErrInvalid},
		{"+0034910726329", ErrInvalid},
		{"mailto:910726329", ErrInvalid},
		{"1", ErrTooShort},
		{"+34", ErrTooShort},
		{"00", ErrTooShort},
		{"+123456", ErrTooShort},
		{"1234567890123456", ErrTooLong},
		{"+1234567890123456", ErrTooLong},
		{strings.Repeat(" ", MaxInputLen) + "1", ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) = %q, %v; want %v", tt.in, n.Value, err, tt.want)
			}
			if n != (Number{}) {
				t.Errorf("Parse(%q) returned %+v with an error", tt.in, n)
			}
			if !strings.HasPrefix(err.Error(), "phonenumber: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"+34910000111": true, "1011": true, "1234567": true,
		"910000111": false, "0034910000111": false, "tel:1011": false, "": false, "+34 910": false,
	} {
		if got := Valid(in); got != want {
			t.Errorf("Valid(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[Kind]string{E164: "e164", Extension: "extension", Digits: "digits", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

var validForm = regexp.MustCompile(`^(\+[1-9][0-9]{6,14}|[0-9]{2,6}|[0-9]{7,15})$`)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"910726329", "+34 910 000 111", "0034910000111", "tel:+34910726330", "tel:1011",
		"sip:910726329@conecta.orange.es", "(91) 000.01.11", "1011", "abc", "", "+", "00",
		"tel:+15006001011;ext=1011", "34910000111", "+0", "sip:@", "١٢٣٤", "9\u00a01",
		"+44 (0)20 7946 0958", "910 000 111 ext. 12", "+1 500 700 3333 x123", "12 x3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := Parse(in)
		if err != nil {
			if n != (Number{}) {
				t.Fatalf("Parse(%q) = %+v with error %v", in, n, err)
			}
			return
		}
		if !validForm.MatchString(n.Value) {
			t.Fatalf("Parse(%q) = %q: not a valid form", in, n.Value)
		}
		again, err := Parse(n.Value)
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", in, n.Value, again.Value, err)
		}
	})
}

// TestParseAsTypedInACRM: numbers as people type them into a CRM, which
// the plain rules got wrong (a trunk prefix after the country code) or
// refused (an extension after the number).
func TestParseAsTypedInACRM(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"+44 (0)20 7946 0958", "+442079460958"},
		{"+44 020 7946 0958", "+442079460958"},
		{"0044 (0)20 7946 0958", "+442079460958"},
		{"+49 (0)30 1234567", "+49301234567"},
		{"+33 (0)1 23 45 67 89", "+33123456789"},
		{"+39 06 1234 5678", "+390612345678"}, // Italy keeps its leading 0
		{"+34 910 000 111 ext. 12", "+34910000111"},
		{"910 000 111 ext 12", "+34910000111"},
		{"600 123 456 extension 7", "+34600123456"},
		{"+1 500 700 3333 x123", "+15007003333"},
		{"+44 20 7946 0958 #7", "+442079460958"},
		{"+441632960961", "+441632960961"}, // a range libphonenumber does not know: kept as written
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			n, err := Parse(tt.in)
			if err != nil || n.Value != tt.want || n.Kind != E164 {
				t.Fatalf("Parse(%q) = %+v, %v; want %q", tt.in, n, err, tt.want)
			}
		})
	}
	for _, in := range []string{"+34 91O726329 ext 5", "910726329 call me", "ext. 12", "910726329 ext 1a", "+34 910 000 111 ext"} {
		if n, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrInvalid", in, n, err)
		}
	}
}
