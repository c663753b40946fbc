package zohosim

import (
	"encoding/json"
	"errors"
	"strings"
)

// parseParam parses one {name,value} object in strict JSON or Zoho's loose
// JS-literal form ({name:x,value:'{to}'}).
func parseParam(s string) (Param, error) {
	v, err := parseLoose(s)
	if err != nil {
		return Param{}, err
	}
	m, ok := v.(map[string]string)
	if !ok || m["name"] == "" {
		return Param{}, errors.New("expected {name:…,value:…}")
	}
	return Param{Name: m["name"], Value: m["value"]}, nil
}

// parseParams parses an array of {name,value} objects (strict or loose).
// A single object is accepted as a one-element array.
func parseParams(s string) ([]Param, error) {
	v, err := parseLoose(s)
	if err != nil {
		return nil, err
	}
	var list []map[string]string
	switch t := v.(type) {
	case map[string]string:
		list = []map[string]string{t}
	case []map[string]string:
		list = t
	default:
		return nil, errors.New("expected [{name:…,value:…}]")
	}
	out := make([]Param, 0, len(list))
	for _, m := range list {
		if m["name"] == "" {
			return nil, errors.New("pair without name")
		}
		out = append(out, Param{Name: m["name"], Value: m["value"]})
	}
	return out, nil
}

// parseLoose returns map[string]string or []map[string]string. Strict JSON
// is tried first; otherwise keys and values may be bare words or quoted
// with ' or ".
func parseLoose(s string) (any, error) {
	s = strings.TrimSpace(s)
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) == nil {
		return flatten(obj), nil
	}
	var arr []map[string]any
	if json.Unmarshal([]byte(s), &arr) == nil {
		out := make([]map[string]string, len(arr))
		for i, o := range arr {
			out[i] = flatten(o)
		}
		return out, nil
	}
	p := &looseParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errors.New("trailing characters")
	}
	return v, nil
}

func flatten(o map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range o {
		switch t := v.(type) {
		case string:
			out[k] = t
		default:
			b, _ := json.Marshal(t)
			out[k] = string(b)
		}
	}
	return out
}

type looseParser struct {
	s string
	i int
}

func (p *looseParser) space() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

func (p *looseParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	switch p.s[p.i] {
	case '{':
		return p.object()
	case '[':
		p.i++
		var list []map[string]string
		for {
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return list, nil
			}
			o, err := p.object()
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			}
		}
	}
	return nil, errors.New("expected { or [")
}

func (p *looseParser) object() (map[string]string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, errors.New("expected {")
	}
	p.i++
	m := map[string]string{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m, nil
		}
		k, err := p.scalar(":")
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, errors.New("expected a colon")
		}
		p.i++
		v, err := p.scalar(",}")
		if err != nil {
			return nil, err
		}
		m[k] = v
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
		}
	}
}

// scalar reads a quoted string or a bare word ending before one of stop.
func (p *looseParser) scalar(stop string) (string, error) {
	p.space()
	if p.i >= len(p.s) {
		return "", errors.New("unexpected end")
	}
	if q := p.s[p.i]; q == '\'' || q == '"' {
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end < 0 {
			return "", errors.New("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return v, nil
	}
	start := p.i
	depth := 0 // allow a bare {to} placeholder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '{' {
			depth++
		} else if c == '}' && depth > 0 {
			depth--
		} else if depth == 0 && strings.IndexByte(stop, c) >= 0 {
			break
		} else if depth == 0 && strings.IndexByte("[]{", c) >= 0 {
			return "", errors.New("unexpected bracket")
		}
		p.i++
	}
	v := strings.TrimSpace(p.s[start:p.i])
	if v == "" {
		return "", errors.New("empty value")
	}
	return v, nil
}
