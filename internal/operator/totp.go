package operator

import (
	"encoding/base32"
	"image"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The operators' codes are RFC 6238's defaults, which every authenticator
// app reads from the QR code: six digits, SHA-1, a new code every 30
// seconds.
const totpPeriod = 30

// totpSkew is how many periods before and after now a code is taken from,
// for a phone's clock that is a little off.
const totpSkew = 1

// maxCodeChars bounds a typed code before it is read.
const maxCodeChars = 16

// newTOTPSecret returns a fresh secret (160 random bits, base32).
func newTOTPSecret(issuer, account string) (string, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod})
	if err != nil {
		return "", err
	}
	return k.Secret(), nil
}

// totpKey is secret's key as an authenticator app reads it (the QR code's
// otpauth:// URL).
func totpKey(issuer, account, secret string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, err
	}
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw})
}

// totpQR draws secret's QR code, size pixels square.
func totpQR(issuer, account, secret string, size int) (image.Image, error) {
	k, err := totpKey(issuer, account, secret)
	if err != nil {
		return nil, err
	}
	return k.Image(size, size)
}

// checkTOTP reports whether code is secret's code at now, or at up to
// totpSkew periods around it, and which time step it is of (so that it is
// taken once: store.UseTOTPStep). Spaces in the code are ignored.
func checkTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		at := time.Unix((current+d)*totpPeriod, 0)
		if good, err := totp.ValidateCustom(code, secret, at, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}); err == nil && good {
			return current + d, true
		}
	}
	return 0, false
}

// groupSecret writes a secret in groups of four, for typing it by hand.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
