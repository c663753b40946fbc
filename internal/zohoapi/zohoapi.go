// Package zohoapi is the contract Zoho PhoneBridge calls the gateway on: the
// paths of the click-to-dial and call-control URIs registered for a linked
// user, the parameter names Zoho echoes back on every request, and the
// builder of those URIs from PUBLIC_URL.
//
// It is a leaf: the integration registers what it describes and the bridge
// serves it, and neither is imported here, so a change of path or name is
// one change that both sides see.
package zohoapi

import "strings"

// URI paths registered in Zoho PhoneBridge for a linked seat, relative to
// PUBLIC_URL.
const (
	// ClickToDialPath is the clicktodialuri path.
	ClickToDialPath = "/bridge/zoho/clicktodial"
	// CallControlPrefix is the common prefix of every call-control path.
	CallControlPrefix = "/bridge/zoho/call/"
)

// The parameter names registered in Zoho, which Zoho sends back with every
// click-to-dial and call-control request.
const (
	// ParamCompany is the clicktodialparam/callcontrolparam name carrying the company id.
	ParamCompany = "conecta_company"
	// ParamLink is the clicktodialparam/callcontrolparam name carrying the link id.
	ParamLink = "conecta_link"
	// AuthParam is the authorizationparam name carrying the per-link secret;
	// it is accepted as a header or as a form/query parameter.
	AuthParam = "X-Conecta-Token"
)

// CallAction is a Zoho call-control action with its own URI.
type CallAction string

// The call-control actions registered in Zoho (no mute: BroadWorks cannot
// mute a two-party call).
const (
	ActionAnswer   CallAction = "answer"
	ActionHangup   CallAction = "hangup"
	ActionHold     CallAction = "hold"
	ActionUnhold   CallAction = "unhold"
	ActionKeypress CallAction = "keypress"
)

// CallActions lists every registered call-control action.
func CallActions() []CallAction {
	return []CallAction{ActionAnswer, ActionHangup, ActionHold, ActionUnhold, ActionKeypress}
}

// CallControlPath returns the path of one call-control action,
// e.g. "/bridge/zoho/call/hold".
func CallControlPath(action CallAction) string {
	return CallControlPrefix + string(action)
}

// URIs are the absolute URLs Zoho calls for a linked user: where a click on
// a number lands, and one URL per call-control action.
type URIs struct {
	ClickToDial string
	Answer      string
	Hangup      string
	Hold        string
	Unhold      string
	Keypress    string
}

// URIsFor builds the URIs under publicURL (the gateway's PUBLIC_URL; a
// trailing slash is ignored).
func URIsFor(publicURL string) URIs {
	base := strings.TrimRight(publicURL, "/")
	return URIs{
		ClickToDial: base + ClickToDialPath,
		Answer:      base + CallControlPath(ActionAnswer),
		Hangup:      base + CallControlPath(ActionHangup),
		Hold:        base + CallControlPath(ActionHold),
		Unhold:      base + CallControlPath(ActionUnhold),
		Keypress:    base + CallControlPath(ActionKeypress),
	}
}
