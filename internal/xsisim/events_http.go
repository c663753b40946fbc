package xsisim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// subscriptionRequest is the <Subscription> body of POST and PUT. Element
// names match in any namespace.
type subscriptionRequest struct {
	XMLName       xml.Name `xml:"Subscription"`
	Event         string   `xml:"event"`
	Packages      []string `xml:"eventPackageList>event"`
	Expires       string   `xml:"expires"`
	HTTPContact   string   `xml:"httpContact>uri"`
	ChannelSetID  string   `xml:"channelSetId"`
	ApplicationID string   `xml:"applicationId"`
}

// serveEvents dispatches /com.broadsoft.xsi-events/v2.0/{segs...}.
func (s *Sim) serveEvents(w http.ResponseWriter, r *http.Request, segs []string, body []byte) {
	if match(segs, "versions") {
		writeXML(w, http.StatusOK, document(el("Versions", tx("version", "v2.0")), styleDefault))
		return
	}
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case match(segs, "enterprise", "*", "group", "*"), match(segs, "serviceprovider", "*", "group", "*"):
		if !onlyMethod(w, r, http.MethodPost) {
			return
		}
		g := s.findGroup(segs[1], segs[3])
		if g == nil {
			if p.admin == nil {
				writeError(w, http.StatusForbidden, codeForbidden, "Subscription target is outside the user's scope")
				return
			}
			writeError(w, http.StatusNotFound, codeUserNotFound, "Group not found")
			return
		}
		if p.admin == nil || p.admin.group != g {
			writeError(w, http.StatusForbidden, codeForbidden, "Subscription target is outside the user's scope")
			return
		}
		s.createSubscription(w, p, body, g, nil)
	case match(segs, "user", "*"), match(segs, "user", "*", "subscription"):
		if !onlyMethod(w, r, http.MethodPost) {
			return
		}
		u, ok := s.targetSeat(w, p, segs[1])
		if !ok {
			return
		}
		s.createSubscription(w, p, body, u.group, u)
	case match(segs, "channel", "eventresponse"):
		if onlyMethod(w, r, http.MethodPost) {
			s.serveEventResponse(w, p, body)
		}
	case match(segs, "channel", "*", "heartbeat"):
		if onlyMethod(w, r, http.MethodPut) {
			s.serveHeartbeat(w, p, segs[1])
		}
	case match(segs, "channel", "*"):
		s.serveChannel(w, r, p, segs[1], body)
	case match(segs, "channelset", "*"):
		if onlyMethod(w, r, http.MethodGet) {
			s.serveChannelSet(w, p, segs[1])
		}
	case match(segs, "subscription"):
		if onlyMethod(w, r, http.MethodGet) {
			s.serveSubscriptionList(w, r, p)
		}
	case match(segs, "subscription", "*"):
		s.serveSubscription(w, r, p, segs[1], body)
	default:
		writeError(w, http.StatusNotFound, codeNoSuchCommand, "Resource not found")
	}
}

// createSubscription validates the body and starts a subscription for a
// group (u nil) or one user. A user subscription starts with a
// CallSubscriptionEvent snapshot; a group subscription does not.
func (s *Sim) createSubscription(w http.ResponseWriter, p principal, body []byte, g *Group, u *seat) {
	req, ok := parseSubscription(w, body)
	if !ok {
		return
	}
	pkg := req.Event
	if pkg == "" && len(req.Packages) == 1 {
		pkg = req.Packages[0]
	}
	switch pkg {
	case "Advanced Call", "Standard Call", "Basic Call":
	default:
		writeError(w, http.StatusBadRequest, codeBadRequest, "Unsupported event package: "+pkg)
		return
	}
	var set *channelSet
	switch {
	case (req.HTTPContact == "") == (req.ChannelSetID == ""):
		writeError(w, http.StatusBadRequest, codeBadRequest, "Exactly one of httpContact and channelSetId is required")
		return
	case req.ChannelSetID != "":
		if set = s.sets[setKey(p.userID, req.ChannelSetID)]; set == nil {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Unknown channel set: open a channel first")
			return
		}
	default:
		if cu, err := url.Parse(req.HTTPContact); err != nil || (cu.Scheme != "http" && cu.Scheme != "https") || cu.Host == "" {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid httpContact uri")
			return
		}
	}
	expires, ok := s.parseExpires(w, req.Expires)
	if !ok {
		return
	}
	sub := &subscription{
		id: newID(), owner: p.userID, targetType: "Group", group: g, user: u, event: pkg,
		expiresAt: s.now().Add(time.Duration(expires) * time.Second),
		contact:   req.HTTPContact, set: set, appID: req.ApplicationID,
		queue: make(chan []byte, queueSize),
	}
	if u != nil {
		sub.targetType = "User"
	}
	s.subs[sub.id] = sub
	if set == nil {
		s.startDelivery(sub)
	}
	writeXML(w, http.StatusOK, document(el("Subscription",
		tx("subscriptionId", sub.id),
		tx("expires", strconv.Itoa(expires)),
	), styleDefault))
	if u != nil {
		s.sendSnapshot(sub, u)
	}
}

// sendSnapshot queues a CallSubscriptionEvent with the seat's calls.
func (s *Sim) sendSnapshot(sub *subscription, u *seat) {
	halves := s.sortedCalls(u)
	hook := "On-Hook"
	var calls []*node
	for _, h := range halves {
		calls = append(calls, h.node("call"))
		if h.state == stateActive {
			hook = "Off-Hook"
		}
	}
	var list *node
	if len(calls) > 0 {
		list = el("calls", calls...)
	}
	s.enqueue(sub, u.UserID, "CallSubscriptionEvent", list, tx("hookStatus", hook))
}

// serveSubscriptionList writes the principal's subscriptions.
func (s *Sim) serveSubscriptionList(w http.ResponseWriter, r *http.Request, p principal) {
	s.expireDue()
	target := r.URL.Query().Get("targetId")
	var list []*node
	for _, sub := range s.subs {
		if !strings.EqualFold(sub.owner, p.userID) || (target != "" && !strings.EqualFold(target, sub.targetID())) {
			continue
		}
		list = append(list, s.subscriptionNode("subscription", sub))
	}
	writeXML(w, http.StatusOK, document(el("SubscriptionList", list...), styleDefault))
}

// serveSubscription handles GET, PUT (refresh) and DELETE of one subscription.
func (s *Sim) serveSubscription(w http.ResponseWriter, r *http.Request, p principal, id string, body []byte) {
	s.expireDue()
	sub := s.subs[id]
	if sub == nil {
		// An XSP answers 403 to every unsuccessful subscription command
		// (Spec-2020 §4.6.2.6), an unknown or expired subscription included.
		writeError(w, http.StatusForbidden, codeSubNotFound, "Subscription not found")
		return
	}
	if !strings.EqualFold(sub.owner, p.userID) {
		writeError(w, http.StatusForbidden, codeForbidden, "Subscription belongs to another user")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeXML(w, http.StatusOK, document(s.subscriptionNode("Subscription", sub), styleDefault))
	case http.MethodPut:
		req, ok := parseSubscription(w, body)
		if !ok {
			return
		}
		expires, ok := s.parseExpires(w, req.Expires)
		if !ok {
			return
		}
		sub.expiresAt = s.now().Add(time.Duration(expires) * time.Second)
		granted := tx("expires", strconv.Itoa(expires))
		if s.opts.RefreshWithoutExpires {
			granted = nil
		}
		writeXML(w, http.StatusOK, document(el("Subscription", tx("subscriptionId", sub.id), granted), styleDefault))
	case http.MethodDelete:
		s.terminate(sub)
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, http.StatusMethodNotAllowed, codeMethod, "Method not allowed")
	}
}

// subscriptionNode renders a full <Subscription> in XSD order.
func (s *Sim) subscriptionNode(name string, sub *subscription) *node {
	var parent *node
	if sub.user == nil {
		parent = tx("targetGrpParentId", sub.group.ParentID)
	}
	left := max(0, int(sub.expiresAt.Sub(s.now())/time.Second))
	var delivery *node
	if sub.set != nil {
		delivery = tx("channelSetId", sub.set.id)
	} else {
		delivery = el("httpContact", tx("uri", sub.contact))
	}
	return el(name,
		tx("subscriptionId", sub.id),
		tx("subscriberId", sub.owner),
		tx("targetIdType", sub.targetType),
		parent,
		tx("targetId", sub.targetID()),
		tx("event", sub.event),
		tx("expires", strconv.Itoa(left)),
		delivery,
		tx("applicationId", sub.appID),
	)
}

// parseSubscription decodes a <Subscription> body or writes 400.
func parseSubscription(w http.ResponseWriter, body []byte) (subscriptionRequest, bool) {
	var req subscriptionRequest
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid Subscription document")
		return req, false
	}
	return req, true
}

// parseExpires applies the XSP's bounds: missing or below the minimum
// (3600, Options.MinExpires) becomes the minimum.
func (s *Sim) parseExpires(w http.ResponseWriter, v string) (int, bool) {
	least := int64(s.opts.MinExpires / time.Second)
	if strings.TrimSpace(v) == "" {
		return int(least), true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Invalid expires")
		return 0, false
	}
	return int(min(max(n, least), maxExpires)), true
}
