// Package password hashes and checks administrator passwords with argon2id
// (golang.org/x/crypto/argon2), in the PHC string format
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>, and generates new ones.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost settings. Hashes record the params they were
// made with, so they can be raised without invalidating stored hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's argon2id guidance (64 MiB, 3 passes).
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// MinLength is the shortest password accepted for an administrator.
const MinLength = 12

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformedHash means a stored hash is not in the expected format.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hash returns the PHC-format argon2id hash of pw with a fresh random salt.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check reports whether pw matches hash, in constant time.
func Check(pw, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Validate says why pw is unacceptable as a new password, or returns nil.
func Validate(pw string) error {
	if len([]rune(pw)) < MinLength {
		return fmt.Errorf("password: must be at least %d characters long", MinLength)
	}
	if len(pw) > 256 {
		return errors.New("password: must be at most 256 bytes long")
	}
	return nil
}

// Generate returns a random password of 20 characters from an alphabet
// without look-alike characters.
func Generate() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
