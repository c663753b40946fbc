package xsi

import (
	"net/http"
	"strings"
)

// Operation names the Xsi operation of a request this package sends, for
// the metrics, from its method and path (never the ids in it): "dial",
// "calls", "call", "talk", "hold", "dtmf", "hangup", "directory",
// "subscribe", "subscription" (reading one back), "renew", "unsubscribe",
// and for the streaming event channel "channel open", "channel renew",
// "channel close", "heartbeat", "event response"; "other" for anything
// else.
func Operation(r *http.Request) string {
	p := r.URL.EscapedPath()
	switch {
	case strings.Contains(p, actionsPrefix+"/user/"):
		return actionOperation(r.Method, p[strings.Index(p, actionsPrefix+"/user/")+len(actionsPrefix+"/user/"):])
	case strings.Contains(p, eventsPrefix+"/"):
		return eventOperation(r.Method, p[strings.Index(p, eventsPrefix+"/")+len(eventsPrefix+"/"):])
	}
	return "other"
}

// actionOperation names an Xsi-Actions request below /user/.
func actionOperation(method, rest string) string {
	seg := strings.Split(rest, "/") // {user}, "calls", …
	if len(seg) < 2 {
		return "other"
	}
	switch {
	case seg[1] == "directories" && len(seg) == 3 && method == http.MethodGet:
		return "directory"
	case seg[1] != "calls":
		return "other"
	case len(seg) == 2 && method == http.MethodGet:
		return "calls"
	case len(seg) == 3 && seg[2] == "new" && method == http.MethodPost:
		return "dial"
	case len(seg) == 3 && method == http.MethodGet:
		return "call"
	case len(seg) == 3 && method == http.MethodDelete:
		return "hangup"
	case len(seg) == 4 && method == http.MethodPut:
		switch seg[3] {
		case "Talk":
			return "talk"
		case "Hold":
			return "hold"
		case "TransmitDTMF":
			return "dtmf"
		}
	}
	return "other"
}

// eventOperation names an Xsi-Events request below /v2.0/.
func eventOperation(method, rest string) string {
	seg := strings.Split(rest, "/")
	switch {
	case (seg[0] == "enterprise" || seg[0] == "serviceprovider" || seg[0] == "user") && method == http.MethodPost:
		return "subscribe"
	case seg[0] == "subscription" && len(seg) == 2 && method == http.MethodGet:
		return "subscription"
	case seg[0] == "subscription" && len(seg) == 2 && method == http.MethodPut:
		return "renew"
	case seg[0] == "subscription" && len(seg) == 2 && method == http.MethodDelete:
		return "unsubscribe"
	case seg[0] != "channel":
		return "other"
	case len(seg) == 1 && method == http.MethodPost:
		return "channel open"
	case len(seg) == 2 && seg[1] == "eventresponse" && method == http.MethodPost:
		return "event response"
	case len(seg) == 2 && method == http.MethodPut:
		return "channel renew"
	case len(seg) == 2 && method == http.MethodDelete:
		return "channel close"
	case len(seg) == 3 && seg[2] == "heartbeat" && method == http.MethodPut:
		return "heartbeat"
	}
	return "other"
}
