package captcha

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/conecta-zoho/gateway/internal/secretbox"
)

func testBox(t *testing.T, b byte) *secretbox.Box {
	t.Helper()
	box, err := secretbox.New(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func TestVerify(t *testing.T) {
	t.Parallel()
	c := Challenge{ID: "x", Digits: "123456"}
	for _, tc := range []struct {
		answer string
		want   bool
	}{
		{"123456", true},
		{" 123 456 ", true},
		{"123457", false},
		{"12345", false},
		{"", false},
	} {
		if got := Verify(c, tc.answer); got != tc.want {
			t.Errorf("Verify(%q) = %v, want %v", tc.answer, got, tc.want)
		}
	}
	if Verify(Challenge{}, "") {
		t.Error("an empty challenge verified an empty answer")
	}
}

func TestMaker(t *testing.T) {
	t.Parallel()
	m := NewMaker(testBox(t, 1), "", nil)
	a, ta := m.New()
	b, tb := m.New()
	if len(a.Digits) != Length || a.ID == b.ID || ta == tb {
		t.Fatalf("challenges %+v and %+v: want %d digits and distinct ids and tokens", a, b, Length)
	}
	if strings.Contains(ta, a.Digits) {
		t.Fatal("the token shows the digits")
	}
	if f, _ := NewMaker(testBox(t, 1), "4242", nil).New(); f.Digits != "4242" {
		t.Fatalf("fixed maker gave %q", f.Digits)
	}
}

// TestOpen: a token opens to its challenge until it expires; a token of
// another key, a tampered or truncated one and garbage do not open.
func TestOpen(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	m := NewMaker(testBox(t, 1), "", func() time.Time { return now })
	c, token := m.New()
	got, ok := m.Open(token)
	if !ok || got.ID != c.ID || got.Digits != c.Digits || !got.Expires.Equal(c.Expires) {
		t.Fatalf("Open = %+v, %v; want %+v", got, ok, c)
	}
	sealed, _ := base64.RawURLEncoding.DecodeString(token)
	sealed[len(sealed)-1] ^= 1
	for name, bad := range map[string]string{
		"empty":       "",
		"garbage":     "not a token",
		"truncated":   token[:len(token)-4],
		"tampered":    base64.RawURLEncoding.EncodeToString(sealed),
		"too long":    strings.Repeat("A", 300),
		"another key": func() string { _, t := NewMaker(testBox(t, 2), "", nil).New(); return t }(),
	} {
		if _, ok := m.Open(bad); ok {
			t.Errorf("%s: a token that is not ours opened", name)
		}
	}
	now = now.Add(TTL - time.Second)
	if _, ok := m.Open(token); !ok {
		t.Fatal("the token expired early")
	}
	now = now.Add(time.Second)
	if _, ok := m.Open(token); ok {
		t.Fatal("an expired token opened")
	}
}

func TestWriteImageAndAudio(t *testing.T) {
	t.Parallel()
	c, _ := NewMaker(testBox(t, 1), "", nil).New()
	var img bytes.Buffer
	if err := WriteImage(&img, c); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&img)
	if err != nil || cfg.Width != Width || cfg.Height != Height {
		t.Fatalf("image: %+v, %v", cfg, err)
	}
	var wav bytes.Buffer
	if err := WriteAudio(&wav, c, "en"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wav.Bytes(), []byte("RIFF")) {
		t.Fatal("audio is not a WAV file")
	}
}
