package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/web"
)

// handleActivity handles GET /activity: the company's recent calls with
// their notifications and delivery state.
func (s *Server) handleActivity(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	calls, err := s.store.RecentCalls(ctx, a.Company.ID, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vm := web.ActivityView{Company: a.Company.Name}
	for _, c := range calls {
		row := web.CallRow{Started: formatTime(c.CreatedAt), Seat: c.SeatUserID, Number: c.SeatNumber, Open: c.Open}
		for i, n := range c.Notifications {
			p := decodePayload(n)
			if i == 0 {
				row.Incoming = p.Type == zoho.CallReceived
				row.Remote = p.To
				if row.Incoming {
					row.Remote = p.From
				}
			}
			row.Notes = append(row.Notes, noteRow(n, p))
		}
		vm.Calls = append(vm.Calls, row)
	}
	recent, err := s.store.RecentOutbox(ctx, a.Company.ID, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, n := range recent {
		if n.CallID == 0 {
			vm.DialErrors = append(vm.DialErrors, noteRow(n, decodePayload(n)))
		}
	}
	d, err := s.deliveryView(ctx, a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vm.Summary = *d
	p := s.newPage(r, "nav.activity")
	p.Nav = "activity"
	s.render(w, r, http.StatusOK, web.ActivityPage(p, vm))
}

// handleRetryOutbox handles POST /activity/outbox/{id}/retry: send a
// stopped notification again.
func (s *Server) handleRetryOutbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	err = s.store.RetryOutbox(ctx, a.Company.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.flash(ctx, web.FlashError, "activity.notfound")
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		if err := s.store.Audit(ctx, a.Company.ID, a.Admin.Email, "outbox.retry", map[string]string{"id": strconv.FormatInt(id, 10)}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.flash(ctx, web.FlashSuccess, "activity.retried")
	}
	http.Redirect(w, r, "/activity", http.StatusSeeOther)
}

// deliveryView reads the company's delivery figures.
func (s *Server) deliveryView(ctx context.Context, companyID int64) (*web.DeliveryView, error) {
	sum, err := s.store.OutboxSummary(ctx, companyID)
	if err != nil {
		return nil, err
	}
	d := &web.DeliveryView{LastDelivery: formatTime(sum.LastDeliveredAt), Pending: sum.Pending, Parked: sum.Parked, LastError: sum.LastError}
	if sum.LastError != "" {
		d.LastError = formatTime(sum.LastErrorAt) + ": " + sum.LastError
	}
	return d, nil
}

func decodePayload(n store.OutboxRow) outbox.Payload {
	var p outbox.Payload
	_ = json.Unmarshal(n.Payload, &p) // a row the gateway wrote; an odd one shows empty
	return p
}

func noteRow(n store.OutboxRow, p outbox.Payload) web.NoteRow {
	what := strings.TrimSpace(p.Type + " " + p.State)
	if n.Kind == store.OutboxClickToDialError {
		what = "clicktodialerror " + p.State + " " + p.To
	}
	return web.NoteRow{ID: n.ID, What: what, Status: n.Status, Attempts: n.Attempts, Error: n.LastError}
}
