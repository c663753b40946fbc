// Package xsisim is a local simulator of a Cisco BroadWorks XSP serving
// Xsi-Actions and Xsi-Events, for the gateway's dev mode, tests and load
// tests. It owns a model of enterprises/service providers, groups, seats and
// group administrators, per-call-half call state, and HTTP-contact event
// subscriptions.
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
//
// Authentication is HTTP Basic: a seat ("user@domain" and its web password)
// may act on itself only; a group administrator may act on every seat of its
// group and subscribe to the group. Missing or wrong credentials get 401 with
// a WWW-Authenticate challenge, out-of-scope targets 403, unknown users and
// calls 404, invalid call transitions 400. Errors are ErrorInfo documents in
// the Xsi namespace; the errorCode values are the simulator's own (real codes
// are product-internal). There is no mute command (404), and no streaming
// event channel: events are delivered by HTTP contact only.
//
// Events are POSTed to a subscription's httpContact URI, in order per
// subscription, one document per request. A non-2xx answer or a transport
// error is retried (Options.DeliveryAttempts, doubling
// Options.DeliveryBackoff), then the event is dropped and delivery continues
// with the next one, as an XSP does not hold back a subscription forever.
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
//	GET  /_sim/calls                          every live call half
//	GET  /_sim/requests                       every recorded request
//	POST /_sim/faults   {"method":"","path":"","status":503,"delayMs":0,"count":1}
//	GET  /_sim/subscriptions                  every live subscription
package xsisim
