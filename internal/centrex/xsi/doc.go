// Package xsi implements centrex.PBX over Cisco BroadWorks Xtended Services
// Interface: Xsi-Actions for the group directory and call control, and
// Xsi-Events for group subscriptions delivered by HTTP contact or on the
// streaming event channel (OpenChannel). ParseEvent decodes the event
// documents the XSP posts to the gateway; a channel decodes its stream.
//
// The client sends the documented path forms (calls/new, Talk, Hold,
// TransmitDTMF), HTTP Basic with the company credential on every request
// and the XSP's session cookie back (one Client per company), and maps
// ErrorInfo bodies and HTTP statuses to centrex errors; a 403 to a command
// on one subscription or channel, which is how an XSP says it no longer has
// it, is centrex.ErrNotFound. Documents are read in the charset they
// declare (golang.org/x/text). It works against a real XSP and against the
// simulator in package xsisim.
package xsi

// Namespaces of the Xsi documents.
const (
	// NamespaceXSI is the BroadSoft namespace of every Xsi document.
	NamespaceXSI = "http://schema.broadsoft.com/xsi"
	// NamespaceXSIEvents is the variant namespace one spec figure shows for
	// HTTP-contact events; ParseEvent accepts it too.
	NamespaceXSIEvents = "http://schema.broadsoft.com/xsi-events"
	// NamespaceSchemaInstance carries the type attribute of events.
	NamespaceSchemaInstance = "http://www.w3.org/2001/XMLSchema-instance"
)

const (
	actionsPrefix = "/com.broadsoft.xsi-actions/v2.0"
	eventsPrefix  = "/com.broadsoft.xsi-events/v2.0"
)
