// Package callflow is the per-call state machine of the call use case
// (internal/calls): it turns the Centrex events of one seat's call half into
// the ordered PhoneBridge notifications (callnotify, and clicktodialerror for
// a click-to-dial the agent never picked up).
//
// It is pure: Apply and Close read no clock and do no I/O; every time comes
// from the events (or, for Close, from the caller). State is JSON-serialisable
// so the store can keep it in a jsonb column next to the call; the caller
// loads the state, applies one event, and writes the new state and the
// notifications to its outbox in one transaction. Calls of seats without a
// Zoho link must not be fed in at all.
//
// # States and notifications
//
// A call moves forward only: new → collecting or originating → ringing →
// answered → released. An event that would move it backwards, or any event
// after released, changes nothing and emits nothing. The type (received for
// a Terminator half, or one picked up or retrieved from park; dialed for
// Originator and Click-to-Dial halves) is fixed by the first event that
// tells it.
//
//	event (or snapshot of the call)         from phase        emits
//	CallCollecting (the seat is dialling)   new               —  (no type, no number yet)
//	CallOriginating (Click-to-Dial)         new               —  (the agent's own device rings)
//	CallOriginated (Originator, Alerting)   new … originating dialed ringing
//	CallForwarded (Originator, Alerting)    new … originating dialed ringing (the far end forwarded it)
//	CallReceived (Terminator, Alerting)     new               received ringing
//	CallPickedUp, CallParkRetrieved         new, collecting   received ringing (a new extTrackingId is kept,
//	                                                             the call's id stays)
//	CallAnswered / answerTime / Active /    new … originating ringing, then answered
//	  Held, CallTransferred (Active)
//	CallAnswered / … (as above)             ringing           answered
//	CallHeld, CallRetrieved                 answered          —  (Held / RemoteHeld kept)
//	CallReleasing                           any               —  (release cause kept)
//	CallReleased, received                  answered          received ended, duration = release − answer
//	CallReleased, received                  new, ringing      received missed
//	CallReleased, dialed                    answered          dialed ended, duration = release − answer
//	CallReleased, dialed                    new, ringing      dialed busy|invalid|blocked|notavailable|noanswer|rejected
//	CallReleased, still Click-to-Dial       new, originating  clicktodialerror (same codes), no callnotify
//	CallReleased                            collecting        —  (hung up while dialling: no call)
//	CallUpdated, CallRedirected (each of    any               —  (only details kept; a Released state
//	  its calls), CallDetached                                   in them releases the call as above)
//	CallSubscription(Resync) listing it     any               as the call's state says (resync)
//	CallSubscription(Resync) without it     not new           the release above, at the last time seen
//	Close(at), by a sweeper                 not new           the release above, at time at
//	any event after released                released          —
//
// Each emitted state is sent at most once, so per call the notifications are
// a subsequence of ringing, answered, one terminal state; a repeated
// CallReceived, a second CallAnswered after a blind transfer, or an Answered
// after the Released emit nothing.
//
// The unattended dialed state comes from the internal release cause (kept
// from CallReleasing too): Busy → busy; User Not Found, Translation Failure
// → invalid; Forbidden, Insufficient Credits → blocked; Temporarily
// Unavailable, Routing Failure, Global Failure, Server Failure, Request
// Failure → notavailable; Request Timeout, Dial Tone Timeout → noanswer.
// Without a cause, a remoteRelease while the far end was alerting is
// rejected, anything else noanswer. A clicktodialerror without a cause is
// noanswer (the agent did not pick up).
//
// Transfers and forwarding: the transferring seat's half ends like any
// other call (ended with its duration); the receiving seat's half is a new
// call of its own, and so is the half of a seat a call was forwarded to,
// picked up by or retrieved from park by. A seat whose call was picked up
// elsewhere or forwarded away sees it missed. transferredcallid is not sent,
// because Xsi does not tell which earlier call a new half continues.
//
// # Times, numbers and the call id
//
// start_time is the call's startTime (when it began ringing) on every
// notification; duration is sent on terminal states only. A release without
// releaseTime uses the latest time the events reported. When the PBX reported
// no time at all, StartTime stays zero and the caller fills it with
// FillStartTime (Zoho refuses terminal states without start_time).
//
// Numbers are E.164 with "+" where phonenumber can make them so (extensions
// stay short; an internal caller's userDN is preferred to its extension) and
// stay the same for the whole call, except that an extension known before
// anything was sent gives way to an E.164 number; a withheld caller is
// AnonymousNumber. The id is StableID: one per call half (and per
// State.Incarnation, for the calls a restarted PBX gives old ids),
// alphanumeric, the same on every notification of the call.
//
// # The rejected-states setting
//
// Zoho documents received missed and the unattended dialed states, but a
// provider (VOBIZ) saw the live API answer 400 to them and logs such calls as
// ended with duration 0 (shared reference §6.9, §8.3). Settings.
// MapRejectedStatesToEnded sends those calls as ended, duration 0, with their
// start_time. DefaultSettings turns it on. The two failure modes are not
// symmetric: mapping loses only a label in Zoho's log (the real outcome stays
// in State.Outcome for the portal), whereas an unmapped state the live API
// refuses is a permanent 400, so the outbox would retry and then park the
// call's last notification for ever, leaving Zoho's pop-up open. A company
// whose Zoho accepts the documented states can turn it off.
package callflow
