package bridge

import "net/http"

// handleClickToDial is POST /bridge/zoho/clicktodial: Zoho asks to call
// tonumber from the linked seat. After authentication the answer is always
// 200 (calls.Dial reports a failed dial to Zoho on its own, with a
// clicktodialerror), unless that report could not be queued (500).
func (b *Bridge) handleClickToDial(w http.ResponseWriter, r *http.Request) {
	q, link, ok := b.authenticate(w, r)
	if !ok {
		return
	}
	if err := b.calls.Dial(r.Context(), link, q.ToNumber); err != nil {
		b.serverError(w, r, err)
		return
	}
	text(w, http.StatusOK, "success")
}
