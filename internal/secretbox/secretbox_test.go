package secretbox

import (
	"bytes"
	"errors"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestSealOpen(t *testing.T) {
	t.Parallel()
	box, err := New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.SealString("1000.refresh.token", "zoho-refresh:1")
	if bytes.Contains(sealed, []byte("refresh")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	if got, err := box.OpenString(sealed, "zoho-refresh:1"); err != nil || got != "1000.refresh.token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if bytes.Equal(sealed, box.SealString("1000.refresh.token", "zoho-refresh:1")) {
		t.Fatal("two seals of one value are equal: nonce not random")
	}
	other, _ := New(key(2))
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, open := range map[string]func() error{
		"wrong context": func() error { _, err := box.Open(sealed, "zoho-refresh:2"); return err },
		"wrong key":     func() error { _, err := other.Open(sealed, "zoho-refresh:1"); return err },
		"tampered":      func() error { _, err := box.Open(tampered, "zoho-refresh:1"); return err },
		"truncated":     func() error { _, err := box.Open(sealed[:5], "zoho-refresh:1"); return err },
		"empty":         func() error { _, err := box.Open(nil, "zoho-refresh:1"); return err },
	} {
		if err := open(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
		}
	}
	if _, err := New(key(1)[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
