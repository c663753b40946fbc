package bridge

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
)

// maxFormBytes bounds a Zoho request body: a few short parameters.
const maxFormBytes = 16 << 10

// zohoRequest is what Zoho sends on click-to-dial and call control.
type zohoRequest struct {
	CompanyID, LinkID int64
	Secret            string
	ToNumber          string
	CallRefID         string
	Digit             string
}

// parseZohoRequest reads a Zoho request's parameters (form body or query)
// and the authorization pair (header or parameter). It returns the HTTP
// status to answer when the request is unusable: 400 for an unreadable
// body or a parameter that is not text (invalid UTF-8 or NUL), 401 without
// a secret, 403 for missing or malformed ids.
func parseZohoRequest(w http.ResponseWriter, r *http.Request) (zohoRequest, int) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return zohoRequest{}, http.StatusBadRequest
	}
	if !chars.ValidForm(r.Form) {
		return zohoRequest{}, http.StatusBadRequest
	}
	q := zohoRequest{
		Secret:    r.Header.Get(AuthParam),
		ToNumber:  strings.TrimSpace(r.Form.Get("tonumber")),
		CallRefID: strings.Trim(strings.TrimSpace(r.Form.Get("callrefid")), "[]"),
		Digit:     strings.TrimSpace(r.Form.Get("digit")),
	}
	if q.Secret == "" {
		q.Secret = r.Form.Get(AuthParam)
	}
	if q.Secret == "" {
		return q, http.StatusUnauthorized
	}
	var err1, err2 error
	q.CompanyID, err1 = strconv.ParseInt(r.Form.Get(ParamCompany), 10, 64)
	q.LinkID, err2 = strconv.ParseInt(r.Form.Get(ParamLink), 10, 64)
	if err1 != nil || err2 != nil || q.CompanyID <= 0 || q.LinkID <= 0 || len(q.Secret) > 256 {
		return q, http.StatusForbidden
	}
	return q, 0
}

// authenticate parses the request and finds its link: the secret must
// match the link's (constant time) and the link must be switched on for a
// present seat. On failure it has answered (401/403 without detail) and
// returns ok false.
func (b *Bridge) authenticate(w http.ResponseWriter, r *http.Request) (zohoRequest, store.Link, bool) {
	q, status := parseZohoRequest(w, r)
	if status != 0 {
		text(w, status, http.StatusText(status))
		return q, store.Link{}, false
	}
	link, err := b.o.Store.LinkByID(r.Context(), q.CompanyID, q.LinkID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		b.serverError(w, r, err)
		return q, store.Link{}, false
	}
	// An unknown link and a wrong secret get the same answer; CheckSecret
	// compares hashes in constant time.
	if !link.CheckSecret(q.Secret) || !link.Enabled || link.SeatGone {
		text(w, http.StatusForbidden, http.StatusText(http.StatusForbidden))
		return q, store.Link{}, false
	}
	return q, link, true
}
