package xsi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// MaxEventSize bounds the event documents ParseEvent accepts. Real call
// events are a few kilobytes; a snapshot of many calls stays far below this.
const MaxEventSize = 1 << 20

// eventDataXML is the content of <eventData> for call events.
type eventDataXML struct {
	Call       *callXML  `xml:"call"`
	Calls      []callXML `xml:"calls>call"`
	HookStatus string    `xml:"hookStatus"`
}

// knownKinds are the event kinds ParseEvent reports by name; the Xsi type
// name is the kind plus "Event".
var knownKinds = []centrex.EventKind{
	centrex.EventCallOriginating, centrex.EventCallOriginated, centrex.EventCallCollecting,
	centrex.EventCallReceived, centrex.EventCallAnswered, centrex.EventCallHeld, centrex.EventCallRetrieved,
	centrex.EventCallReleasing, centrex.EventCallReleased, centrex.EventCallUpdated,
	centrex.EventCallRedirected, centrex.EventCallForwarded, centrex.EventCallTransferred,
	centrex.EventCallPickedUp, centrex.EventCallParkRetrieved, centrex.EventCallDetached,
	centrex.EventCallSubscription, centrex.EventCallSubscriptionResync, centrex.EventSubscriptionTerminated,
}

// kindOf maps an eventData type name to its kind, EventOther when unknown.
func kindOf(typeName string) centrex.EventKind {
	if name, ok := strings.CutSuffix(typeName, "Event"); ok && slices.Contains(knownKinds, centrex.EventKind(name)) {
		return centrex.EventKind(name)
	}
	return centrex.EventOther
}

// ParseEvent decodes one Xsi event document, as POSTed to an HTTP contact or
// read from an event channel, in the charset its XML declaration names
// (UTF-8 without one). ParseEventBody also takes the Content-Type it came
// with. The HTTP-contact handler must answer 200 (any body); an
// EventResponse acknowledgement is only for channel delivery.
//
// The root must be an Event element in the Xsi namespace (or the
// xsi-events variant namespace); elements and the XMLSchema-instance type
// attribute are matched by namespace URI, never by prefix, so both the wire
// style (xsi = BroadSoft, xsi1 = XMLSchema-instance) and the conventional
// style parse. Type values ("xsi:CallReceivedEvent") are resolved against the
// in-scope namespace declarations. Children are matched by local name.
//
// Call events (Call*) must carry a call with a callId, except
// CallRedirectedEvent, which carries the list of calls redirected (in
// Event.Calls); SubscriptionEvents must carry an eventID. Unknown event
// types are returned as EventOther. Documents larger than MaxEventSize,
// malformed XML, undecodable charsets and other roots (such as
// ChannelHeartBeat) are errors.
func ParseEvent(body []byte) (centrex.Event, error) { return ParseEventBody("", body) }

// ParseEventBody is ParseEvent for a document that came with contentType:
// its charset parameter applies when the document does not declare its
// encoding itself.
func ParseEventBody(contentType string, body []byte) (centrex.Event, error) {
	ev, err := parseEvent(contentType, body)
	if err != nil {
		return centrex.Event{}, fmt.Errorf("xsi: parse event: %w", err)
	}
	return ev, nil
}

func parseEvent(contentType string, body []byte) (centrex.Event, error) {
	if len(body) > MaxEventSize {
		return centrex.Event{}, fmt.Errorf("document of %d bytes exceeds %d", len(body), MaxEventSize)
	}
	body, err := toUTF8IfUndeclared(contentType, body)
	if err != nil {
		return centrex.Event{}, err
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charsetReader
	root, err := firstElement(dec)
	if err != nil {
		return centrex.Event{}, err
	}
	ev, err := decodeEvent(dec, root)
	if err != nil {
		return centrex.Event{}, err
	}
	if err := trailing(dec); err != nil {
		return centrex.Event{}, err
	}
	return ev, nil
}

// invalidEvent is a well-formed document that is not a usable event. id is
// its eventID when it had one, so that a channel can acknowledge it as
// refused instead of getting it again.
type invalidEvent struct {
	id  string
	err error
}

func (e *invalidEvent) Error() string { return e.err.Error() }
func (e *invalidEvent) Unwrap() error { return e.err }

// decodeEvent reads the event document whose root element dec has just
// returned, up to and including the root's end element. Only an XML error
// leaves the root unfinished; any other problem is an *invalidEvent.
func decodeEvent(dec *xml.Decoder, root xml.StartElement) (centrex.Event, error) {
	var bad error
	note := func(err error) {
		if bad == nil {
			bad = err
		}
	}
	var ns nsScope
	if root.Name.Local != "Event" || !xsiNamespace(root.Name.Space) {
		note(fmt.Errorf("root element {%s}%s is not an Xsi Event", root.Name.Space, root.Name.Local))
	}
	ns.push(root)
	rootType, err := ns.typeOf(root)
	if err != nil {
		note(err)
	}

	var (
		ev          centrex.Event
		dataType    string
		data        eventDataXML
		hasData     bool
		seq, reason string
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			return centrex.Event{}, unexpectedEOF(err)
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var text string
		switch se.Name.Local {
		case "eventData":
			ns.push(se)
			if dataType, err = ns.typeOf(se); err != nil {
				note(err)
			}
			ns.pop()
			if err := dec.DecodeElement(&data, &se); err != nil {
				return centrex.Event{}, fmt.Errorf("eventData: %w", err)
			}
			hasData = true
			continue
		case "httpContact":
			err = dec.Skip()
		default:
			err = dec.DecodeElement(&text, &se)
		}
		if err != nil {
			return centrex.Event{}, fmt.Errorf("%s: %w", se.Name.Local, err)
		}
		text = strings.TrimSpace(text)
		switch se.Name.Local {
		case "eventID":
			ev.ID = text
		case "sequenceNumber":
			seq = text
		case "userId", "subscriberId", "clientId":
			ev.SubscriberID = text
		case "externalApplicationId", "applicationId":
			ev.ApplicationID = text
		case "subscriptionId":
			ev.SubscriptionID = text
		case "targetId":
			ev.TargetID = text
		case "reason":
			reason = text
		case "channelId":
			ev.ChannelID = text
		}
	}
	invalid := func(err error) (centrex.Event, error) { return centrex.Event{}, &invalidEvent{id: ev.ID, err: err} }
	if bad != nil {
		return invalid(bad)
	}
	if seq != "" {
		n, err := strconv.ParseInt(seq, 10, 64)
		if err != nil {
			return invalid(fmt.Errorf("invalid sequenceNumber %q", seq))
		}
		ev.Sequence = n
	}

	if rootType == "ChannelTerminatedEvent" {
		ev.Kind, ev.Type, ev.Reason = centrex.EventChannelTerminated, rootType, reason
		return ev, nil
	}
	if rootType != "" && rootType != "SubscriptionEvent" {
		return invalid(fmt.Errorf("unsupported event type %q", rootType))
	}
	if ev.ID == "" {
		return invalid(errors.New("missing eventID"))
	}
	if !hasData || dataType == "" {
		return invalid(errors.New("missing typed eventData"))
	}
	ev.Type = dataType
	ev.Kind = kindOf(dataType)
	ev.HookStatus = strings.TrimSpace(data.HookStatus)
	if data.Call != nil {
		call := data.Call.toCall()
		ev.Call = &call
	}
	for _, c := range data.Calls {
		ev.Calls = append(ev.Calls, c.toCall())
	}
	if isCallKind(ev.Kind) && (ev.Call == nil || ev.Call.ID == "") {
		return invalid(fmt.Errorf("%s without call/callId", dataType))
	}
	return ev, nil
}

// isCallKind reports whether the kind describes a single call half.
func isCallKind(k centrex.EventKind) bool {
	switch k {
	case centrex.EventCallSubscription, centrex.EventCallSubscriptionResync, centrex.EventCallRedirected:
		return false
	}
	return strings.HasPrefix(string(k), "Call")
}

// xsiNamespace reports whether ns is one of the BroadSoft event namespaces.
func xsiNamespace(ns string) bool { return ns == NamespaceXSI || ns == NamespaceXSIEvents }

// firstElement returns the root start element, skipping the prolog.
func firstElement(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return xml.StartElement{}, errors.New("no root element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return xml.StartElement{}, errors.New("text before the root element")
			}
		}
	}
}

// trailing rejects anything but whitespace, comments and processing
// instructions after the root element.
func trailing(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return errors.New("more than one root element")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("text after the root element")
			}
		}
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// nsScope tracks namespace declarations of the elements being walked, to
// resolve QName values of type attributes (encoding/xml resolves only
// element and attribute names).
type nsScope []map[string]string

func (s *nsScope) push(se xml.StartElement) {
	m := map[string]string{}
	for _, a := range se.Attr {
		switch {
		case a.Name.Space == "xmlns":
			m[a.Name.Local] = a.Value
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			m[""] = a.Value
		}
	}
	*s = append(*s, m)
}

func (s *nsScope) pop() { *s = (*s)[:len(*s)-1] }

// lookup returns the namespace bound to prefix ("" for the default).
func (s nsScope) lookup(prefix string) (string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if uri, ok := s[i][prefix]; ok {
			return uri, true
		}
	}
	return "", false
}

// typeOf returns the local name of se's XMLSchema-instance type attribute,
// "" when absent. The value's prefix must resolve to a BroadSoft namespace;
// an unprefixed value takes the default namespace (or none).
func (s nsScope) typeOf(se xml.StartElement) (string, error) {
	for _, a := range se.Attr {
		if a.Name.Space != NamespaceSchemaInstance || a.Name.Local != "type" {
			continue
		}
		v := strings.TrimSpace(a.Value)
		prefix, local, found := strings.Cut(v, ":")
		if !found {
			prefix, local = "", v
		}
		uri, ok := s.lookup(prefix)
		if !ok && prefix != "" {
			return "", fmt.Errorf("type %q of %s uses an undeclared prefix", v, se.Name.Local)
		}
		if uri != "" && !xsiNamespace(uri) {
			return "", fmt.Errorf("type %q of %s is in namespace %q, not Xsi", v, se.Name.Local, uri)
		}
		if local == "" || strings.ContainsAny(local, ": ") {
			return "", fmt.Errorf("invalid type %q of %s", v, se.Name.Local)
		}
		return local, nil
	}
	return "", nil
}
