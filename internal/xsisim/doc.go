// Package xsisim is a local simulator of a Cisco BroadWorks XSP serving
// Xsi-Actions and Xsi-Events, for the gateway's dev mode, tests and load
// tests. It owns a model of enterprises/service providers, groups, seats and
// group administrators, per-call-half call state, event subscriptions
// (HTTP contact or channel set) and streaming event channels.
//
// What it serves (paths match case-insensitively, as on real XSPs):
//
//	/com.broadsoft.xsi-actions/v2.0/versions
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/profile
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/directories/Group?start=&results=&sortColumn=&<search>=
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/calls                        GET
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/calls/new?address=           POST → 201 CallStartInfo
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/calls/{id}                   GET, DELETE[?decline=true]
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/calls/{id}/Talk|Hold         PUT
//	/com.broadsoft.xsi-actions/v2.0/user/{user}/calls/{id}/TransmitDTMF?playdtmf=  PUT
//	/com.broadsoft.xsi-events/v2.0/enterprise/{ent}/group/{grp}              POST <Subscription>
//	/com.broadsoft.xsi-events/v2.0/serviceprovider/{sp}/group/{grp}          POST <Subscription>
//	/com.broadsoft.xsi-events/v2.0/user/{user}[/subscription]                POST <Subscription>
//	/com.broadsoft.xsi-events/v2.0/subscription                              GET
//	/com.broadsoft.xsi-events/v2.0/subscription/{id}                         GET, PUT, DELETE
//	/com.broadsoft.async/com.broadsoft.xsi-events/v2.0/channel               POST <Channel> → the stream
//	/com.broadsoft.xsi-events/v2.0/channel/{id}                              PUT (refresh), DELETE
//	/com.broadsoft.xsi-events/v2.0/channel/{id}/heartbeat                    PUT
//	/com.broadsoft.xsi-events/v2.0/channel/eventresponse                     POST <EventResponse>
//	/com.broadsoft.xsi-events/v2.0/channelset/{id}                           GET
//
// Authentication is HTTP Basic: a seat ("user@domain" and its web password)
// may act on itself only; a group administrator may act on every seat of its
// group and subscribe to the group. Missing or wrong credentials get 401 with
// a WWW-Authenticate challenge, out-of-scope targets 403, unknown users and
// calls 404, invalid call transitions 400; every unsuccessful command on a
// subscription or a channel (unknown, expired, another user's) gets 403, as
// the specification says. Errors are ErrorInfo documents in the Xsi
// namespace; the errorCode values are the simulator's own (real codes are
// product-internal). There is no mute command (404). Every response sets a
// JSESSIONID session cookie unless the request carried one the simulator
// issued; Requests records which did. Subscriptions and channels live at
// least an hour (Options.MinExpires lowers that for tests).
//
// HTTP contact: events are POSTed (Content-Type application/xml) to a
// subscription's httpContact URI, in order per subscription, one document
// per request. A non-2xx answer or a transport error is retried
// (Options.DeliveryAttempts, doubling Options.DeliveryBackoff), then the
// event is dropped and delivery continues with the next one, as an XSP does
// not hold back a subscription forever. Events of a group subscription name
// the seat in targetId; those of a user subscription carry no targetId.
//
// Event channels: a subscription made with a channelSetId delivers to the
// newest open channel of that set of its user. The stream is chunked, one
// document per chunk, each with its XML declaration: the <Channel> first,
// then events and <ChannelHeartBeat/> (one per PUT heartbeat). An event is
// kept until its EventResponse, at most Options.ChannelHold: one sent on a
// channel that is lost is sent again on the set's next channel, one that
// finds no channel waits for one. A channel ends with a
// ChannelTerminatedEvent (Expired, ExplicitDelete on DELETE,
// DuplicateChannelSet when the user opens a channel in another set of the
// same application, NonResponsiveChannel after
// Options.ChannelHeartbeatTimeout without heartbeat or when its stream
// falls far behind), or without one when its connection drops.
//
// Restart simulates an XSP restart: subscriptions, channels, sessions and
// calls are forgotten without events, and call ids start again from
// callhalf-1:0.
//
// # Control API
//
// Other processes (dev mode, demos, load tests) drive the simulated world
// through a JSON API under /_sim/, without authentication; never expose it
// beyond localhost. Requests take JSON bodies (whatever their Content-Type,
// so `curl -d '{"seat":…}'` works as typed) or form values.
//
//	POST /_sim/calls/incoming   {"seat":"…","from":"+34…","name":"…"} → {"callId":"…"}
//	POST /_sim/calls/{id}/answer-at-seat      the seat picks up / answers
//	POST /_sim/calls/{id}/answer-far-end      the external far end answers
//	POST /_sim/calls/{id}/release-far-end     the far end hangs up
//	POST /_sim/calls/{id}/pickup   {"seat":"…"}  another seat picks the ringing call up
//	POST /_sim/seats/{seat}/forward {"to":"…"}   Call Forwarding Always to another seat ("" off)
//	GET  /_sim/calls                          every live call half
//	GET  /_sim/requests                       every recorded request
//	POST /_sim/faults   {"method":"","path":"","status":503,"delayMs":0,"count":1}
//	GET  /_sim/subscriptions                  every live subscription
//	POST /_sim/subscriptions/{id}/forget      the XSP loses it without a word
//	GET  /_sim/channels                       every open event channel
//	POST /_sim/channels/{id}/terminate  {"reason":"NonResponsiveChannel"}
//	POST /_sim/channels/{id}/drop             cut its connection without an event
//	POST /_sim/restart                        an XSP restart (see Restart)
package xsisim
