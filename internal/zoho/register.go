package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Param is one {name,value} pair of authorizationparam, clicktodialparam or
// callcontrolparam. A Value of "{to}" (ToPlaceholder) in a click-to-dial
// param is replaced by Zoho with the callee number.
type Param struct {
	// Name is the parameter (or header) name Zoho will send.
	Name string `json:"name"`
	// Value is the value Zoho will send.
	Value string `json:"value"`
}

// ToPlaceholder is the clicktodialparam value Zoho replaces with the callee.
const ToPlaceholder = "{to}"

// ClickToDial registers the provider URI Zoho calls when ZohoUser clicks a
// number.
type ClickToDial struct {
	// ZohoUser is the user to enable; required.
	ZohoUser string
	// URI is clicktodialuri; required.
	URI string
	// AuthParam is authorizationparam; omitted when Name is empty.
	AuthParam Param
	// Params are the clicktodialparam pairs; omitted when empty.
	Params []Param
}

// CallControl registers the call-bar URIs for ZohoUser; empty URIs are
// omitted.
type CallControl struct {
	// ZohoUser is the user to enable; required.
	ZohoUser string
	// The call-control URIs Zoho posts callrefid (and digit) to.
	AnswerURI, HungupURI, HoldURI, UnholdURI, KeypressURI, MuteURI, UnmuteURI string
	// AuthParam is authorizationparam; omitted when Name is empty.
	AuthParam Param
	// Params are the callcontrolparam pairs; omitted when empty.
	Params []Param
}

// EnableClickToDial registers click-to-dial (POST /phonebridge/v3/clicktodial).
// Not retried automatically; see Retryable.
func (p *PhoneBridge) EnableClickToDial(ctx context.Context, c ClickToDial) error {
	if c.ZohoUser == "" || c.URI == "" {
		return fmt.Errorf("zoho: clicktodial: zohouser and uri are required")
	}
	v := url.Values{"clicktodialuri": {c.URI}, "zohouser": {c.ZohoUser}}
	setParams(v, "authorizationparam", c.AuthParam, "clicktodialparam", c.Params)
	return p.do(ctx, call{op: "clicktodial", method: http.MethodPost, path: "clicktodial", params: v}, nil)
}

// DisableClickToDial removes the registration (DELETE, retried).
func (p *PhoneBridge) DisableClickToDial(ctx context.Context, zohoUser string) error {
	if zohoUser == "" {
		return fmt.Errorf("zoho: disable clicktodial: %w", errNoUser)
	}
	v := url.Values{"zohouser": {zohoUser}}
	return p.do(ctx, call{op: "disable clicktodial", method: http.MethodDelete, path: "clicktodial", params: v, idempotent: true}, nil)
}

// EnableCallControl registers call-control URIs (POST
// /phonebridge/v3/callcontrol). Not retried automatically.
func (p *PhoneBridge) EnableCallControl(ctx context.Context, c CallControl) error {
	if c.ZohoUser == "" {
		return fmt.Errorf("zoho: callcontrol: %w", errNoUser)
	}
	v := url.Values{"zohouser": {c.ZohoUser}}
	for name, val := range map[string]string{
		"answeruri": c.AnswerURI, "hungupuri": c.HungupURI, "holduri": c.HoldURI, "unholduri": c.UnholdURI,
		"keypressuri": c.KeypressURI, "muteuri": c.MuteURI, "unmuteuri": c.UnmuteURI,
	} {
		if val != "" {
			v.Set(name, val)
		}
	}
	setParams(v, "authorizationparam", c.AuthParam, "callcontrolparam", c.Params)
	return p.do(ctx, call{op: "callcontrol", method: http.MethodPost, path: "callcontrol", params: v}, nil)
}

// DisableCallControl removes the registration (DELETE, retried).
func (p *PhoneBridge) DisableCallControl(ctx context.Context, zohoUser string) error {
	if zohoUser == "" {
		return fmt.Errorf("zoho: disable callcontrol: %w", errNoUser)
	}
	v := url.Values{"zohouser": {zohoUser}}
	return p.do(ctx, call{op: "disable callcontrol", method: http.MethodDelete, path: "callcontrol", params: v, idempotent: true}, nil)
}

// setParams encodes the auth pair and the custom pairs as strict JSON.
func setParams(v url.Values, authKey string, auth Param, listKey string, list []Param) {
	if auth.Name != "" {
		b, _ := json.Marshal(auth)
		v.Set(authKey, string(b))
	}
	if len(list) > 0 {
		b, _ := json.Marshal(list)
		v.Set(listKey, string(b))
	}
}
