package xsi

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// maxResponseSize bounds any response body read from the XSP. A full
// directory page of 1000 seats is well below it.
const maxResponseSize = 16 << 20

// Client is a centrex.PBX for one company's BroadWorks group. It is safe for
// concurrent use. Keep one per company: it holds the XSP's session.
type Client struct {
	conn centrex.Connection
	base string
	http *http.Client
}

var _ centrex.PBX = (*Client)(nil)

// New returns a client using conn's credential on every request, and
// sending back the session cookie (JSESSIONID) the XSP sets, which the
// specification recommends to spare the XSP re-authenticating each request
// (Authorization is still sent every time). httpClient gives the transport
// and timeout (nil means http.DefaultClient's; callers should pass one with
// a timeout); the Client keeps a cookie jar of its own unless httpClient has
// one. conn.BaseURL is the XSP root such as "https://xsp.example.com".
func New(conn centrex.Connection, httpClient *http.Client) *Client {
	hc := http.Client{}
	if httpClient != nil {
		hc = *httpClient
	}
	if hc.Jar == nil {
		hc.Jar, _ = cookiejar.New(nil) // never fails without options
	}
	return &Client{conn: conn, base: strings.TrimRight(conn.BaseURL, "/"), http: &hc}
}

// request is one Xsi call: method, path below the XSP root (already escaped),
// optional query and XML body.
type request struct {
	op     string
	method string
	path   string
	query  url.Values
	body   []byte
}

// userPath builds an escaped Xsi-Actions path below /user/{id}.
func userPath(userID string, rest ...string) string {
	p := actionsPrefix + "/user/" + url.PathEscape(userID)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// do sends req and returns the response status, headers and body for a 2xx
// response; any other outcome becomes a *centrex.Error.
func (c *Client) do(ctx context.Context, req request) (int, http.Header, []byte, error) {
	return c.doVia(ctx, c.http, req)
}

// doVia is do over another HTTP client (an event channel's, pinned to the
// XSP host that holds its stream).
func (c *Client) doVia(ctx context.Context, hc *http.Client, req request) (int, http.Header, []byte, error) {
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return 0, nil, nil, &centrex.Error{Op: req.op, Kind: centrex.ErrRejected, Err: err}
	}
	hr.SetBasicAuth(c.conn.UserID, c.conn.Password)
	hr.Header.Set("Accept", "application/xml")
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/xml; charset=UTF-8")
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return 0, nil, nil, &centrex.Error{Op: req.op, Kind: centrex.ErrUnavailable, Err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return resp.StatusCode, nil, nil, &centrex.Error{Op: req.op, Kind: centrex.ErrUnavailable, Status: resp.StatusCode, Err: scrubURLError(err)}
	}
	if len(data) > maxResponseSize {
		return resp.StatusCode, nil, nil, &centrex.Error{Op: req.op, Kind: centrex.ErrUnavailable, Status: resp.StatusCode, Err: errors.New("response too large")}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, nil, nil, statusError(req.op, resp.StatusCode, resp.Header, data)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// scrubURLError drops the URL from a *url.Error: it carries no password
// (Basic auth is a header) but keeps errors short and stable.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// decode unmarshals an Xsi response, honouring its charset (directory and
// profile responses may be ISO-8859-1), declared or from Content-Type.
func decode(op string, status int, header http.Header, data []byte, v any) error {
	data, err := toUTF8IfUndeclared(header.Get("Content-Type"), data)
	if err != nil {
		return &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: status, Err: fmt.Errorf("decode response: %w", err)}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	if err := dec.Decode(v); err != nil {
		return &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: status, Err: fmt.Errorf("decode response: %w", err)}
	}
	return nil
}
