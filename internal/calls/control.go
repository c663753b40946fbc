package calls

import (
	"context"
	"errors"
	"fmt"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// ErrUnknownCall means the call a call-control request names is not a call
// of the link's own seat.
var ErrUnknownCall = errors.New("calls: unknown call")

// CentrexError is a call-control action the Centrex refused or could not be
// asked (no client, unreachable, failing): Err says which, and wraps the
// centrex package's errors (centrex.ErrRejected, centrex.ErrNotFound, …).
type CentrexError struct{ Err error }

func (e *CentrexError) Error() string { return "calls: centrex: " + e.Err.Error() }
func (e *CentrexError) Unwrap() error { return e.Err }

// Control performs a Zoho call-control action on the seat's call half that
// Zoho knows as callRefID: answer → Talk, hangup → DELETE (declining an
// incoming call still ringing), hold → Hold, unhold → Talk, keypress →
// TransmitDTMF with digit. Errors: ErrUnknownCall, *CentrexError, or a store
// error (a call whose stored state does not decode included).
func (s *Service) Control(ctx context.Context, link store.Link, action zohoapi.CallAction, callRefID, digit string) error {
	call, err := s.o.Store.CallByZohoID(ctx, link.CompanyID, link.SeatID, callRefID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnknownCall
	}
	if err != nil {
		return err
	}
	pbx, err := s.companyPBX(ctx, link.CompanyID)
	if err != nil {
		return &CentrexError{Err: fmt.Errorf("no Centrex client: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, centrexTimeout)
	defer cancel()
	seat := link.SeatUserID
	switch action {
	case zohoapi.ActionAnswer:
		err = pbx.Answer(ctx, seat, call.XsiCallID)
	case zohoapi.ActionHold:
		err = pbx.Hold(ctx, seat, call.XsiCallID)
	case zohoapi.ActionUnhold:
		err = pbx.Resume(ctx, seat, call.XsiCallID)
	case zohoapi.ActionKeypress:
		err = pbx.SendDTMF(ctx, seat, call.XsiCallID, digit)
	case zohoapi.ActionHangup:
		st, derr := decodeState(call)
		if derr != nil {
			return fmt.Errorf("calls: hang up: %w", derr)
		}
		decline := st.Type == zoho.CallReceived && st.Phase != callflow.PhaseAnswered
		err = pbx.Hangup(ctx, seat, call.XsiCallID, decline)
	default:
		return fmt.Errorf("calls: unknown call-control action %q", action)
	}
	if err != nil {
		return &CentrexError{Err: err}
	}
	return nil
}
