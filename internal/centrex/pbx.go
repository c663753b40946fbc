package centrex

import (
	"context"
	"time"
)

// PBX is what the gateway needs from a company's hosted PBX. One value serves
// one company (one Connection). Seat arguments are BroadWorks user IDs.
// Errors are *Error values wrapping one of the sentinel errors.
type PBX interface {
	Directory
	CallControl
	Subscriber
	Channels
}

// Directory lists the company's seats.
type Directory interface {
	// Seats returns every seat of the company's group, reading all pages.
	Seats(ctx context.Context) ([]Seat, error)
}

// CallControl drives calls of one seat.
type CallControl interface {
	// Dial starts a click-to-dial call from the seat to address (digits,
	// extension, +E.164, tel: or sip: URI) and returns the seat's call ID.
	// The seat's device rings first; the far end is called once it answers.
	Dial(ctx context.Context, seat, address string) (callID string, err error)
	// Answer answers an alerting incoming call on the seat's device.
	Answer(ctx context.Context, seat, callID string) error
	// Hold puts an active call on hold.
	Hold(ctx context.Context, seat, callID string) error
	// Resume retrieves a held call.
	Resume(ctx context.Context, seat, callID string) error
	// Hangup releases the call. With decline, an alerting incoming call is
	// rejected instead (the caller gets busy/voicemail treatment).
	Hangup(ctx context.Context, seat, callID string, decline bool) error
	// SendDTMF plays digits (0-9 * # A-D, comma for a pause) into the call.
	SendDTMF(ctx context.Context, seat, callID, digits string) error
	// Calls returns the seat's current calls with their details, for
	// resynchronising after missed events.
	Calls(ctx context.Context, seat string) ([]Call, error)
}

// Subscriber manages event subscriptions for the company's group. Events are
// delivered by HTTP POST to SubscribeRequest.HTTPContactURL (the receiver
// answers 200 and parses the body, package xsi: ParseEvent), or on the event
// channels of SubscribeRequest.ChannelSetID (see Channels).
//
// A subscription the PBX no longer has (it expired, was deleted, or the PBX
// forgot it) makes Renew, Subscription and Unsubscribe fail with ErrNotFound.
type Subscriber interface {
	// Subscribe subscribes to call events of every seat of the group.
	Subscribe(ctx context.Context, req SubscribeRequest) (Subscription, error)
	// Renew extends the subscription. Use the returned Expires, which the
	// PBX may raise or cap; it is zero when the PBX did not say.
	Renew(ctx context.Context, id string, expires time.Duration) (Subscription, error)
	// Subscription reads the subscription back: a cheap check that the PBX
	// still has it.
	Subscription(ctx context.Context, id string) (Subscription, error)
	// Unsubscribe deletes the subscription.
	Unsubscribe(ctx context.Context, id string) error
}

// SubscribeRequest asks for call events of the group, delivered by HTTP
// POST to HTTPContactURL or on the channels of ChannelSetID (exactly one of
// the two). Expires is a wish; the PBX raises it to at least an hour.
type SubscribeRequest struct {
	HTTPContactURL string
	ChannelSetID   string
	Expires        time.Duration
	ApplicationID  string
}

// Subscription is an accepted subscription. Expires is the lifetime granted by
// the PBX, counted from when the response was received (zero when the PBX did
// not say); renew well before (for example at half-life).
type Subscription struct {
	ID      string
	Expires time.Duration
}
