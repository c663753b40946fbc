// Package xsi implements centrex.PBX over Cisco BroadWorks Xtended Services
// Interface: Xsi-Actions for the group directory and call control, and
// Xsi-Events for group subscriptions with HTTP-contact delivery. ParseEvent
// decodes the event documents the XSP posts to the gateway.
//
// The client sends the documented path forms (calls/new, Talk, Hold,
// TransmitDTMF), HTTP Basic with the company credential on every request, and
// maps ErrorInfo bodies and HTTP statuses to centrex errors. It works against
// a real XSP and against the simulator in package xsisim.
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
