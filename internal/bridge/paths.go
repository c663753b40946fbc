// Package bridge is the telephony bridge between Zoho PhoneBridge and the
// Centrex: the click-to-dial and call-control endpoints Zoho calls, the
// Xsi-Events HTTP contact the Centrex posts call events to, the group
// subscription manager and the sweeper that closes calls the Centrex forgot.
package bridge

// URI paths registered in Zoho PhoneBridge for a linked seat, relative to
// PUBLIC_URL, and the parameter names Zoho echoes back on every request.
const (
	// ClickToDialPath is the clicktodialuri path.
	ClickToDialPath = "/bridge/zoho/clicktodial"
	// CallControlPrefix is the common prefix of every call-control path.
	CallControlPrefix = "/bridge/zoho/call/"
	// EventsPrefix is the prefix of the Xsi-Events HTTP contact; the
	// per-company token follows it.
	EventsPrefix = "/bridge/centrex/events/"

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

// EventsPath returns the Xsi-Events HTTP contact path for a company token.
func EventsPath(token string) string {
	return EventsPrefix + token
}
