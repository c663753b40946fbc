package xsisim

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
	"unicode/utf8"
)

// Namespaces used in simulator documents.
const (
	nsXSI      = "http://schema.broadsoft.com/xsi"
	nsInstance = "http://www.w3.org/2001/XMLSchema-instance"
)

// node is a tiny XML element tree, rendered with or without a prefix so the
// same tree serves action responses (default namespace) and events (wire
// prefixes xsi/xsi1).
type node struct {
	name  string
	typ   string // value of the XMLSchema-instance type attribute, without prefix
	text  string
	kids  []*node
	empty bool // render even without text or children
}

// el builds an element with children; nil children are skipped.
func el(name string, kids ...*node) *node {
	n := &node{name: name, empty: true}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// tx builds a text element; an empty text yields nil (element omitted).
func tx(name, text string) *node {
	if text == "" {
		return nil
	}
	return &node{name: name, text: text}
}

// ms builds a timestamp element in milliseconds since the epoch; a zero time
// yields nil.
func ms(name string, t time.Time) *node {
	if t.IsZero() {
		return nil
	}
	return tx(name, strconv.FormatInt(t.UnixMilli(), 10))
}

// style selects how namespaces are written.
type style int

const (
	styleDefault      style = iota // xmlns=BroadSoft, xmlns:xsi=instance, xsi:type="X"
	styleWirePrefixes              // xmlns:xsi=BroadSoft, xmlns:xsi1=instance, xsi1:type="xsi:X"
)

// document renders root as a complete UTF-8 XML document.
func document(root *node, st style) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	writeNode(&b, root, st, true)
	return b.Bytes()
}

func writeNode(b *bytes.Buffer, n *node, st style, root bool) {
	name := n.name
	if st == styleWirePrefixes {
		name = "xsi:" + name
	}
	b.WriteString("<" + name)
	if root {
		if st == styleWirePrefixes {
			b.WriteString(` xmlns:xsi="` + nsXSI + `" xmlns:xsi1="` + nsInstance + `"`)
		} else {
			b.WriteString(` xmlns="` + nsXSI + `"`)
			if hasType(n) {
				b.WriteString(` xmlns:xsi="` + nsInstance + `"`)
			}
		}
	}
	if n.typ != "" {
		if st == styleWirePrefixes {
			b.WriteString(` xsi1:type="xsi:` + n.typ + `"`)
		} else {
			b.WriteString(` xsi:type="` + n.typ + `"`)
		}
	}
	if n.text == "" && len(n.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	_ = xml.EscapeText(b, []byte(n.text))
	for _, k := range n.kids {
		writeNode(b, k, st, false)
	}
	b.WriteString("</" + name + ">")
}

func hasType(n *node) bool {
	if n.typ != "" {
		return true
	}
	for _, k := range n.kids {
		if hasType(k) {
			return true
		}
	}
	return false
}

// toLatin1 re-encodes a UTF-8 document declared as UTF-8 into ISO-8859-1,
// writing characters outside Latin-1 as character references.
func toLatin1(doc []byte) []byte {
	doc = bytes.Replace(doc, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)
	out := make([]byte, 0, len(doc))
	for len(doc) > 0 {
		r, size := utf8.DecodeRune(doc)
		doc = doc[size:]
		if r < 256 {
			out = append(out, byte(r))
			continue
		}
		out = append(out, "&#"+strconv.Itoa(int(r))+";"...)
	}
	return out
}
