// Package captcha makes and checks the login captcha with
// github.com/dchest/captcha's image and audio renderers, but without its
// package-global in-memory store: a Challenge is a plain value that the
// portal keeps in the visitor's session, so it is single-use and works across
// every instance of the gateway.
package captcha

import (
	"crypto/rand"
	"crypto/subtle"
	"io"
	"strings"

	dc "github.com/dchest/captcha"
)

// Length is the number of digits of a challenge.
const Length = 6

// Image size in pixels.
const (
	Width  = 240
	Height = 80
)

// Challenge is one captcha: an id that names its image and sound, and the
// digits that answer it.
type Challenge struct {
	ID     string
	Digits string
}

// Maker creates challenges. A fixed solution (dev mode, for automated
// browser tests) gives every challenge the same digits; the image is still
// drawn and the answer still checked.
type Maker struct {
	fixed string
}

// NewMaker returns a Maker; fixed is "" in production.
func NewMaker(fixed string) *Maker { return &Maker{fixed: fixed} }

// New returns a fresh challenge.
func (m *Maker) New() Challenge {
	digits := m.fixed
	if digits == "" {
		var b strings.Builder
		for _, d := range dc.RandomDigits(Length) {
			b.WriteByte('0' + d)
		}
		digits = b.String()
	}
	return Challenge{ID: randomID(), Digits: digits}
}

// Verify reports whether answer solves c. Spaces are ignored; comparison is
// constant-time. An empty challenge never verifies.
func Verify(c Challenge, answer string) bool {
	answer = strings.Join(strings.Fields(answer), "")
	if c.Digits == "" || len(answer) != len(c.Digits) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(answer), []byte(c.Digits)) == 1
}

// WriteImage writes c as a PNG image.
func WriteImage(w io.Writer, c Challenge) error {
	_, err := dc.NewImage(c.ID, raw(c.Digits), Width, Height).WriteTo(w)
	return err
}

// WriteAudio writes c as a WAV file spoken in lang ("en", or one of the
// library's few other languages; anything else falls back to English).
func WriteAudio(w io.Writer, c Challenge, lang string) error {
	_, err := dc.NewAudio(c.ID, raw(c.Digits), lang).WriteTo(w)
	return err
}

func raw(digits string) []byte {
	b := make([]byte, len(digits))
	for i := range len(digits) {
		b[i] = digits[i] - '0'
	}
	return b
}

func randomID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
