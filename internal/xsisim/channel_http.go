package xsisim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// channelRequest is the <Channel> body of a channel's opening and refresh.
// Element names match in any namespace.
type channelRequest struct {
	XMLName       xml.Name `xml:"Channel"`
	ChannelSetID  string   `xml:"channelSetId"`
	Priority      string   `xml:"priority"`
	Weight        string   `xml:"weight"`
	Expires       string   `xml:"expires"`
	ApplicationID string   `xml:"applicationId"`
}

// eventResponse is the body of POST /channel/eventresponse.
type eventResponse struct {
	XMLName    xml.Name `xml:"EventResponse"`
	EventID    string   `xml:"eventID"`
	StatusCode string   `xml:"statusCode"`
	Reason     string   `xml:"reason"`
}

// serveChannelStream serves POST
// /com.broadsoft.async/com.broadsoft.xsi-events/v2.0/channel: it opens a
// channel and streams it, chunked, one document per chunk, each with its
// own XML declaration: the <Channel> first, then events and heartbeats,
// until the channel ends (expiry, delete, termination: its
// ChannelTerminatedEvent is the last document) or the client goes.
func (s *Sim) serveChannelStream(w http.ResponseWriter, r *http.Request, segs []string, body []byte) {
	if !match(segs, "channel") {
		writeError(w, http.StatusNotFound, codeNoSuchCommand, "Resource not found")
		return
	}
	if !onlyMethod(w, r, http.MethodPost) {
		return
	}
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	var req channelRequest
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid Channel document")
		return
	}
	setID := strings.TrimSpace(req.ChannelSetID)
	if setID == "" || len(setID) > 256 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "channelSetId is required (at most 256 characters)")
		return
	}
	expires, ok := s.parseExpires(w, req.Expires)
	if !ok {
		return
	}
	s.mu.Lock()
	ch := s.openChannel(p.userID, setID, strings.TrimSpace(req.ApplicationID), time.Duration(expires)*time.Second)
	s.mu.Unlock()
	s.log.Info("xsisim: event channel opened", "channel_id", ch.id, "channel_set_id", setID, "user", p.userID)

	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's timeouts
	_ = rc.SetReadDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	first := document(el("Channel",
		tx("channelId", ch.id),
		tx("channelSetId", setID),
		tx("priority", "1"),
		tx("weight", cmpOr(strings.TrimSpace(req.Weight), "50")),
		tx("expires", strconv.Itoa(expires)),
	), styleDefault)
	write := func(doc []byte) bool {
		if _, err := w.Write(doc); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(first) {
		s.lost(ch)
		return
	}
	for {
		select {
		case doc := <-ch.out:
			if !write(doc) {
				s.lost(ch)
				return
			}
		case <-ch.end:
			if ch.dropped.Load() {
				return
			}
			for {
				select {
				case doc := <-ch.out:
					if !write(doc) {
						return
					}
				default:
					return
				}
			}
		case <-r.Context().Done():
			s.lost(ch)
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// lost ends a channel whose client went away.
func (s *Sim) lost(ch *eventChannel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ch.ended {
		s.log.Info("xsisim: event channel connection lost", "channel_id", ch.id)
		s.dropChannel(ch)
	}
}

// ownChannel resolves a channel command's {id}: 403 for an unknown
// channel (every unsuccessful channel command is a 403, like those on
// subscriptions) or another user's. Callers hold s.mu.
func (s *Sim) ownChannel(w http.ResponseWriter, p principal, id string) (*eventChannel, bool) {
	s.expireDue()
	ch := s.chans[id]
	if ch == nil || !strings.EqualFold(ch.set.owner, p.userID) {
		writeError(w, http.StatusForbidden, codeSubNotFound, "Channel not found")
		return nil, false
	}
	return ch, true
}

// serveHeartbeat handles PUT /channel/{id}/heartbeat: 200, and a
// <ChannelHeartBeat/> on the stream.
func (s *Sim) serveHeartbeat(w http.ResponseWriter, p principal, id string) {
	ch, ok := s.ownChannel(w, p, id)
	if !ok {
		return
	}
	ch.lastBeat = s.now()
	select {
	case ch.out <- document(el("ChannelHeartBeat"), styleDefault):
	default:
	}
	w.WriteHeader(http.StatusOK)
}

// serveChannel handles PUT (refresh) and DELETE of one channel.
func (s *Sim) serveChannel(w http.ResponseWriter, r *http.Request, p principal, id string, body []byte) {
	ch, ok := s.ownChannel(w, p, id)
	if !ok {
		return
	}
	switch r.Method {
	case http.MethodPut:
		var req channelRequest
		if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid Channel document")
			return
		}
		expires, ok := s.parseExpires(w, req.Expires)
		if !ok {
			return
		}
		d := time.Duration(expires) * time.Second
		ch.expiresAt = s.now().Add(d)
		s.after(d, func() {
			if !ch.ended && !s.now().Before(ch.expiresAt) {
				s.endChannel(ch, "Expired")
			}
		})
		writeXML(w, http.StatusOK, document(el("Channel", tx("channelId", ch.id), tx("expires", strconv.Itoa(expires))), styleDefault))
	case http.MethodDelete:
		s.endChannel(ch, "ExplicitDelete")
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, http.StatusMethodNotAllowed, codeMethod, "Method not allowed")
	}
}

// serveEventResponse handles POST /channel/eventresponse: the event is
// acknowledged and will not be sent again.
func (s *Sim) serveEventResponse(w http.ResponseWriter, p principal, body []byte) {
	var req eventResponse
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil || strings.TrimSpace(req.EventID) == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid EventResponse document")
		return
	}
	if _, err := strconv.Atoi(strings.TrimSpace(req.StatusCode)); err != nil || strings.TrimSpace(req.Reason) == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "EventResponse needs a statusCode and a reason")
		return
	}
	s.acknowledge(p.userID, strings.TrimSpace(req.EventID))
	w.WriteHeader(http.StatusOK)
}

// serveChannelSet handles GET /channelset/{id}: the set's open channels.
func (s *Sim) serveChannelSet(w http.ResponseWriter, p principal, id string) {
	s.expireDue()
	set := s.sets[setKey(p.userID, id)]
	if set == nil {
		writeError(w, http.StatusForbidden, codeSubNotFound, "Channel set not found")
		return
	}
	var list []*node
	for _, ch := range set.channels {
		left := max(0, int(ch.expiresAt.Sub(s.now())/time.Second))
		list = append(list, el("channel", tx("channelId", ch.id), tx("channelSetId", set.id), tx("expires", strconv.Itoa(left))))
	}
	writeXML(w, http.StatusOK, document(el("ChannelSet", list...), styleDefault))
}
