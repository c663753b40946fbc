package captcha

import (
	"bytes"
	"image/png"
	"testing"
)

func TestVerify(t *testing.T) {
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
	a, b := NewMaker("").New(), NewMaker("").New()
	if len(a.Digits) != Length || a.ID == b.ID {
		t.Fatalf("challenges %+v and %+v: want %d digits and distinct ids", a, b, Length)
	}
	f := NewMaker("4242").New()
	if f.Digits != "4242" {
		t.Fatalf("fixed maker gave %q", f.Digits)
	}
}

func TestWriteImageAndAudio(t *testing.T) {
	c := NewMaker("").New()
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
