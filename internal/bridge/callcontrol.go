package bridge

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// dtmfDigits are the key presses Xsi TransmitDTMF accepts.
var dtmfDigits = regexp.MustCompile(`^[0-9*#A-Da-d,]{1,32}$`)

// callControl returns the handler of POST /bridge/zoho/call/{action}:
// callrefid names a call of the link's own seat (any other call is 404) and
// calls.Control turns the action into an Xsi request. A refusal by the
// Centrex (Xsi ErrorInfo, such as holding a call that is not active) is 409
// with its summary; an unreachable Centrex 502.
func (b *Bridge) callControl(action zohoapi.CallAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, link, ok := b.authenticate(w, r)
		if !ok {
			return
		}
		if q.CallRefID == "" || len(q.CallRefID) > 128 {
			text(w, http.StatusBadRequest, "callrefid is required")
			return
		}
		if action == zohoapi.ActionKeypress && !dtmfDigits.MatchString(q.Digit) {
			text(w, http.StatusBadRequest, "invalid digit")
			return
		}
		err := b.calls.Control(r.Context(), link, action, q.CallRefID, q.Digit)
		var ce *calls.CentrexError
		switch {
		case err == nil:
			text(w, http.StatusOK, "success")
		case errors.Is(err, calls.ErrUnknownCall):
			text(w, http.StatusNotFound, "unknown call")
		case errors.As(err, &ce) && (errors.Is(err, centrex.ErrRejected) || errors.Is(err, centrex.ErrNotFound)):
			var pe *centrex.Error
			msg := "rejected by the Centrex"
			if errors.As(err, &pe) && pe.Summary != "" {
				msg = pe.Summary
			}
			text(w, http.StatusConflict, chars.Truncate(msg, 200))
		case errors.As(err, &ce):
			b.log.WarnContext(r.Context(), "bridge: call control failed", "company_id", link.CompanyID, "action", action, "error", err)
			text(w, http.StatusBadGateway, "centrex unavailable")
		default:
			b.serverError(w, r, err)
		}
	}
}
