package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conecta-zoho/gateway/internal/calls/callflow"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/outbox"
	"github.com/conecta-zoho/gateway/internal/site"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/web"
)

// activityPageSize is how many calls the activity page shows at once.
const activityPageSize = 25

// handleActivity handles GET /activity: the company's calls, newest first,
// filtered by seat, date, direction and state, with their notifications
// and delivery state, in the administrator's language and time zone.
func (s *Server) handleActivity(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	p := s.newPage(r, "nav.activity")
	p.Nav = "activity"
	q := r.URL.Query()
	f, page := parseListFilter(p, q), site.PageParam(q.Get("page"))
	cf := store.CallFilter{Seat: f.Text, From: f.from, Until: f.until, Direction: f.Direction,
		State: store.ParseCallState(f.State), Offset: (page - 1) * activityPageSize, Limit: activityPageSize}
	calls, total, err := s.store.CallActivityPage(ctx, a.Company.ID, cf)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(calls) == 0 && page > 1 && total > 0 { // past the end: show the last page
		page = site.Pages(total, activityPageSize)
		cf.Offset = (page - 1) * activityPageSize
		if calls, total, err = s.store.CallActivityPage(ctx, a.Company.ID, cf); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	vm := web.ActivityView{Company: a.Company.Name, Filter: f.view(p, callStates), Total: total,
		Zone: zoneCaption(p, s.now()), Pager: site.Pager(page, activityPageSize, total, func(n int) string { return f.url("/activity", n) }),
		Self: f.url("/activity", page)}
	if total > 0 {
		vm.From, vm.To = (page-1)*activityPageSize+1, (page-1)*activityPageSize+len(calls)
	}
	for _, c := range calls {
		vm.Calls = append(vm.Calls, callRow(p, c))
	}
	errs, err := s.store.RecentDialErrors(ctx, a.Company.ID, 20)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, n := range errs {
		vm.DialErrors = append(vm.DialErrors, noteRow(p, n, decodePayload(n), callflow.State{}))
	}
	d, err := s.deliveryView(ctx, p, a.Company.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	vm.Summary = *d
	s.render(w, r, http.StatusOK, web.ActivityPage(p, vm))
}

// callStates are the activity filter's choices of state.
var callStates = []filterChoice{
	{string(store.CallsOpen), "filter.state.open"},
	{string(store.CallsTalked), "filter.state.talked"},
	{string(store.CallsMissed), "filter.state.missed"},
	{string(store.CallsFailed), "filter.state.failed"},
	{string(store.CallsParked), "filter.state.parked"},
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
	case errors.Is(err, store.ErrSuperseded):
		s.flash(ctx, web.FlashError, "activity.superseded.retry")
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
	http.Redirect(w, r, activityReturn(r), http.StatusSeeOther)
}

// activityReturn is the activity page the retry form came from.
func activityReturn(r *http.Request) string {
	if v := r.FormValue("return"); v == "/activity" || strings.HasPrefix(v, "/activity?") {
		return v
	}
	return "/activity"
}

// deliveryView reads the company's delivery figures.
func (s *Server) deliveryView(ctx context.Context, p web.Page, companyID int64) (*web.DeliveryView, error) {
	sum, err := s.store.OutboxSummary(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return deliveryFigures(p, sum), nil
}

// deliveryFigures are the company's delivery figures in words.
func deliveryFigures(p web.Page, sum store.DeliverySummary) *web.DeliveryView {
	d := &web.DeliveryView{LastDelivery: p.DateTime(sum.LastDeliveredAt), Pending: sum.Pending, Parked: sum.Parked}
	if sum.LastError != "" {
		d.LastError = p.DateTime(sum.LastErrorAt) + ": " + deliveryError(p.Lang, sum.LastError)
		d.LastErrorTechnical = sum.LastError
	}
	return d
}

func decodePayload(n store.OutboxRow) outbox.Payload {
	var p outbox.Payload
	_ = json.Unmarshal(n.Payload, &p) // a row the gateway wrote; an odd one shows empty
	return p
}

// callRow is one call of the activity page, in words.
func callRow(p web.Page, c store.CallActivity) web.CallRow {
	var st callflow.State
	_ = json.Unmarshal(c.State, &st) // the bridge wrote it; an odd one reads as a call not yet started
	row := web.CallRow{Started: p.DateTime(c.CreatedAt), Seat: c.SeatUserID, Number: c.SeatNumber, Remote: st.Remote, RemoteName: st.RemoteName}
	if st.Remote == callflow.AnonymousNumber {
		row.Remote = p.T("activity.anonymous")
	}
	row.Label, row.Kind = callLabel(p, st, c)
	for _, n := range c.Notifications {
		pl := decodePayload(n)
		if row.Remote == "" {
			row.Remote = pl.To
			if pl.Type == zoho.CallReceived {
				row.Remote = pl.From
			}
		}
		row.Notes = append(row.Notes, noteRow(p, n, pl, st))
	}
	markSuperseded(row.Notes)
	return row
}

// markSuperseded marks the parked notifications of one call (in delivery
// order) that a later delivered one made obsolete: they cannot be retried
// (store.ErrSuperseded).
func markSuperseded(notes []web.NoteRow) {
	delivered := false
	for i := len(notes) - 1; i >= 0; i-- {
		if notes[i].Status == store.OutboxParked && delivered {
			notes[i].Superseded = true
		}
		delivered = delivered || notes[i].Status == store.OutboxDelivered
	}
}

// callLabel says how the call went: "Entrante · sonando", "Saliente ·
// contestada, durante 2 minutos", "Perdida". It reads the call's real
// outcome, not the state sent to Zoho (a missed call shows as missed even
// when Zoho was told "ended"). kind is a word for the row's style.
func callLabel(p web.Page, st callflow.State, c store.CallActivity) (label, kind string) {
	dir := p.T("activity.out")
	if st.Type == zoho.CallReceived {
		dir = p.T("activity.in")
	}
	with := func(state string) string { return dir + " · " + state }
	if st.Outcome == zoho.StateMissed {
		return p.T("call.state.missed"), "missed"
	}
	if st.Phase == callflow.PhaseReleased || !c.ClosedAt.IsZero() {
		switch {
		case slices.Contains(st.Sent, string(callflow.EndpointClickToDialError)):
			return with(p.T("call.dialfailed", p.T("call.state."+st.Outcome))), "failed"
		case st.Outcome == zoho.StateEnded:
			from := st.AnswerTime
			if from.IsZero() {
				from = st.StartTime
			}
			if st.ReleaseTime.IsZero() || from.IsZero() {
				return with(p.T("call.state.answered")), "talked"
			}
			return with(p.T("call.talked", p.T("call.state.answered"), p.Lang.Duration(st.ReleaseTime.Sub(from)))), "talked"
		case st.Outcome != "" && i18n.Has("call.state."+st.Outcome):
			return with(p.T("call.state." + st.Outcome)), "failed"
		}
		return with(p.T("call.state.ended")), "ended"
	}
	switch st.Phase {
	case callflow.PhaseOriginating:
		return with(p.T("call.state.originating")), "open"
	case callflow.PhaseRinging:
		return with(p.T("call.state.ringing")), "open"
	case callflow.PhaseAnswered:
		if st.Held {
			return with(p.T("call.state.held")), "open"
		}
		return with(p.T("call.state.answered")), "open"
	}
	return with(p.T("call.state.starting")), "open"
}

// noteRow is one notification to Zoho in words: what it said, whether it
// arrived, and why not.
func noteRow(p web.Page, n store.OutboxRow, pl outbox.Payload, st callflow.State) web.NoteRow {
	what := p.T("note." + pl.State)
	if !i18n.Has("note." + pl.State) {
		what = pl.State
	}
	switch {
	case n.Kind == store.OutboxClickToDialError:
		what = p.T("note.clicktodialerror", what)
		if pl.To != "" && st.Phase == "" {
			what = p.T("note.dialerror.to", what, pl.To)
		}
	case pl.Notification.Terminal() && st.Outcome != "" && st.Outcome != pl.State && i18n.Has("note."+st.Outcome):
		what = p.T("note.instead", what, p.T("note."+st.Outcome))
	}
	row := web.NoteRow{ID: n.ID, What: what, Status: n.Status, When: p.DateTime(n.CreatedAt)}
	switch n.Status {
	case store.OutboxDelivered:
		row.StatusText = p.T("activity.delivered")
	case store.OutboxParked:
		row.StatusText = p.T("activity.parked", n.Attempts)
	default:
		row.StatusText = p.T("activity.queued")
		if n.Attempts > 0 {
			row.StatusText = p.T("activity.pending", n.Attempts)
		}
	}
	if n.LastError != "" {
		row.Error, row.Technical = deliveryError(p.Lang, n.LastError), n.LastError
	}
	return row
}

// zoneCaption is "Horas en Europe/Madrid (CET)." for the page's zone at now.
func zoneCaption(p web.Page, now time.Time) string {
	abbr, _ := now.In(p.Zone).Zone()
	return p.T("zone.shown", p.Zone.String(), abbr)
}

// listQuery is the query string of a filtered list at page n.
func listQuery(v url.Values, n int) string {
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
