package xsisim

import (
	"strings"
	"sync/atomic"
	"time"
)

// channelSet is a user's set of event channels (its channelSetId): the
// subscriptions made with the set deliver to its newest open channel.
// Events are kept until acknowledged (EventResponse), at most
// Options.ChannelHold: one sent on a channel that is lost is sent again on
// the set's next channel, one that finds no channel waits for one.
type channelSet struct {
	key, owner, id, appID string
	channels              []*eventChannel // open, oldest first
	pending               []*channelEvent // not acknowledged yet, in order
}

// channelEvent is one event of a set waiting for its acknowledgement.
type channelEvent struct {
	id     string
	doc    []byte
	queued time.Time
	sentOn *eventChannel // nil: not sent on an open channel
}

// eventChannel is one open streaming channel.
type eventChannel struct {
	id        string
	set       *channelSet
	expiresAt time.Time
	lastBeat  time.Time
	out       chan []byte   // documents for the stream
	end       chan struct{} // closed when the channel ends
	ended     bool
	dropped   atomic.Bool // end without writing what is left
}

// channelQueue bounds the documents waiting for a channel's stream; a
// stream that falls that far behind is ended (NonResponsiveChannel).
const channelQueue = 4096

// setKey names a channel set: sets belong to a user.
func setKey(owner, id string) string { return strings.ToLower(owner) + "\x00" + id }

// active is the channel the set's events go to: the newest open one.
func (cs *channelSet) active() *eventChannel {
	if len(cs.channels) == 0 {
		return nil
	}
	return cs.channels[len(cs.channels)-1]
}

// ChannelInfo describes an open event channel, for tests and the control
// API.
type ChannelInfo struct {
	ID           string    `json:"channelId"`
	ChannelSetID string    `json:"channelSetId"`
	Owner        string    `json:"userId"`
	ExpiresAt    time.Time `json:"expiresAt"`
	// Pending counts the set's events not acknowledged yet.
	Pending int `json:"pending"`
}

// Channels returns the open event channels.
func (s *Sim) Channels() []ChannelInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireDue()
	out := make([]ChannelInfo, 0, len(s.chans))
	for _, ch := range s.chans {
		out = append(out, ChannelInfo{ID: ch.id, ChannelSetID: ch.set.id, Owner: ch.set.owner,
			ExpiresAt: ch.expiresAt, Pending: len(ch.set.pending)})
	}
	return out
}

// TerminateChannel ends a channel as the XSP does, with a
// ChannelTerminatedEvent of the given reason (Expired, NonResponsiveChannel,
// …) as its stream's last document. It reports whether the channel was
// open.
func (s *Sim) TerminateChannel(id, reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chans[id]
	if ch == nil {
		return false
	}
	s.endChannel(ch, reason)
	return true
}

// DropChannel cuts a channel's connection without a word, as a network
// failure or a failed XSP does: its unacknowledged events go to the set's
// next channel. It reports whether the channel was open.
func (s *Sim) DropChannel(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chans[id]
	if ch == nil {
		return false
	}
	s.dropChannel(ch)
	return true
}

// openChannel opens a channel of the owner's set setID, ending the
// channels of the owner's other sets of the same application
// (DuplicateChannelSet), and queues the set's unacknowledged events on it.
// Callers hold s.mu.
func (s *Sim) openChannel(owner, setID, appID string, expires time.Duration) *eventChannel {
	for _, other := range s.sets {
		if strings.EqualFold(other.owner, owner) && other.appID == appID && other.id != setID {
			for _, ch := range append([]*eventChannel(nil), other.channels...) {
				s.endChannel(ch, "DuplicateChannelSet")
			}
			delete(s.sets, other.key)
		}
	}
	key := setKey(owner, setID)
	set := s.sets[key]
	if set == nil {
		set = &channelSet{key: key, owner: owner, id: setID, appID: appID}
		s.sets[key] = set
	}
	now := s.now()
	ch := &eventChannel{id: newID(), set: set, expiresAt: now.Add(expires), lastBeat: now,
		out: make(chan []byte, channelQueue), end: make(chan struct{})}
	set.channels = append(set.channels, ch)
	s.chans[ch.id] = ch
	s.watchChannel(ch, expires)
	s.dropStale(set)
	for _, ev := range set.pending {
		if ev.sentOn == nil || ev.sentOn.ended {
			s.push(ch, ev)
		}
	}
	return ch
}

// watchChannel ends ch once its expiry passes, and, with a heartbeat
// timeout, once no heartbeat came for that long. Callers hold s.mu.
func (s *Sim) watchChannel(ch *eventChannel, expires time.Duration) {
	s.after(expires, func() {
		if !ch.ended && !s.now().Before(ch.expiresAt) {
			s.endChannel(ch, "Expired")
		}
	})
	if d := s.opts.ChannelHeartbeatTimeout; d > 0 {
		var check func()
		check = func() {
			switch {
			case ch.ended:
			case s.now().Sub(ch.lastBeat) >= d:
				s.endChannel(ch, "NonResponsiveChannel")
			default:
				s.after(d-s.now().Sub(ch.lastBeat), check)
			}
		}
		s.after(d, check)
	}
}

// sendOnSet keeps an event of the set until it is acknowledged and sends it
// on the set's channel, if one is open. Callers hold s.mu.
func (s *Sim) sendOnSet(set *channelSet, id string, doc []byte) {
	s.dropStale(set)
	ev := &channelEvent{id: id, doc: doc, queued: s.now()}
	set.pending = append(set.pending, ev)
	if ch := set.active(); ch != nil {
		s.push(ch, ev)
	}
}

// push sends ev on ch's stream; a stream too far behind is ended.
func (s *Sim) push(ch *eventChannel, ev *channelEvent) {
	select {
	case ch.out <- ev.doc:
		ev.sentOn = ch
	default:
		s.log.Warn("xsisim: channel stream too far behind", "channel_id", ch.id)
		s.endChannel(ch, "NonResponsiveChannel")
	}
}

// dropStale forgets the set's events held longer than ChannelHold.
func (s *Sim) dropStale(set *channelSet) {
	cut := s.now().Add(-s.opts.ChannelHold)
	keep := set.pending[:0]
	for _, ev := range set.pending {
		if ev.queued.After(cut) {
			keep = append(keep, ev)
		} else {
			s.log.Warn("xsisim: channel event dropped: never acknowledged", "channel_set_id", set.id, "event_id", ev.id)
		}
	}
	set.pending = keep
}

// acknowledge forgets an event of one of the owner's sets; it reports
// whether one was pending.
func (s *Sim) acknowledge(owner, eventID string) bool {
	for _, set := range s.sets {
		if !strings.EqualFold(set.owner, owner) {
			continue
		}
		for i, ev := range set.pending {
			if ev.id == eventID {
				set.pending = append(set.pending[:i:i], set.pending[i+1:]...)
				return true
			}
		}
	}
	return false
}

// endChannel ends ch with a ChannelTerminatedEvent of reason as the last
// document of its stream. Callers hold s.mu.
func (s *Sim) endChannel(ch *eventChannel, reason string) {
	if ch.ended {
		return
	}
	root := el("Event", tx("channelId", ch.id), tx("reason", reason))
	root.typ = "ChannelTerminatedEvent"
	st := styleWirePrefixes
	if s.opts.ConventionalPrefixes {
		st = styleDefault
	}
	select {
	case ch.out <- document(root, st):
	default:
	}
	s.closeChannel(ch)
}

// dropChannel ends ch without a document. Callers hold s.mu.
func (s *Sim) dropChannel(ch *eventChannel) {
	ch.dropped.Store(true)
	s.closeChannel(ch)
}

// closeChannel removes ch from its set. Callers hold s.mu.
func (s *Sim) closeChannel(ch *eventChannel) {
	if ch.ended {
		return
	}
	ch.ended = true
	close(ch.end)
	delete(s.chans, ch.id)
	set := ch.set
	for i, c := range set.channels {
		if c == ch {
			set.channels = append(set.channels[:i:i], set.channels[i+1:]...)
			break
		}
	}
	// What was sent on ch and not acknowledged goes to the set's next
	// channel, if one is open.
	if next := set.active(); next != nil {
		for _, ev := range set.pending {
			if ev.sentOn == ch {
				s.push(next, ev)
			}
		}
	}
}
