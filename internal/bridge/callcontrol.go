package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"

	"github.com/conecta-zoho/gateway/internal/bridge/callflow"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// dtmfDigits are the key presses Xsi TransmitDTMF accepts.
var dtmfDigits = regexp.MustCompile(`^[0-9*#A-Da-d,]{1,32}$`)

// callControl returns the handler of POST /bridge/zoho/call/{action}:
// callrefid names a call of the link's own seat (any other call is 404),
// and the action becomes an Xsi request: answer → Talk, hangup → DELETE
// (declining an incoming call still ringing), hold → Hold, unhold → Talk,
// keypress → TransmitDTMF with digit. A refusal by the Centrex (Xsi
// ErrorInfo, such as holding a call that is not active) is 409 with its
// summary; an unreachable Centrex 502.
func (b *Bridge) callControl(action CallAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, link, ok := b.authenticate(w, r)
		if !ok {
			return
		}
		if q.CallRefID == "" || len(q.CallRefID) > 128 {
			text(w, http.StatusBadRequest, "callrefid is required")
			return
		}
		if action == ActionKeypress && !dtmfDigits.MatchString(q.Digit) {
			text(w, http.StatusBadRequest, "invalid digit")
			return
		}
		ctx := r.Context()
		call, err := b.o.Store.CallByZohoID(ctx, q.CompanyID, link.SeatID, q.CallRefID)
		if errors.Is(err, store.ErrNotFound) {
			text(w, http.StatusNotFound, "unknown call")
			return
		}
		if err != nil {
			b.serverError(w, r, err)
			return
		}
		pbx, err := b.o.PBX(ctx, q.CompanyID)
		if err != nil {
			b.log.Warn("bridge: call control: no Centrex client", "company_id", q.CompanyID, "error", err)
			text(w, http.StatusBadGateway, "centrex unavailable")
			return
		}
		ctx, cancel := context.WithTimeout(ctx, dialTimeout)
		defer cancel()
		err = b.control(ctx, pbx, action, link.SeatUserID, call, q.Digit)
		switch {
		case err == nil:
			text(w, http.StatusOK, "success")
		case errors.Is(err, centrex.ErrRejected), errors.Is(err, centrex.ErrNotFound):
			var ce *centrex.Error
			msg := "rejected by the Centrex"
			if errors.As(err, &ce) && ce.Summary != "" {
				msg = ce.Summary
			}
			text(w, http.StatusConflict, chars.Truncate(msg, 200))
		default:
			b.log.Warn("bridge: call control failed", "company_id", q.CompanyID, "action", action, "error", err)
			text(w, http.StatusBadGateway, "centrex unavailable")
		}
	}
}

// control performs one call-control action on the seat's call half.
func (b *Bridge) control(ctx context.Context, pbx centrex.CallControl, action CallAction, seat string, call store.Call, digit string) error {
	switch action {
	case ActionAnswer:
		return pbx.Answer(ctx, seat, call.XsiCallID)
	case ActionHold:
		return pbx.Hold(ctx, seat, call.XsiCallID)
	case ActionUnhold:
		return pbx.Resume(ctx, seat, call.XsiCallID)
	case ActionKeypress:
		return pbx.SendDTMF(ctx, seat, call.XsiCallID, digit)
	}
	var st callflow.State
	_ = json.Unmarshal(call.State, &st)
	decline := st.Type == zoho.CallReceived && st.Phase != callflow.PhaseAnswered
	return pbx.Hangup(ctx, seat, call.XsiCallID, decline)
}
