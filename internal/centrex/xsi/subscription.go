package xsi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
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
	ChannelSetID   string          `xml:"channelSetId,omitempty"`
	ApplicationID  string          `xml:"applicationId,omitempty"`
}

// httpContactXML is the delivery address of a subscription.
type httpContactXML struct {
	URI string `xml:"uri"`
}

// Subscribe creates a group subscription to "Advanced Call" events,
// delivered by HTTP POST to req.HTTPContactURL or on the event channels of
// req.ChannelSetID:
// POST /com.broadsoft.xsi-events/v2.0/enterprise/{ent}/group/{grp} (or
// /serviceprovider/{sp}/group/{grp}). The credential must be an administrator
// of the group (403 otherwise). No initial snapshot event is sent for group
// subscriptions; call Calls per seat to resynchronise.
//
// With HTTP contact the receiving handler must answer each POST with 200
// (there is no EventResponse) and should parse the body with ParseEvent.
func (c *Client) Subscribe(ctx context.Context, req centrex.SubscribeRequest) (centrex.Subscription, error) {
	op := "xsi: subscribe group " + c.conn.GroupID
	if (req.HTTPContactURL == "") == (req.ChannelSetID == "") {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: errors.New("want either an HTTP contact URL or a channel set")}
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
		ChannelSetID:  req.ChannelSetID,
		ApplicationID: req.ApplicationID,
	}
	if req.HTTPContactURL != "" {
		body.HTTPContact = &httpContactXML{URI: req.HTTPContactURL}
	}
	return c.sendSubscription(ctx, op, "POST", path, body)
}

// Renew refreshes a subscription (PUT /subscription/{id}) and returns the
// expiry the XSP granted (zero when its answer has none). An XSP answers 403
// to every unsuccessful subscription command, so a refused refresh means
// the XSP no longer has the subscription: it is reported as ErrNotFound.
func (c *Client) Renew(ctx context.Context, id string, expires time.Duration) (centrex.Subscription, error) {
	op := "xsi: renew subscription " + id
	sub, err := c.sendSubscription(ctx, op, "PUT", subscriptionPath(id), subscriptionXML{Expires: seconds(expires)})
	if err == nil && sub.ID == "" {
		sub.ID = id
	}
	return sub, goneIfRefused(err)
}

// Subscription reads a subscription back (GET /subscription/{id}): a cheap
// check that the XSP still has it. A refused or unknown one is ErrNotFound.
func (c *Client) Subscription(ctx context.Context, id string) (centrex.Subscription, error) {
	op := "xsi: get subscription " + id
	status, header, body, err := c.do(ctx, request{op: op, method: "GET", path: subscriptionPath(id)})
	if err != nil {
		return centrex.Subscription{}, goneIfRefused(err)
	}
	sub, err := decodeSubscription(op, status, header, body)
	if err == nil && sub.ID == "" {
		sub.ID = id
	}
	return sub, err
}

// Unsubscribe deletes a subscription (DELETE /subscription/{id}). A refused
// delete means the XSP no longer has it, reported as ErrNotFound: the caller
// can forget the subscription either way.
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	op := "xsi: delete subscription " + id
	_, _, _, err := c.do(ctx, request{op: op, method: "DELETE", path: subscriptionPath(id)})
	return goneIfRefused(err)
}

func subscriptionPath(id string) string { return eventsPrefix + "/subscription/" + url.PathEscape(id) }

// goneIfRefused maps the 403 an XSP answers to an unsuccessful command on
// one subscription (expired, unknown, lost; Spec-2020 §4.6.2.6) to
// ErrNotFound, keeping the status.
func goneIfRefused(err error) error {
	var ce *centrex.Error
	if errors.As(err, &ce) && errors.Is(err, centrex.ErrForbidden) {
		gone := *ce
		gone.Kind = centrex.ErrNotFound
		return &gone
	}
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
	sub, err := decodeSubscription(op, status, header, resp)
	if err != nil {
		return centrex.Subscription{}, err
	}
	if method == "POST" && sub.ID == "" {
		return centrex.Subscription{}, &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: status, Err: errors.New("response without subscriptionId")}
	}
	return sub, nil
}

// decodeSubscription reads a <Subscription> answer; an empty body is an
// empty Subscription.
func decodeSubscription(op string, status int, header http.Header, body []byte) (centrex.Subscription, error) {
	var out struct {
		SubscriptionID string `xml:"subscriptionId"`
		Expires        string `xml:"expires"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := decode(op, status, header, body, &out); err != nil {
			return centrex.Subscription{}, err
		}
	}
	sub := centrex.Subscription{ID: strings.TrimSpace(out.SubscriptionID)}
	if n, err := strconv.ParseInt(strings.TrimSpace(out.Expires), 10, 64); err == nil && n > 0 {
		sub.Expires = time.Duration(n) * time.Second
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
