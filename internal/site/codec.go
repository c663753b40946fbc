package site

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCodec is the sessions' encoding: the few kinds of value the sites
// keep (strings, integers, booleans), keys in order, so that a session
// whose values did not change encodes to the same bytes and QuietStore
// compares bytes, not decoded maps. It costs a fraction of scs's gob
// codec, which compiles a decoder for every session it reads. Data written
// by the gob codec (sessions from before) is still read.
//
// The format: the two bytes 0x00 0x01 (a gob stream never starts with a
// zero length), the deadline in Unix microseconds (varint), the number of
// values (uvarint), then for each key in order its length (uvarint) and
// bytes, a kind byte and the value: 's' a string (uvarint length, bytes),
// 'i' an int64 and 'n' an int (varint), 't' true and 'f' false.
type SessionCodec struct{}

var sessionMagic = [2]byte{0x00, 0x01}

// Encode encodes a session; a value of another kind is an error, never
// silently dropped.
func (SessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(values))
	size := 2 + binary.MaxVarintLen64*2
	for k, v := range values {
		keys = append(keys, k)
		size += len(k) + 2*binary.MaxVarintLen64 + 1
		if s, ok := v.(string); ok {
			size += len(s)
		}
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, sessionMagic[:]...)
	b = binary.AppendVarint(b, deadline.UnixMicro())
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch v := values[k].(type) {
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, 'i')
			b = binary.AppendVarint(b, v)
		case int:
			b = append(b, 'n')
			b = binary.AppendVarint(b, int64(v))
		case bool:
			if v {
				b = append(b, 't')
			} else {
				b = append(b, 'f')
			}
		default:
			return nil, fmt.Errorf("session codec: the value of %q is a %T; only strings, ints, int64s and bools are kept", k, v)
		}
	}
	return b, nil
}

var errSessionData = errors.New("session codec: malformed session data")

// Decode decodes what Encode wrote, or what scs.GobCodec wrote.
func (SessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) < 2 || b[0] != sessionMagic[0] || b[1] != sessionMagic[1] {
		return scs.GobCodec{}.Decode(b)
	}
	d := decoder{b: b[2:]}
	micros := d.varint()
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) { // each value takes at least a byte
		return time.Time{}, nil, errSessionData
	}
	values := make(map[string]any, n)
	for range n {
		k := d.bytes()
		switch kind := d.byte(); kind {
		case 's':
			values[string(k)] = string(d.bytes())
		case 'i':
			values[string(k)] = d.varint()
		case 'n':
			v := d.varint()
			if v > math.MaxInt || v < math.MinInt {
				d.err = errSessionData
			}
			values[string(k)] = int(v)
		case 't', 'f':
			values[string(k)] = kind == 't'
		default:
			d.err = errSessionData
		}
		if d.err != nil {
			return time.Time{}, nil, d.err
		}
	}
	if len(d.b) != 0 {
		return time.Time{}, nil, errSessionData
	}
	return time.UnixMicro(micros), values, nil
}

// decoder reads SessionCodec's fields; the first malformed one sets err
// and every later read returns zero.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = errSessionData, nil }

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}
