package bridge

import (
	"errors"
	"io"
	"net/http"

	"github.com/conecta-zoho/gateway/internal/calls"
	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/centrex/xsi"
	"github.com/conecta-zoho/gateway/internal/metrics"
)

// handleEvents is POST /bridge/centrex/events/{token}: the Xsi-Events HTTP
// contact. Unknown token → 404, oversized or unparseable body → 400 (nothing
// stored either way); otherwise the event is applied
// (calls.ApplyContactEvent, with the events of other requests in one
// transaction) and 200 answered once its state and notifications are
// committed. A 500 makes the XSP redeliver, and the event id dedupes it;
// since the XSP may give up first, a 500 also has the calls recovered once
// the database answers (of the event's company, or of every company when
// the token could not even be looked up). Every event accepted is counted
// by type, every refusal by cause.
func (b *Bridge) handleEvents(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	_, err := b.calls.CompanyByEventToken(r.Context(), token)
	if errors.Is(err, calls.ErrUnknownToken) {
		b.metrics.XsiEventRefused(metrics.RefusedUnknownToken)
		text(w, http.StatusNotFound, "not found")
		return
	}
	if err != nil {
		b.metrics.XsiEventRefused(metrics.RefusedFailed)
		// The XSP may give the event up before the database is back, and
		// which company it was for is unknown: recover them all then.
		b.calls.GapAll()
		b.serverError(w, r, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, xsi.MaxEventSize+1))
	if err == nil && len(body) > xsi.MaxEventSize {
		b.metrics.XsiEventRefused(metrics.RefusedTooLarge)
		text(w, http.StatusBadRequest, "bad event")
		return
	}
	var ev centrex.Event
	if err == nil {
		ev, err = xsi.ParseEventBody(r.Header.Get("Content-Type"), body)
	}
	if err != nil {
		b.metrics.XsiEventRefused(metrics.RefusedUnparseable)
		text(w, http.StatusBadRequest, "bad event")
		return
	}
	err = b.calls.ApplyContactEvent(r.Context(), token, ev)
	if errors.Is(err, calls.ErrUnknownToken) {
		// The token was replaced while the event waited.
		b.metrics.XsiEventRefused(metrics.RefusedUnknownToken)
		text(w, http.StatusNotFound, "not found")
		return
	}
	if err != nil {
		b.metrics.XsiEventRefused(metrics.RefusedFailed)
		b.serverError(w, r, err)
		return
	}
	b.metrics.XsiEvent(string(ev.Kind))
	w.WriteHeader(http.StatusOK)
}
