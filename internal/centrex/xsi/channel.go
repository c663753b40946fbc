package xsi

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// asyncPrefix is the root of the streaming channel (the channel's other
// commands are under eventsPrefix).
const asyncPrefix = "/com.broadsoft.async/com.broadsoft.xsi-events/v2.0"

// channelXML is the <Channel> request and the first document of the stream.
type channelXML struct {
	XMLName       xml.Name `xml:"http://schema.broadsoft.com/xsi Channel"`
	ChannelID     string   `xml:"channelId,omitempty"`
	ChannelSetID  string   `xml:"channelSetId,omitempty"`
	Priority      int      `xml:"priority,omitempty"`
	Weight        int      `xml:"weight,omitempty"`
	Expires       string   `xml:"expires,omitempty"`
	ApplicationID string   `xml:"applicationId,omitempty"`
}

// eventResponseXML acknowledges one channel event.
type eventResponseXML struct {
	XMLName    xml.Name `xml:"http://schema.broadsoft.com/xsi EventResponse"`
	EventID    string   `xml:"eventID"`
	StatusCode int      `xml:"statusCode"`
	Reason     string   `xml:"reason"`
}

// OpenChannel opens a streaming event channel (POST
// /com.broadsoft.async/com.broadsoft.xsi-events/v2.0/channel) in
// req.ChannelSetID and reads its first document, the <Channel> with the
// channel's id and granted expiry. The stream (chunked, one XML document
// per event or heartbeat, each with its own declaration) is read with one
// encoding/xml decoder over successive top-level documents.
//
// An XSP host that runs behind one name with several addresses holds the
// stream on one of them, and the channel's heartbeats, acknowledgements,
// refreshes and delete must reach that same host: the channel sends them
// over connections dialled to the address the stream's connection reached
// (with the same host name for TLS). That needs the Client's transport to
// be an *http.Transport (the default), or a WrappingTransport around one;
// with another RoundTripper they go through it unpinned.
func (c *Client) OpenChannel(ctx context.Context, req centrex.ChannelRequest) (centrex.Channel, error) {
	op := "xsi: open event channel of set " + req.ChannelSetID
	if req.ChannelSetID == "" || len(req.ChannelSetID) > 256 {
		return nil, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: errors.New("a channel set id of 1 to 256 characters is required")}
	}
	body, err := xml.Marshal(channelXML{ChannelSetID: req.ChannelSetID, Priority: 1, Weight: 100,
		Expires: seconds(req.Expires), ApplicationID: req.ApplicationID})
	if err != nil {
		return nil, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: err}
	}
	stream, ops := c.channelClients()
	sctx, cancel := context.WithCancel(ctx)
	hr, err := http.NewRequestWithContext(sctx, http.MethodPost, c.base+asyncPrefix+"/channel",
		bytes.NewReader(append([]byte(xml.Header), body...)))
	if err != nil {
		cancel()
		return nil, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: err}
	}
	hr.SetBasicAuth(c.conn.UserID, c.conn.Password)
	hr.Header.Set("Accept", "application/xml")
	hr.Header.Set("Content-Type", "application/xml; charset=UTF-8")
	// The handshake (up to the first document) is bounded like any request;
	// the stream itself is not.
	handshake := time.AfterFunc(cmpDuration(c.http.Timeout, 30*time.Second), cancel)
	resp, err := stream.client.Do(hr)
	if err != nil {
		cancel()
		return nil, &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Err: scrubURLError(err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxEventSize))
		resp.Body.Close()
		cancel()
		return nil, statusError(op, resp.StatusCode, resp.Header, data)
	}
	ch := &channel{c: c, ops: ops, body: resp.Body, cancel: cancel, items: make(chan channelItem, 16), done: make(chan struct{})}
	ch.lim = &docLimit{r: resp.Body}
	ch.dec = xml.NewDecoder(ch.lim)
	ch.dec.CharsetReader = charsetReader
	first, err := ch.firstDocument()
	if !handshake.Stop() && err == nil {
		err = errors.New("timed out")
	}
	if err != nil {
		ch.abandon()
		return nil, &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Status: resp.StatusCode, Err: fmt.Errorf("read the channel: %w", err)}
	}
	ch.id = strings.TrimSpace(first.ChannelID)
	if n, err := strconv.ParseInt(strings.TrimSpace(first.Expires), 10, 64); err == nil && n > 0 {
		ch.expires = time.Duration(n) * time.Second
	}
	go ch.read()
	return ch, nil
}

func cmpDuration(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}

// pinnedClient is an HTTP client, and the address its connections reached
// (the stream's) or must reach (the channel commands').
type pinnedClient struct {
	client *http.Client
	mu     sync.Mutex
	addr   string
}

func (p *pinnedClient) remote() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// WrappingTransport is a RoundTripper around another one, such as the
// metrics' counting transport. The event channel builds its pinned
// transports from the one beneath and wraps them the same way.
type WrappingTransport interface {
	http.RoundTripper
	// Unwrap returns the transport beneath (nil: http.DefaultTransport).
	Unwrap() http.RoundTripper
	// Wrap returns the same wrapper around another transport.
	Wrap(http.RoundTripper) http.RoundTripper
}

// channelClients returns the client of a channel's stream (no timeout; it
// records the address its connection reached) and the client of its
// commands, whose connections go to that address.
func (c *Client) channelClients() (stream, ops *pinnedClient) {
	stream, ops = &pinnedClient{}, &pinnedClient{}
	rt := c.http.Transport
	wrap := func(t http.RoundTripper) http.RoundTripper { return t }
	if w, ok := rt.(WrappingTransport); ok {
		rt, wrap = w.Unwrap(), w.Wrap
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	base, ok := rt.(*http.Transport)
	if !ok {
		stream.client = &http.Client{Transport: c.http.Transport, Jar: c.http.Jar}
		ops.client = c.http
		return stream, ops
	}
	dial := base.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	st := base.Clone()
	st.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err == nil {
			stream.mu.Lock()
			stream.addr = conn.RemoteAddr().String()
			stream.mu.Unlock()
		}
		return conn, err
	}
	st.DisableKeepAlives = true // the stream's connection is its own
	stream.client = &http.Client{Transport: wrap(st), Jar: c.http.Jar}
	ot := base.Clone()
	ot.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if pinned := stream.remote(); pinned != "" {
			addr = pinned
		}
		return dial(ctx, network, addr)
	}
	ops.client = &http.Client{Transport: wrap(ot), Jar: c.http.Jar, Timeout: c.http.Timeout}
	return stream, ops
}

// channel is an open event channel.
type channel struct {
	c       *Client
	id      string
	expires time.Duration
	ops     *pinnedClient
	body    io.ReadCloser
	cancel  context.CancelFunc
	lim     *docLimit
	dec     *xml.Decoder
	items   chan channelItem
	done    chan struct{} // closed when the stream is abandoned
	once    sync.Once
}

// channelItem is one event of the stream, or the error that ended it.
type channelItem struct {
	ev  centrex.Event
	err error
}

func (ch *channel) ID() string             { return ch.id }
func (ch *channel) Expires() time.Duration { return ch.expires }

// Next returns the next event (see centrex.Channel).
func (ch *channel) Next(ctx context.Context) (centrex.Event, error) {
	select {
	case <-ctx.Done():
		return centrex.Event{}, ctx.Err()
	case it, ok := <-ch.items:
		if !ok {
			return centrex.Event{}, errors.New("xsi: event channel " + ch.id + ": closed")
		}
		return it.ev, it.err
	}
}

// firstDocument reads the <Channel> that opens the stream.
func (ch *channel) firstDocument() (channelXML, error) {
	var first channelXML
	for {
		tok, err := ch.dec.Token()
		if err != nil {
			return first, unexpectedEOF(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local != "Channel" {
			return first, fmt.Errorf("first document is %s, not a Channel", se.Name.Local)
		}
		if err := ch.dec.DecodeElement(&first, &se); err != nil {
			return first, err
		}
		if strings.TrimSpace(first.ChannelID) == "" {
			return first, errors.New("the Channel has no channelId")
		}
		return first, nil
	}
}

// read decodes the stream's documents into ch.items until it ends.
func (ch *channel) read() {
	defer close(ch.items)
	for {
		ev, err := ch.nextEvent()
		select {
		case ch.items <- channelItem{ev: ev, err: err}:
		case <-ch.done:
			return
		}
		if err != nil || ev.Kind == centrex.EventChannelTerminated {
			return
		}
	}
}

// nextEvent returns the next event document; heartbeats are skipped, and
// an event that is not usable is acknowledged with 400 so that the XSP does
// not send it again.
func (ch *channel) nextEvent() (centrex.Event, error) {
	for {
		ch.lim.reset()
		tok, err := ch.dec.Token()
		if err != nil {
			return centrex.Event{}, fmt.Errorf("xsi: event channel %s: stream: %w", ch.id, unexpectedEOF(err))
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local != "Event" {
			// ChannelHeartBeat, or a document the gateway does not use.
			if err := ch.dec.Skip(); err != nil {
				return centrex.Event{}, fmt.Errorf("xsi: event channel %s: stream: %w", ch.id, err)
			}
			continue
		}
		ev, err := decodeEvent(ch.dec, se)
		var bad *invalidEvent
		if errors.As(err, &bad) {
			if bad.id != "" {
				ctx, cancel := context.WithTimeout(context.Background(), cmpDuration(ch.c.http.Timeout, 10*time.Second))
				_ = ch.Ack(ctx, bad.id, http.StatusBadRequest, "Bad event")
				cancel()
			}
			continue
		}
		if err != nil {
			return centrex.Event{}, fmt.Errorf("xsi: event channel %s: stream: %w", ch.id, err)
		}
		return ev, nil
	}
}

// Ack sends POST /channel/eventresponse.
func (ch *channel) Ack(ctx context.Context, eventID string, status int, reason string) error {
	op := "xsi: acknowledge event " + eventID
	body, err := xml.Marshal(eventResponseXML{EventID: eventID, StatusCode: status, Reason: cmpString(reason, http.StatusText(status))})
	if err != nil {
		return &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: err}
	}
	_, _, _, err = ch.c.doVia(ctx, ch.ops.client, request{op: op, method: http.MethodPost,
		path: eventsPrefix + "/channel/eventresponse", body: append([]byte(xml.Header), body...)})
	return err
}

func cmpString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Heartbeat sends PUT /channel/{id}/heartbeat (no body). A channel the XSP
// no longer has is ErrNotFound.
func (ch *channel) Heartbeat(ctx context.Context) error {
	op := "xsi: heartbeat of event channel " + ch.id
	_, _, _, err := ch.c.doVia(ctx, ch.ops.client, request{op: op, method: http.MethodPut,
		path: channelPath(ch.id) + "/heartbeat"})
	return goneIfRefused(err)
}

// Refresh sends PUT /channel/{id} with the expiry wanted.
func (ch *channel) Refresh(ctx context.Context, expires time.Duration) (time.Duration, error) {
	op := "xsi: refresh event channel " + ch.id
	body, err := xml.Marshal(channelXML{Expires: seconds(expires)})
	if err != nil {
		return 0, &centrex.Error{Op: op, Kind: centrex.ErrRejected, Err: err}
	}
	status, header, resp, err := ch.c.doVia(ctx, ch.ops.client, request{op: op, method: http.MethodPut,
		path: channelPath(ch.id), body: append([]byte(xml.Header), body...)})
	if err != nil {
		return 0, goneIfRefused(err)
	}
	var got channelXML
	if len(bytes.TrimSpace(resp)) > 0 {
		if err := decode(op, status, header, resp, &got); err != nil {
			return 0, err
		}
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(got.Expires), 10, 64); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	return 0, nil
}

// Close sends DELETE /channel/{id} and closes the stream.
func (ch *channel) Close(ctx context.Context) error {
	op := "xsi: delete event channel " + ch.id
	_, _, _, err := ch.c.doVia(ctx, ch.ops.client, request{op: op, method: http.MethodDelete, path: channelPath(ch.id)})
	ch.abandon()
	if errors.Is(goneIfRefused(err), centrex.ErrNotFound) {
		return nil // already gone
	}
	return err
}

// abandon closes the stream without telling the XSP.
func (ch *channel) abandon() {
	ch.once.Do(func() {
		close(ch.done)
		ch.cancel()
		ch.body.Close()
		if t, ok := ch.ops.client.Transport.(*http.Transport); ok && ch.ops.client != ch.c.http {
			t.CloseIdleConnections()
		}
	})
}

func channelPath(id string) string { return eventsPrefix + "/channel/" + url.PathEscape(id) }

// docLimit bounds the bytes of one document of the stream: the reader
// fails once more than MaxEventSize were read since the last reset, which
// the channel does before each document (the decoder reads ahead a little,
// so the bound is approximate).
type docLimit struct {
	r io.Reader
	n int
}

func (l *docLimit) reset() { l.n = 0 }

func (l *docLimit) Read(p []byte) (int, error) {
	if l.n > MaxEventSize {
		return 0, fmt.Errorf("document exceeds %d bytes", MaxEventSize)
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}
