package centrex

// EventKind names what happened. Call kinds are the Xsi event type without
// the "Event" suffix (CallReceivedEvent → CallReceived).
type EventKind string

// Event kinds the gateway reacts to. Kinds not listed here arrive as
// EventOther with Event.Type holding the raw type name.
const (
	// EventCallOriginating: a click-to-dial was accepted and the seat's own
	// device is being alerted.
	EventCallOriginating EventKind = "CallOriginating"
	// EventCallOriginated: the seat dialled (or picked up its click-to-dial
	// leg); the far end is being alerted.
	EventCallOriginated EventKind = "CallOriginated"
	// EventCallCollecting: the seat went off-hook and BroadWorks is
	// collecting the digits it dials (Originator, Active); nobody is called
	// yet.
	EventCallCollecting EventKind = "CallCollecting"
	// EventCallReceived: an incoming call for the seat.
	EventCallReceived EventKind = "CallReceived"
	// EventCallAnswered: either side answered.
	EventCallAnswered EventKind = "CallAnswered"
	// EventCallHeld: the call was held (locally or remotely).
	EventCallHeld EventKind = "CallHeld"
	// EventCallRetrieved: a held call was resumed.
	EventCallRetrieved EventKind = "CallRetrieved"
	// EventCallReleasing: the call is connected to a treatment before release.
	EventCallReleasing EventKind = "CallReleasing"
	// EventCallReleased: the call half ended.
	EventCallReleased EventKind = "CallReleased"
	// EventCallUpdated: call details changed (for example the remote party).
	EventCallUpdated EventKind = "CallUpdated"
	// EventCallRedirected: the seat redirected calls away (call forwarding,
	// simultaneous ring, blind transfer); it carries the calls redirected
	// (Event.Calls), Detached.
	EventCallRedirected EventKind = "CallRedirected"
	// EventCallForwarded: the far end of the seat's outgoing call forwarded
	// it; the call goes on ringing where remoteParty says.
	EventCallForwarded EventKind = "CallForwarded"
	// EventCallTransferred: the other party transferred the seat's call;
	// its state, remote party or extTrackingId changed.
	EventCallTransferred EventKind = "CallTransferred"
	// EventCallPickedUp: the seat picked up a call that was ringing
	// elsewhere (directed call pickup); a new extTrackingId, Alerting.
	EventCallPickedUp EventKind = "CallPickedUp"
	// EventCallParkRetrieved: a call parked against the seat was retrieved
	// to it; a new extTrackingId, Alerting.
	EventCallParkRetrieved EventKind = "CallParkRetrieved"
	// EventCallDetached: the seat's half is detached from its device.
	EventCallDetached EventKind = "CallDetached"
	// EventCallSubscription is the snapshot of current calls sent after a
	// user-level subscription; EventCallSubscriptionResync is the same after
	// an abnormal PBX restart. Both fill Event.Calls.
	EventCallSubscription       EventKind = "CallSubscription"
	EventCallSubscriptionResync EventKind = "CallSubscriptionResync"
	// EventSubscriptionTerminated: the subscription ended (expired, deleted);
	// the receiver must subscribe again.
	EventSubscriptionTerminated EventKind = "SubscriptionTerminated"
	// EventChannelTerminated: an event channel ended (channels only).
	EventChannelTerminated EventKind = "ChannelTerminated"
	// EventOther is any other event type.
	EventOther EventKind = "Other"
)

// Event is one PBX event about a seat. ID is unique per event and is the key
// to de-duplicate redeliveries; Sequence increases per subscription (and
// wraps). TargetID is the seat the event is about; SubscriberID is the owner
// of the subscription (often the administrator), not the seat.
type Event struct {
	ID             string
	Sequence       int64
	SubscriptionID string
	SubscriberID   string
	ApplicationID  string
	TargetID       string
	Kind           EventKind
	// Type is the raw event type name, for example "CallReceivedEvent".
	Type string

	// Call is the call half the event is about, nil for non-call events.
	Call *Call
	// Calls is the current call list of snapshot events.
	Calls []Call
	// HookStatus is "On-Hook" or "Off-Hook" when reported.
	HookStatus string
	// Reason is the termination reason of EventChannelTerminated, and
	// ChannelID the channel it ended.
	Reason    string
	ChannelID string
}
