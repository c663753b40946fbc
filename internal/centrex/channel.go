package centrex

import (
	"context"
	"time"
)

// Channels opens streaming event channels: instead of the PBX posting events
// to the gateway (HTTP contact), the gateway holds a long-lived connection
// open to the PBX and reads the events of the subscriptions made with the
// channel's set (SubscribeRequest.ChannelSetID) from it. This works when the
// PBX cannot reach the gateway.
type Channels interface {
	// OpenChannel opens a channel of req.ChannelSetID. The channel's stream
	// lives until ctx ends or Close is called; when ctx ends the PBX is not
	// told (it notices the connection is gone).
	OpenChannel(ctx context.Context, req ChannelRequest) (Channel, error)
}

// ChannelRequest asks for an event channel. ChannelSetID names the set the
// subscriptions are attached to: a channel opened again in the same set gets
// its subscriptions back. Expires is a wish; the PBX raises it to at least
// an hour.
type ChannelRequest struct {
	ChannelSetID  string
	ApplicationID string
	Expires       time.Duration
}

// Channel is one open event channel. Its methods may be called from
// several goroutines, except Next, which one reader calls.
type Channel interface {
	// ID is the channel's id at the PBX.
	ID() string
	// Expires is the lifetime the PBX granted when the channel opened.
	Expires() time.Duration
	// Next returns the next event of the stream; heartbeats are consumed
	// and malformed events acknowledged as such. An EventChannelTerminated
	// event (the PBX ended the channel) or an error (the stream broke) ends
	// the channel.
	Next(ctx context.Context) (Event, error)
	// Ack acknowledges an event with an HTTP-like status (200 when it was
	// applied), as the PBX requires of every event but a channel's
	// termination.
	Ack(ctx context.Context, eventID string, status int, reason string) error
	// Heartbeat tells the PBX the channel's reader is alive.
	Heartbeat(ctx context.Context) error
	// Refresh extends the channel and returns the lifetime granted (zero
	// when the PBX did not say).
	Refresh(ctx context.Context, expires time.Duration) (time.Duration, error)
	// Close deletes the channel at the PBX (best effort) and closes the
	// stream.
	Close(ctx context.Context) error
}
