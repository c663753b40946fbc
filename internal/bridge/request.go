package bridge

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
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
		Secret:    r.Header.Get(zohoapi.AuthParam),
		ToNumber:  strings.TrimSpace(r.Form.Get("tonumber")),
		CallRefID: strings.Trim(strings.TrimSpace(r.Form.Get("callrefid")), "[]"),
		Digit:     strings.TrimSpace(r.Form.Get("digit")),
	}
	if q.Secret == "" {
		q.Secret = r.Form.Get(zohoapi.AuthParam)
	}
	if q.Secret == "" {
		return q, http.StatusUnauthorized
	}
	var err1, err2 error
	q.CompanyID, err1 = strconv.ParseInt(r.Form.Get(zohoapi.ParamCompany), 10, 64)
	q.LinkID, err2 = strconv.ParseInt(r.Form.Get(zohoapi.ParamLink), 10, 64)
	if err1 != nil || err2 != nil || q.CompanyID <= 0 || q.LinkID <= 0 || len(q.Secret) > 256 {
		return q, http.StatusForbidden
	}
	return q, 0
}

// authenticate parses the request and finds its link (calls.Authenticate:
// the secret must match the link's, and the link must be switched on for a
// present seat). On failure it has answered (401/403 without detail) and
// returns ok false.
func (b *Bridge) authenticate(w http.ResponseWriter, r *http.Request) (zohoRequest, store.Link, bool) {
	q, status := parseZohoRequest(w, r)
	if status != 0 {
		text(w, status, http.StatusText(status))
		return q, store.Link{}, false
	}
	link, err := b.calls.Authenticate(r.Context(), q.CompanyID, q.LinkID, q.Secret)
	if errors.Is(err, calls.ErrForbidden) {
		text(w, http.StatusForbidden, http.StatusText(http.StatusForbidden))
		return q, store.Link{}, false
	}
	if err != nil {
		b.serverError(w, r, err)
		return q, store.Link{}, false
	}
	return q, link, true
}
