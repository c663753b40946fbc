package chars

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 5, ""},
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"ñandú", 4, "ñand"},
		{"ñandú", 5, "ñandú"},
		{"año 2026", 2, "añ"},
		{"€€€", 1, "€"},
		{"a\xffb", 3, "a\uFFFDb"},
		{"a\xffbc", 2, "a\uFFFD"},
		{"abc", 0, ""},
		{"abc", -1, ""},
	} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestTruncateNeverSplitsACharacter: a cut at any length of a text of
// two-, three- and four-byte characters leaves valid UTF-8 of exactly that
// many characters, where a cut by bytes would split one.
func TestTruncateNeverSplitsACharacter(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("aé€𝄞", 50)
	for n := range utf8.RuneCountInString(s) + 2 {
		got := Truncate(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("Truncate(…, %d) is not valid UTF-8: %q", n, got)
		}
		if c := utf8.RuneCountInString(got); c != min(n, utf8.RuneCountInString(s)) {
			t.Fatalf("Truncate(…, %d) has %d characters", n, c)
		}
		if !strings.HasPrefix(s, got) {
			t.Fatalf("Truncate(…, %d) is not a prefix", n)
		}
	}
}

func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "abc", "ñandú", "a\xffb", "\xe2\x82", strings.Repeat("é", 300)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 1000
		got := Truncate(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q is not valid UTF-8", s, n, got)
		}
		if c := utf8.RuneCountInString(got); c > max(n, 0) {
			t.Fatalf("Truncate(%q, %d) has %d characters", s, n, c)
		}
	})
}

func TestValid(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"":                     true,
		"admin@fermax.com":     true,
		"Peña\tNúñez\r\n":      true,
		"admin\x00@x.com":      false,
		"\xff":                 false,
		"caf\xc3":              false,
		"\xed\xa0\x80":         false, // a UTF-16 surrogate
		strings.Repeat("€", 9): true,
	} {
		if got := Valid(in); got != want {
			t.Errorf("Valid(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestValidForm(t *testing.T) {
	t.Parallel()
	if !ValidForm(url.Values{"email": {"ana@peña.es"}, "seat": {"1", "2"}}) || !ValidForm(nil) {
		t.Error("a text form is not valid")
	}
	for _, bad := range []url.Values{{"seat": {"1", "a\x00"}}, {"\xff": {"x"}}, {"q": {"\xc3"}}} {
		if ValidForm(bad) {
			t.Errorf("ValidForm(%q) = true", bad)
		}
	}
}
