package xsi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// eventPackage is the Xsi event package the gateway subscribes to: Advanced
// Call reports CallReceived before service processing (even when the call is
// forwarded) and includes Held/Retrieved/Updated.
const eventPackage = "Advanced Call"

// subscriptionXML is the <Subscription> request and response body, in XSD
// sequence order.
type subscriptionXML struct {
	XMLName        xml.Name        `xml:"http://schema.broadsoft.com/xsi Subscription"`
	SubscriptionID string          `xml:"subscriptionId,omitempty"`
	Event          string          `xml:"event,omitempty"`
	Expires        string          `xml:"expires,omitempty"`
	HTTPContact    *httpContactXML `xml:"httpContact,omitempty"`
	ApplicationID  string          `xml:"applicationId,omitempty"`
}

// httpContactXML is the delivery address of a subscription.
type httpContactXML struct {
	URI string `xml:"uri"`
}

// Subscribe creates a group subscription to "Advanced Call" events delivered
// by HTTP POST to req.HTTPContactURL:
// POST /com.broadsoft.xsi-events/v2.0/enterprise/{ent}/group/{grp} (or
// /serviceprovider/{sp}/group/{grp}). The credential must be an administrator
// of the group (403 otherwise). No initial snapshot event is sent for group
// subscriptions; call Calls per seat to resynchronise.
//
// The receiving handler must answer each POST with 200 (there is no
// EventResponse with HTTP contact) and should parse the body with ParseEvent.
func (c *Client) Subscribe(ctx context.Context, req centrex.SubscribeRequest) (centrex.Subscription, error) {
	op := "xsi: subscribe group " + c.conn.GroupID
	if req.HTTPContactURL == "" {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: errors.New("empty HTTP contact URL")}
	}
	if c.conn.GroupID == "" || c.conn.EnterpriseID == "" {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: errors.New("connection has no group or enterprise/service provider ID")}
	}
	parent := "serviceprovider"
	if c.conn.IsEnterprise {
		parent = "enterprise"
	}
	path := eventsPrefix + "/" + parent + "/" + url.PathEscape(c.conn.EnterpriseID) + "/group/" + url.PathEscape(c.conn.GroupID)
	body := subscriptionXML{
		Event:         eventPackage,
		Expires:       seconds(req.Expires),
		HTTPContact:   &httpContactXML{URI: req.HTTPContactURL},
		ApplicationID: req.ApplicationID,
	}
	return c.sendSubscription(ctx, op, "POST", path, body)
}

// Renew refreshes a subscription (PUT /subscription/{id}) and returns the
// expiry the XSP granted.
func (c *Client) Renew(ctx context.Context, id string, expires time.Duration) (centrex.Subscription, error) {
	op := "xsi: renew subscription " + id
	sub, err := c.sendSubscription(ctx, op, "PUT", eventsPrefix+"/subscription/"+url.PathEscape(id), subscriptionXML{Expires: seconds(expires)})
	if err == nil && sub.ID == "" {
		sub.ID = id
	}
	return sub, err
}

// Unsubscribe deletes a subscription (DELETE /subscription/{id}).
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	op := "xsi: delete subscription " + id
	_, _, _, err := c.do(ctx, request{op: op, method: "DELETE", path: eventsPrefix + "/subscription/" + url.PathEscape(id)})
	return err
}

// sendSubscription marshals body, sends it and decodes the answer.
func (c *Client) sendSubscription(ctx context.Context, op, method, path string, body subscriptionXML) (centrex.Subscription, error) {
	data, err := xml.Marshal(body)
	if err != nil {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: err}
	}
	data = append([]byte(xml.Header), data...)
	status, header, resp, err := c.do(ctx, request{op: op, method: method, path: path, body: data})
	if err != nil {
		return centrex.Subscription{}, err
	}
	var out struct {
		SubscriptionID string `xml:"subscriptionId"`
		Expires        string `xml:"expires"`
	}
	if len(strings.TrimSpace(string(resp))) > 0 {
		if err := decode(op, status, header, resp, &out); err != nil {
			return centrex.Subscription{}, err
		}
	}
	sub := centrex.Subscription{ID: strings.TrimSpace(out.SubscriptionID)}
	if n, err := strconv.ParseInt(strings.TrimSpace(out.Expires), 10, 64); err == nil {
		sub.Expires = time.Duration(n) * time.Second
	}
	if method == "POST" && sub.ID == "" {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: status, Err: errors.New("response without subscriptionId")}
	}
	return sub, nil
}

// seconds formats a duration as whole seconds; zero or less is omitted (the
// XSP then applies its minimum).
func seconds(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
