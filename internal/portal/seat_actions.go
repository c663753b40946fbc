package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// activateListSize is how many Zoho users the activation dialog lists for
// one search; the rest are found by typing more.
const activateListSize = 50

// handleActivateForm handles GET /zoho/seats/{seat}/activate: the
// "Activación de usuario Zoho en Conecta" dialog, with the company's Zoho
// users (fetched from Zoho the first time) matching ?q=. The dialog's script
// asks the same URL as the administrator types.
func (s *Server) handleActivateForm(w http.ResponseWriter, r *http.Request) {
	seat, ok := s.staleSeat(w, r)
	if !ok {
		return
	}
	link, err := s.store.LinkBySeat(r.Context(), seat.CompanyID, seat.ID)
	switch {
	case err == nil && link.Enabled:
		s.stale(w, r, "seats.stale.linked", seat.UserID, linkLabel(link))
		return
	case err != nil && !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, err)
		return
	case seat.Gone():
		s.stale(w, r, "seats.stale.gone", seat.UserID)
		return
	}
	s.renderActivate(w, r, http.StatusOK, seat, link, "")
}

// handleActivate handles POST /zoho/seats/{seat}/activate. A seat that
// changed since the dialog opened (linked, gone or removed in another tab)
// goes back to the table with a flash saying so.
func (s *Server) handleActivate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	seat, ok := s.staleSeat(w, r)
	if !ok {
		return
	}
	zu := strings.TrimSpace(r.PostFormValue("zoho_user"))
	if zu == "" {
		s.renderActivate(w, r, http.StatusUnprocessableEntity, seat, store.Link{}, s.lang(r).T("activate.required"))
		return
	}
	link, err := s.integ.Activate(ctx, a.Company.ID, a.Admin.Email, seat.ID, zu)
	var ie *integration.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case integration.CodeSeatLinked:
			if current, lerr := s.store.LinkBySeat(ctx, a.Company.ID, seat.ID); lerr == nil {
				s.stale(w, r, "seats.stale.linked", seat.UserID, linkLabel(current))
				return
			}
		case integration.CodeSeatGone:
			s.stale(w, r, "seats.stale.gone", seat.UserID)
			return
		}
	}
	if msg, ok := integrationMessage(s.lang(r), err); ok {
		s.renderActivate(w, r, http.StatusUnprocessableEntity, seat, store.Link{}, msg)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(ctx, web.FlashSuccess, "seats.ok.activated", link.SeatUserID, link.ZohoEmail)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// staleSeat reads the company's seat named by {seat}. A seat that does not
// exist (removed since the page was shown, or never this company's) sends
// the browser back to the table with a flash, as any stale row does; ok is
// false when it answered.
func (s *Server) staleSeat(w http.ResponseWriter, r *http.Request) (store.Seat, bool) {
	a, _ := adminFrom(r.Context())
	id, ok := seatID(r)
	if !ok {
		s.notFound(w, r)
		return store.Seat{}, false
	}
	seat, err := s.store.SeatByID(r.Context(), a.Company.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.stale(w, r, "seats.stale.missing")
		return store.Seat{}, false
	} else if err != nil {
		s.serverError(w, r, err)
		return store.Seat{}, false
	}
	return seat, true
}

// stale answers an action on a row that changed since the page was shown:
// back to the table, with a flash that says what happened.
func (s *Server) stale(w http.ResponseWriter, r *http.Request, key string, args ...any) {
	s.flash(r.Context(), web.FlashInfo, key, args...)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// linkLabel names a link's Zoho user as the dialog lists it.
func linkLabel(l store.Link) string {
	return store.ZohoUser{Email: l.ZohoEmail, Name: l.ZohoName}.Label()
}

// renderActivate shows the activation dialog for seat; link is the seat's
// switched-off link, if it has one (its Zoho user comes first, chosen).
func (s *Server) renderActivate(w http.ResponseWriter, r *http.Request, status int, seat store.Seat, link store.Link, errMsg string) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	vm := web.ActivateView{SeatID: seat.ID, SeatUser: seat.UserID, Number: seat.Number, Error: errMsg,
		ReturnTo: returnTo(r), Search: chars.Truncate(strings.TrimSpace(r.FormValue("q")), maxSearchChars), Selected: r.PostFormValue("zoho_user")}
	_, n, err := s.store.ZohoUsersFetchedAt(ctx, a.Company.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if n == 0 { // never fetched: fetch now
		if _, err := s.integ.RefreshZohoUsers(ctx, a.Company.ID); err != nil {
			vm.NoneCache = true
			if msg, ok := integrationMessage(s.lang(r), err); ok && vm.Error == "" {
				vm.Error = msg
			}
		}
	}
	users, total, err := s.store.ZohoUsers(ctx, a.Company.ID, store.ZohoUserQuery{Search: vm.Search, Limit: activateListSize})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if link.ID != 0 && vm.Search == "" {
		vm.Selected = link.ZohoUserID
		vm.Users = append(vm.Users, web.ZohoUserOption{ID: link.ZohoUserID, Label: linkLabel(link)})
	}
	for _, u := range users {
		if u.ID == link.ZohoUserID && link.ID != 0 && vm.Search == "" {
			continue
		}
		vm.Users = append(vm.Users, web.ZohoUserOption{ID: u.ID, Label: u.Label(), LinkedTo: u.LinkedSeatUserID})
	}
	vm.Matches, vm.More = total, total-len(users)
	p := s.newPage(r, "activate.title")
	p.Nav = "zoho"
	s.render(w, r, status, web.ActivatePage(p, vm))
}

// handleDeactivateForm handles GET /zoho/seats/{seat}/deactivate.
func (s *Server) handleDeactivateForm(w http.ResponseWriter, r *http.Request) {
	seat, ok := s.staleSeat(w, r)
	if !ok {
		return
	}
	link, err := s.store.LinkBySeat(r.Context(), seat.CompanyID, seat.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.stale(w, r, "seats.stale.unlinked", seat.UserID)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, "deactivate.title")
	p.Nav = "zoho"
	s.render(w, r, http.StatusOK, web.DeactivatePage(p, web.DeactivateView{SeatID: link.SeatID, SeatUser: link.SeatUserID,
		Number: link.SeatNumber, ZohoLogin: link.ZohoEmail, ZohoUserID: link.ZohoUserID, ReturnTo: returnTo(r)}))
}

// handleDeactivate handles POST /zoho/seats/{seat}/deactivate. The form
// names the Zoho user the dialog showed: if the seat was unlinked, or linked
// to someone else, in another tab, nothing is deactivated and the table says
// why.
func (s *Server) handleDeactivate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	seat, ok := s.staleSeat(w, r)
	if !ok {
		return
	}
	link, err := s.store.LinkBySeat(ctx, a.Company.ID, seat.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.stale(w, r, "seats.stale.unlinked", seat.UserID)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if want := r.PostFormValue("zoho_user"); want != "" && want != link.ZohoUserID {
		s.stale(w, r, "seats.stale.relinked", seat.UserID, linkLabel(link), r.PostFormValue("zoho_label"))
		return
	}
	err = s.integ.Deactivate(ctx, a.Company.ID, a.Admin.Email, seat.ID)
	if ie := (*integration.Error)(nil); errors.As(err, &ie) && ie.Code == integration.CodeNotFound {
		s.stale(w, r, "seats.stale.unlinked", seat.UserID)
		return
	}
	if s.flashIntegrationError(w, r, err, returnTo(r)) {
		return
	}
	s.flash(ctx, web.FlashSuccess, "seats.ok.deactivated", link.SeatUserID)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// handleBulk handles POST /zoho/seats/bulk: activate or deactivate the
// selected rows, then show each row's outcome (post/redirect/get).
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	if err := r.ParseForm(); err != nil {
		s.clientError(w, r, http.StatusBadRequest, "error.notfound")
		return
	}
	var ids []int64
	for _, v := range r.PostForm["seat"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && len(ids) < 500 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		s.flash(ctx, web.FlashError, "seats.bulk.none")
		http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
		return
	}
	var rows []integration.RowResult
	var err error
	switch r.PostFormValue("action") {
	case "activate":
		rows, err = s.integ.ActivateMany(ctx, a.Company.ID, a.Admin.Email, ids)
	case "deactivate":
		rows, err = s.integ.DeactivateMany(ctx, a.Company.ID, a.Admin.Email, ids)
	default:
		s.clientError(w, r, http.StatusBadRequest, "error.notfound")
		return
	}
	s.showResult(w, r, rows, err)
}

// handleLinkSuggested handles POST /zoho/seats/suggested.
func (s *Server) handleLinkSuggested(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	rows, err := s.integ.LinkSuggested(r.Context(), a.Company.ID, a.Admin.Email, nil)
	s.showResult(w, r, rows, err)
}

// handleRestoreLinks handles POST /zoho/links/restore.
func (s *Server) handleRestoreLinks(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	rows, err := s.integ.Restore(r.Context(), a.Company.ID, a.Admin.Email)
	s.showResult(w, r, rows, err)
}

// sessResult holds the last bulk operation's outcome for GET /zoho/result.
const sessResult = "bulk_result"

// bulkResult is a bulk operation's outcome as kept in the session: message
// keys rather than texts, so the page follows a language switch.
type bulkResult struct {
	Return string          `json:"return"`
	Rows   []bulkResultRow `json:"rows"`
}

type bulkResultRow struct {
	Seat string   `json:"seat"`
	Zoho string   `json:"zoho,omitempty"`
	Key  string   `json:"key,omitempty"` // "" for a row that succeeded
	Args []string `json:"args,omitempty"`
}

// showResult keeps a bulk operation's outcome in the session and redirects
// to GET /zoho/result, so that reloading the result never repeats the
// operation.
func (s *Server) showResult(w http.ResponseWriter, r *http.Request, rows []integration.RowResult, err error) {
	if s.flashIntegrationError(w, r, err, returnTo(r)) {
		return
	}
	res := bulkResult{Return: returnTo(r)}
	for _, row := range rows {
		br := bulkResultRow{Seat: row.SeatUserID, Zoho: row.ZohoUser}
		if row.Err != nil {
			key, args, ok := errorKey(row.Err)
			if !ok {
				s.logger.ErrorContext(r.Context(), "bulk row", "seat", row.SeatUserID, "error", row.Err)
				key, args = "error.internal", nil
			}
			br.Key, br.Args = key, args
		}
		res.Rows = append(res.Rows, br)
	}
	b, jerr := json.Marshal(res)
	if jerr != nil {
		s.serverError(w, r, jerr)
		return
	}
	s.sessions.Put(r.Context(), sessResult, string(b))
	http.Redirect(w, r, "/zoho/result", http.StatusSeeOther)
}

// handleResult handles GET /zoho/result: "Resultado de la operación" of the
// last bulk operation, row by row.
func (s *Server) handleResult(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var res bulkResult
	if raw := s.sessions.GetString(ctx, sessResult); raw == "" || json.Unmarshal([]byte(raw), &res) != nil {
		s.flash(ctx, web.FlashInfo, "seats.result.none")
		http.Redirect(w, r, "/zoho", http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "seats.bulk.title")
	p.Nav = "zoho"
	vm := web.BulkResultView{Title: p.T("seats.bulk.title"), Back: res.Return}
	for _, row := range res.Rows {
		br := web.BulkRow{SeatUser: row.Seat, ZohoUser: row.Zoho, OK: row.Key == "", Message: p.T("seats.bulk.ok")}
		if !br.OK {
			vm.Fail++
			args := make([]any, len(row.Args))
			for i, a := range row.Args {
				args[i] = a
			}
			br.Message = p.T(row.Key, args...)
		} else {
			vm.OK++
		}
		vm.Rows = append(vm.Rows, br)
	}
	s.render(w, r, http.StatusOK, web.BulkResultPage(p, vm))
}

// handleSyncSeats handles POST /zoho/seats/sync: read the Centrex's group
// directory now.
func (s *Server) handleSyncSeats(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	res, err := s.seats.Sync(ctx, a.Company.ID)
	switch {
	case errors.Is(err, seats.ErrNoConnection):
		s.flash(ctx, web.FlashError, "seats.err.nocentrex")
	case err != nil:
		s.logger.WarnContext(ctx, "seat sync", "company_id", a.Company.ID, "error", err)
		s.flash(ctx, web.FlashError, "seats.err.sync", err.Error())
	default:
		s.flash(ctx, web.FlashSuccess, "seats.ok.synced", res.Present, res.Added, res.Gone)
	}
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// handleRefreshZohoUsers handles POST /zoho/users/refresh.
func (s *Server) handleRefreshZohoUsers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	n, err := s.integ.RefreshZohoUsers(ctx, a.Company.ID)
	if s.flashIntegrationError(w, r, err, returnTo(r)) {
		return
	}
	s.flash(ctx, web.FlashSuccess, "seats.ok.users", n)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// forgetResult drops a shown bulk result once the administrator is back at
// the table, so the session does not carry it on every request.
func (s *Server) forgetResult(ctx context.Context) {
	if s.sessions.Exists(ctx, sessResult) {
		s.sessions.Remove(ctx, sessResult)
	}
}
