package password

import (
	"errors"
	"strings"
	"testing"
)

// fast keeps the tests quick; the format is the same as Default's.
var fast = Params{Memory: 1024, Time: 1, Threads: 1}

func TestHashAndCheck(t *testing.T) {
	t.Parallel()
	h, err := Hash("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not in PHC argon2id form", h)
	}
	for _, tc := range []struct {
		name string
		pw   string
		want bool
	}{
		{"right password", "correct horse battery", true},
		{"wrong password", "correct horse batterY", false},
		{"empty password", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(tc.pw, h)
			if err != nil || got != tc.want {
				t.Fatalf("Check = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	h2, _ := Hash("correct horse battery", fast)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestCheckMalformed(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=1,t=1,p=1$!!$AAAA"} {
		if _, err := Check("x", h); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Check(%q) error = %v, want ErrMalformedHash", h, err)
		}
	}
}

func TestValidateAndGenerate(t *testing.T) {
	t.Parallel()
	if err := Validate("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := Validate(strings.Repeat("x", 300)); err == nil {
		t.Error("a 300-byte password was accepted")
	}
	g := Generate()
	if err := Validate(g); err != nil {
		t.Errorf("generated password %q is invalid: %v", g, err)
	}
	if Generate() == g {
		t.Error("two generated passwords are equal")
	}
}
