// Package captcha makes and checks the login captcha with
// github.com/dchest/captcha's image and audio renderers, but without its
// package-global in-memory store. A Challenge travels as a token: the
// challenge sealed with SECRET_KEY (AES-256-GCM, internal/secretbox), so the
// login page keeps nothing on the server (a visitor without a cookie costs
// no session row), every instance can read it, and the client can neither
// read the digits nor forge or extend one.
//
// Being single-use is the caller's part: before it looks at an answer it
// records the challenge's ID, once across every instance (the portal does
// so in PostgreSQL), and evaluates the answer only if it was the first.
package captcha

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"strconv"
	"strings"
	"time"

	dc "github.com/dchest/captcha"

	"github.com/conecta-zoho/gateway/internal/secretbox"
)

// Length is the number of digits of a challenge.
const Length = 6

// TTL is how long a challenge can be answered.
const TTL = 30 * time.Minute

// Image size in pixels.
const (
	Width  = 240
	Height = 80
)

// maxToken bounds a token before it is decoded (tokens are about 90
// characters).
const maxToken = 256

// sealContext binds tokens to this use of SECRET_KEY.
const sealContext = "captcha"

// Challenge is one captcha: an id that names its image and sound and
// makes it single-use, the digits that answer it, and when it expires.
type Challenge struct {
	ID      string
	Digits  string
	Expires time.Time
}

// Maker creates challenges and reads them back from their tokens. A fixed
// solution (dev mode, for automated browser tests) gives every challenge
// the same digits; the image is still drawn and the answer still checked.
type Maker struct {
	box   *secretbox.Box
	fixed string
	now   func() time.Time
}

// NewMaker returns a Maker sealing with box; fixed is "" in production, now
// nil means time.Now.
func NewMaker(box *secretbox.Box, fixed string, now func() time.Time) *Maker {
	if now == nil {
		now = time.Now
	}
	return &Maker{box: box, fixed: fixed, now: now}
}

// New returns a fresh challenge and its token.
func (m *Maker) New() (Challenge, string) {
	digits := m.fixed
	if digits == "" {
		var b strings.Builder
		for _, d := range dc.RandomDigits(Length) {
			b.WriteByte('0' + d)
		}
		digits = b.String()
	}
	c := Challenge{ID: rand.Text(), Digits: digits, Expires: m.now().Add(TTL).Truncate(time.Second)}
	plain := c.ID + " " + c.Digits + " " + strconv.FormatInt(c.Expires.Unix(), 10)
	return c, base64.RawURLEncoding.EncodeToString(m.box.SealString(plain, sealContext))
}

// Open reads a token made by New. It reports false for anything else, and
// for a challenge that has expired.
func (m *Maker) Open(token string) (Challenge, bool) {
	if token == "" || len(token) > maxToken {
		return Challenge{}, false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return Challenge{}, false
	}
	plain, err := m.box.OpenString(sealed, sealContext)
	if err != nil {
		return Challenge{}, false
	}
	f := strings.Fields(plain)
	if len(f) != 3 {
		return Challenge{}, false
	}
	unix, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return Challenge{}, false
	}
	c := Challenge{ID: f[0], Digits: f[1], Expires: time.Unix(unix, 0)}
	if !m.now().Before(c.Expires) {
		return Challenge{}, false
	}
	return c, true
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
