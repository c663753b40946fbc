package xsisim

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Subscription expiry bounds, in seconds (XSD SubscriptionExpiration).
const (
	minExpires = 3600
	maxExpires = 2147483647
	// queueSize bounds undelivered events per subscription; beyond it new
	// events are dropped (and logged).
	queueSize = 4096
)

// subscription is one HTTP-contact subscription.
type subscription struct {
	id         string
	owner      string
	targetType string // "Group" or "User"
	group      *Group
	user       *seat // for a user subscription
	event      string
	expiresAt  time.Time
	contact    string      // HTTP contact, or
	set        *channelSet // the channel set events go to
	appID      string
	seq        int64
	queue      chan []byte
}

// targetID is the subscription's targetId element.
func (sub *subscription) targetID() string {
	if sub.user != nil {
		return sub.user.UserID
	}
	return sub.group.ID
}

// covers reports whether events about seat u go to sub.
func (sub *subscription) covers(u *seat) bool {
	if sub.user != nil {
		return sub.user == u
	}
	return sub.group == u.group
}

// SubscriptionInfo describes a live subscription, for tests and the control
// API.
type SubscriptionInfo struct {
	ID            string    `json:"subscriptionId"`
	Owner         string    `json:"subscriberId"`
	TargetType    string    `json:"targetIdType"`
	TargetID      string    `json:"targetId"`
	Event         string    `json:"event"`
	HTTPContact   string    `json:"httpContact,omitempty"`
	ChannelSetID  string    `json:"channelSetId,omitempty"`
	ApplicationID string    `json:"applicationId"`
	ExpiresAt     time.Time `json:"expiresAt"`
}

// Subscriptions returns the live (unexpired) subscriptions.
func (s *Sim) Subscriptions() []SubscriptionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireDue()
	out := make([]SubscriptionInfo, 0, len(s.subs))
	for _, sub := range s.subs {
		info := SubscriptionInfo{
			ID: sub.id, Owner: sub.owner, TargetType: sub.targetType, TargetID: sub.targetID(),
			Event: sub.event, HTTPContact: sub.contact, ApplicationID: sub.appID, ExpiresAt: sub.expiresAt,
		}
		if sub.set != nil {
			info.ChannelSetID = sub.set.id
		}
		out = append(out, info)
	}
	return out
}

// emit sends a call event about h to every subscription covering its seat.
// Callers hold s.mu, so events are queued in the order they happen.
func (s *Sim) emit(h *callHalf, eventType string) {
	s.emitData(h.seat, eventType, h.node("call"))
}

// emitData sends an event about seat u with the given eventData children
// to every subscription covering it. Callers hold s.mu.
func (s *Sim) emitData(u *seat, eventType string, data ...*node) {
	s.expireDue()
	for _, sub := range s.subs {
		if sub.covers(u) {
			s.enqueue(sub, u.UserID, eventType, data...)
		}
	}
}

// expireDue terminates subscriptions and channels whose expiry passed on
// the sim clock.
func (s *Sim) expireDue() {
	now := s.now()
	for _, sub := range s.subs {
		if !now.Before(sub.expiresAt) {
			s.terminate(sub)
		}
	}
	for _, ch := range s.chans {
		if !now.Before(ch.expiresAt) {
			s.endChannel(ch, "Expired")
		}
	}
}

// terminate sends SubscriptionTerminatedEvent and stops the subscription.
func (s *Sim) terminate(sub *subscription) {
	s.enqueue(sub, sub.targetID(), "SubscriptionTerminatedEvent")
	delete(s.subs, sub.id)
	close(sub.queue)
}

// enqueue renders an event for sub and queues it for delivery. Events of a
// user subscription carry no targetId (the subscription names the user);
// those of a group subscription name the seat in targetId.
func (s *Sim) enqueue(sub *subscription, targetID, eventType string, data ...*node) {
	if sub.user != nil {
		targetID = ""
	}
	sub.seq++
	if sub.seq > 2147483647 {
		sub.seq = 1
	}
	eventData := el("eventData", data...)
	eventData.typ = eventType
	id := newID()
	var delivery *node
	if sub.set != nil {
		if ch := sub.set.active(); ch != nil {
			delivery = tx("channelId", ch.id)
		}
	} else {
		delivery = el("httpContact", tx("uri", sub.contact))
	}
	root := el("Event",
		tx("eventID", id),
		tx("sequenceNumber", strconv.FormatInt(sub.seq, 10)),
		tx("userId", sub.owner),
		tx("externalApplicationId", sub.appID),
		tx("subscriptionId", sub.id),
		delivery,
		tx("targetId", targetID),
		eventData,
	)
	root.typ = "SubscriptionEvent"
	st := styleWirePrefixes
	if s.opts.ConventionalPrefixes {
		st = styleDefault
	}
	doc := document(root, st)
	if sub.set != nil {
		s.sendOnSet(sub.set, id, doc)
		return
	}
	s.posting.Add(1)
	select {
	case sub.queue <- doc:
	default:
		s.posting.Add(-1)
		s.log.Warn("xsisim: event queue full, dropping event", "subscription_id", sub.id, "event", eventType)
	}
}

// EventsInFlight is how many HTTP-contact events are queued or being
// posted: neither delivered yet nor given up after Options.DeliveryAttempts.
func (s *Sim) EventsInFlight() int64 { return s.posting.Load() }

// startDelivery runs the delivery loop of sub until its queue is closed or
// the simulator is closed.
func (s *Sim) startDelivery(sub *subscription) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case doc, ok := <-sub.queue:
				if !ok {
					return
				}
				s.deliver(sub, doc)
			case <-s.ctx.Done():
				return
			}
		}
	}()
}

// deliver POSTs one event, retrying a non-2xx answer or transport error with
// doubling backoff, and drops it after Options.DeliveryAttempts.
func (s *Sim) deliver(sub *subscription, doc []byte) {
	defer s.posting.Add(-1)
	backoff := s.opts.DeliveryBackoff
	var lastErr error
	for attempt := 1; attempt <= s.opts.DeliveryAttempts; attempt++ {
		if attempt > 1 {
			select {
			case <-time.After(backoff):
				backoff *= 2
			case <-s.ctx.Done():
				return
			}
		}
		if lastErr = s.post(sub.contact, doc); lastErr == nil {
			return
		}
	}
	s.log.Warn("xsisim: event dropped after retries", "subscription_id", sub.id, "error", lastErr)
}

// post sends one event document to an HTTP contact.
func (s *Sim) post(contact string, doc []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, contact, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml; charset=UTF-8")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("http contact answered %d", resp.StatusCode)
	}
	return nil
}

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
