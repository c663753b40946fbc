package xsisim

import "strings"

// seatParty describes a seat as the remote party of a group call.
func seatParty(u *seat) party {
	p := party{
		name:     strings.TrimSpace(u.FirstName + " " + u.LastName),
		address:  "tel:" + cmpOr(u.Extension, u.Number),
		userID:   u.UserID,
		callType: "Group",
	}
	if u.Number != "" {
		p.userDN = "tel:+34" + strings.TrimPrefix(u.Number, "+34")
		if u.Extension != "" {
			p.userDN += ";ext=" + u.Extension
		}
	}
	return p
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// telURI turns a dialled address into the remote address Xsi reports.
func telURI(address string) string {
	a := strings.TrimSpace(address)
	if strings.Contains(a, ":") {
		return a
	}
	return "tel:" + a
}

// node renders the call half as an Xsi <call>/<Call> element.
func (h *callHalf) node(name string) *node {
	var cause *node
	if h.releaseCause != "" {
		cause = el("releaseCause", tx("internalReleaseCause", h.releaseCause))
	}
	endpoint := el("endpoint", tx("addressOfRecord", h.seat.UserID))
	endpoint.typ = "AccessEndpoint"
	return el(name,
		tx("callId", h.id),
		tx("extTrackingId", h.ext),
		tx("personality", h.pers),
		tx("state", h.state),
		cause,
		tx("releasingParty", h.releasingParty),
		el("remoteParty",
			tx("name", h.remote.name),
			tx("address", h.remote.address),
			tx("userId", h.remote.userID),
			tx("userDN", h.remote.userDN),
			tx("callType", h.remote.callType),
		),
		endpoint,
		ms("startTime", h.start),
		ms("answerTime", h.answer),
		ms("heldTime", h.held),
		ms("releaseTime", h.release),
	)
}
