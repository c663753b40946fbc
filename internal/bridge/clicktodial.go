package bridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/conecta-zoho/gateway/internal/bridge/callflow"
	"github.com/conecta-zoho/gateway/internal/bridge/phonenumber"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// dialTimeout bounds the Xsi calls/new request, so Zoho gets its answer
// quickly even when the Centrex hangs.
const dialTimeout = 8 * time.Second

// handleClickToDial is POST /bridge/zoho/clicktodial: Zoho asks to call
// tonumber from the linked seat. After authentication the answer is always
// 200: a number that does not normalise, or a Centrex that refuses or cannot
// be reached, is reported to Zoho asynchronously with a clicktodialerror
// queued in the outbox; the call itself is then reported by its events.
func (b *Bridge) handleClickToDial(w http.ResponseWriter, r *http.Request) {
	q, link, ok := b.authenticate(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	number, err := phonenumber.Normalize(q.ToNumber)
	if err != nil {
		b.queueDialError(ctx, w, r, link, q.ToNumber, zoho.DialInvalid)
		return
	}
	pbx, err := b.o.PBX(ctx, q.CompanyID)
	if err != nil {
		b.log.Warn("bridge: click-to-dial: no Centrex client", "company_id", q.CompanyID, "error", err)
		b.queueDialError(ctx, w, r, link, number, zoho.DialNotAvailable)
		return
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	callID, err := pbx.Dial(dctx, link.SeatUserID, number)
	cancel()
	if err != nil {
		b.log.Info("bridge: click-to-dial refused", "company_id", q.CompanyID, "link_id", link.ID, "error", err)
		b.queueDialError(ctx, w, r, link, number, dialErrorCode(err))
		return
	}
	if err := b.o.Store.RecordDialedCall(ctx, q.CompanyID, link.SeatID, callID, link.ZohoUserID); err != nil {
		// The call is placed and its events will record it: not Zoho's problem.
		b.log.Warn("bridge: record dialed call", "company_id", q.CompanyID, "error", err)
	}
	text(w, http.StatusOK, "success")
}

// queueDialError queues a clicktodialerror for a click-to-dial that never
// became a call, and answers Zoho 200.
func (b *Bridge) queueDialError(ctx context.Context, w http.ResponseWriter, r *http.Request, link store.Link, to, code string) {
	seat, err := phonenumber.Normalize(link.SeatNumber)
	if err != nil {
		seat = link.SeatNumber
	}
	if to == "" {
		to = callflow.AnonymousNumber
	}
	n := callflow.Notification{Endpoint: callflow.EndpointClickToDialError, Type: zoho.CallDialed, State: code,
		From: seat, To: to, ZohoUser: link.ZohoUserID, StartTime: time.Now()}
	it, err := outbox.Item(n, b.dialErrorMessage(ctx, link.CompanyID, code))
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	key := make([]byte, 12)
	_, _ = rand.Read(key)
	err = b.o.Store.InCallTx(ctx, link.CompanyID, func(ctx context.Context, tx store.CallTx) error {
		return tx.Enqueue(ctx, 0, "dial-"+hex.EncodeToString(key), []store.OutboxItem{it})
	})
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	b.o.Kick()
	text(w, http.StatusOK, "success")
}
