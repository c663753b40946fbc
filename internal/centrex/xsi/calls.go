package xsi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// callStartInfo is the response of calls/new. Note externalTrackingId here
// versus extTrackingId in <call>.
type callStartInfo struct {
	XMLName    xml.Name `xml:"CallStartInfo"`
	CallID     string   `xml:"callId"`
	ExtTrackID string   `xml:"externalTrackingId"`
}

// callList is the response of GET calls: ids only.
type callList struct {
	Calls []struct {
		CallID string `xml:"callId"`
	} `xml:"call"`
}

// Dial places a click-to-dial call (POST calls/new?address=). Both 200 and
// 201 are success; the call ID comes from <CallStartInfo>.
func (c *Client) Dial(ctx context.Context, seat, address string) (string, error) {
	op := "xsi: dial from " + seat
	if strings.TrimSpace(address) == "" {
		return "", &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: errors.New("empty address")}
	}
	status, header, body, err := c.do(ctx, request{
		op: op, method: "POST", path: userPath(seat, "calls", "new"),
		query: url.Values{"address": {address}},
	})
	if err != nil {
		return "", err
	}
	var info callStartInfo
	if err := decode(op, status, header, body, &info); err != nil {
		return "", err
	}
	if info.CallID == "" {
		return "", &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: status, Err: errors.New("CallStartInfo without callId")}
	}
	return strings.TrimSpace(info.CallID), nil
}

// Answer answers an alerting call (PUT calls/{id}/Talk).
func (c *Client) Answer(ctx context.Context, seat, callID string) error {
	return c.callAction(ctx, "answer", seat, callID, "Talk", nil)
}

// Resume retrieves a held call (PUT calls/{id}/Talk; Reconnect would also
// release the seat's other calls).
func (c *Client) Resume(ctx context.Context, seat, callID string) error {
	return c.callAction(ctx, "resume", seat, callID, "Talk", nil)
}

// Hold holds an active call (PUT calls/{id}/Hold).
func (c *Client) Hold(ctx context.Context, seat, callID string) error {
	return c.callAction(ctx, "hold", seat, callID, "Hold", nil)
}

// SendDTMF plays digits into the call (PUT calls/{id}/TransmitDTMF?playdtmf=).
func (c *Client) SendDTMF(ctx context.Context, seat, callID, digits string) error {
	return c.callAction(ctx, "send dtmf on", seat, callID, "TransmitDTMF", url.Values{"playdtmf": {digits}})
}

// Hangup releases the call (DELETE calls/{id}); with decline it rejects an
// alerting incoming call (?decline=true).
func (c *Client) Hangup(ctx context.Context, seat, callID string, decline bool) error {
	op := fmt.Sprintf("xsi: hang up call %s of %s", callID, seat)
	var q url.Values
	if decline {
		op = fmt.Sprintf("xsi: decline call %s of %s", callID, seat)
		q = url.Values{"decline": {"true"}}
	}
	_, _, _, err := c.do(ctx, request{op: op, method: "DELETE", path: userPath(seat, "calls", callID), query: q})
	return err
}

// callAction sends PUT calls/{id}/{command}, which answers 200 with no body.
func (c *Client) callAction(ctx context.Context, verb, seat, callID, command string, q url.Values) error {
	op := fmt.Sprintf("xsi: %s call %s of %s", verb, callID, seat)
	_, _, _, err := c.do(ctx, request{op: op, method: "PUT", path: userPath(seat, "calls", callID, command), query: q})
	return err
}

// Calls lists the seat's calls (GET calls) and reads each one's details
// (GET calls/{id}). A call that ends between the two requests is skipped.
func (c *Client) Calls(ctx context.Context, seat string) ([]centrex.Call, error) {
	op := "xsi: list calls of " + seat
	status, header, body, err := c.do(ctx, request{op: op, method: "GET", path: userPath(seat, "calls")})
	if err != nil {
		return nil, err
	}
	var list callList
	if err := decode(op, status, header, body, &list); err != nil {
		return nil, err
	}
	calls := make([]centrex.Call, 0, len(list.Calls))
	for _, item := range list.Calls {
		id := strings.TrimSpace(item.CallID)
		if id == "" {
			continue
		}
		call, err := c.call(ctx, seat, id)
		if errors.Is(err, centrex.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		calls = append(calls, call)
	}
	return calls, nil
}

// call reads one call's details.
func (c *Client) call(ctx context.Context, seat, callID string) (centrex.Call, error) {
	op := fmt.Sprintf("xsi: get call %s of %s", callID, seat)
	status, header, body, err := c.do(ctx, request{op: op, method: "GET", path: userPath(seat, "calls", callID)})
	if err != nil {
		return centrex.Call{}, err
	}
	var x callXML
	if err := decode(op, status, header, body, &x); err != nil {
		return centrex.Call{}, err
	}
	return x.toCall(), nil
}
