package site

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionValues has every kind of value the sites keep.
func sessionValues() map[string]any {
	return map[string]any{
		"admin_id": int64(9007199254740993), "epoch": 3, "lang": "es", "flash_arg": `["Iñés","<b>"]`,
		"empty": "", "negative": int64(-42), "on": true, "off": false, "oauth_until": int64(1798761600),
	}
}

func TestSessionCodecRoundTrip(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 12, 2, 9, 30, 15, 123456000, time.UTC)
	for _, values := range []map[string]any{sessionValues(), {}} {
		b, err := SessionCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		gotDeadline, got, err := SessionCodec{}.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !gotDeadline.Equal(deadline) || !reflect.DeepEqual(got, values) {
			t.Errorf("decoded %v %#v, want %v %#v", gotDeadline, got, deadline, values)
		}
	}
	b, err := SessionCodec{}.Encode(time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _, err := (SessionCodec{}).Decode(b); err != nil || !d.IsZero() {
		t.Errorf("zero deadline decoded as %v, %v", d, err)
	}
}

// TestSessionCodecCanonical: the same values give the same bytes whatever
// the map's order, which QuietStore relies on to skip decoding.
func TestSessionCodecCanonical(t *testing.T) {
	t.Parallel()
	deadline := time.Now()
	first, err := SessionCodec{}.Encode(deadline, sessionValues())
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		b, err := SessionCodec{}.Encode(deadline, sessionValues())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, first) {
			t.Fatalf("the same values encoded differently:\n%x\n%x", b, first)
		}
	}
}

// TestSessionCodecReadsGob: sessions written before, by scs's gob codec,
// are still read.
func TestSessionCodecReadsGob(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	values := sessionValues()
	b, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err := SessionCodec{}.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !gotDeadline.Equal(deadline) || !reflect.DeepEqual(got, values) {
		t.Errorf("decoded %v %#v", gotDeadline, got)
	}
}

func TestSessionCodecRefusesOtherKinds(t *testing.T) {
	t.Parallel()
	_, err := SessionCodec{}.Encode(time.Now(), map[string]any{"when": time.Now()})
	if err == nil || !strings.Contains(err.Error(), `"when"`) {
		t.Errorf("a time.Time value: %v, want an error naming the key", err)
	}
}

// TestSessionCodecMalformed: every truncation of a session, and trailing
// bytes, is an error, never a panic or a partial session.
func TestSessionCodecMalformed(t *testing.T) {
	t.Parallel()
	b, err := SessionCodec{}.Encode(time.Now(), sessionValues())
	if err != nil {
		t.Fatal(err)
	}
	for n := 2; n < len(b); n++ {
		if _, v, err := (SessionCodec{}).Decode(b[:n]); err == nil {
			t.Fatalf("%d of %d bytes decoded as %v", n, len(b), v)
		}
	}
	if _, _, err := (SessionCodec{}).Decode(append(b, 0)); err == nil {
		t.Error("a trailing byte was accepted")
	}
}

// FuzzSessionCodec: whatever the bytes, Decode returns an error or values
// that encode back to the same session.
func FuzzSessionCodec(f *testing.F) {
	b, _ := SessionCodec{}.Encode(time.Unix(1798761600, 0), sessionValues())
	f.Add(b)
	f.Add([]byte{0, 1, 0, 0})
	f.Add([]byte{0, 1, 2, 1, 1, 'k', 'z'})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 || b[0] != 0 || b[1] != 1 {
			return // gob's, not this codec's
		}
		deadline, values, err := SessionCodec{}.Decode(b)
		if err != nil {
			return
		}
		again, err := SessionCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatalf("decoded values do not encode: %v", err)
		}
		d2, v2, err := SessionCodec{}.Decode(again)
		if err != nil || !d2.Equal(deadline) || !reflect.DeepEqual(v2, values) {
			t.Fatalf("re-encoded session differs: %v %v %v", d2, v2, err)
		}
	})
}
