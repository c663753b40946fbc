package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// handleActivateForm handles GET /zoho/seats/{seat}/activate: the
// "Activación de usuario Zoho en Conecta" dialog, with the company's Zoho
// users (fetched from Zoho the first time) filtered by ?q=.
func (s *Server) handleActivateForm(w http.ResponseWriter, r *http.Request) {
	s.renderActivate(w, r, http.StatusOK, "")
}

// handleActivate handles POST /zoho/seats/{seat}/activate.
func (s *Server) handleActivate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	id, ok := seatID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	zu := strings.TrimSpace(r.PostFormValue("zoho_user"))
	if zu == "" {
		s.renderActivate(w, r, http.StatusUnprocessableEntity, s.lang(r).T("activate.required"))
		return
	}
	link, err := s.integ.Activate(ctx, a.Company.ID, a.Admin.Email, id, zu)
	if msg, ok := integrationMessage(s.lang(r), err); ok {
		s.renderActivate(w, r, http.StatusUnprocessableEntity, msg)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(ctx, web.FlashSuccess, "seats.ok.activated", link.SeatUserID, link.ZohoEmail)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// lookup reads the company's row named by {seat} with find, answering 404
// for a bad id or another company's row; ok is false when it answered.
func lookup[T any](s *Server, w http.ResponseWriter, r *http.Request,
	find func(ctx context.Context, companyID, seatID int64) (T, error)) (T, bool) {
	var zero T
	a, _ := adminFrom(r.Context())
	id, ok := seatID(r)
	if !ok {
		s.notFound(w, r)
		return zero, false
	}
	v, err := find(r.Context(), a.Company.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return zero, false
	} else if err != nil {
		s.serverError(w, r, err)
		return zero, false
	}
	return v, true
}

func (s *Server) renderActivate(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	seat, ok := lookup(s, w, r, s.store.SeatByID)
	if !ok {
		return
	}
	vm := web.ActivateView{SeatID: seat.ID, SeatUser: seat.UserID, Number: seat.Number, Error: errMsg,
		ReturnTo: returnTo(r), Search: strings.TrimSpace(r.FormValue("q"))}
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
	users, total, err := s.store.ZohoUsers(ctx, a.Company.ID, store.ZohoUserQuery{Search: vm.Search, Limit: 200})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, u := range users {
		vm.Users = append(vm.Users, web.ZohoUserOption{ID: u.ID, Label: u.Label(), LinkedTo: u.LinkedSeatUserID})
	}
	vm.More = total - len(users)
	p := s.newPage(r, "activate.title")
	p.Nav = "zoho"
	s.render(w, r, status, web.ActivatePage(p, vm))
}

// handleDeactivateForm handles GET /zoho/seats/{seat}/deactivate.
func (s *Server) handleDeactivateForm(w http.ResponseWriter, r *http.Request) {
	link, ok := lookup(s, w, r, s.store.LinkBySeat)
	if !ok {
		return
	}
	p := s.newPage(r, "deactivate.title")
	p.Nav = "zoho"
	s.render(w, r, http.StatusOK, web.DeactivatePage(p, web.DeactivateView{SeatID: link.SeatID, SeatUser: link.SeatUserID,
		Number: link.SeatNumber, ZohoLogin: link.ZohoEmail, ReturnTo: returnTo(r)}))
}

// handleDeactivate handles POST /zoho/seats/{seat}/deactivate.
func (s *Server) handleDeactivate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := adminFrom(ctx)
	id, ok := seatID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	link, _ := s.store.LinkBySeat(ctx, a.Company.ID, id)
	err := s.integ.Deactivate(ctx, a.Company.ID, a.Admin.Email, id)
	if ie := (*integration.Error)(nil); errors.As(err, &ie) && ie.Code == integration.CodeNotFound {
		s.notFound(w, r)
		return
	}
	if s.flashIntegrationError(w, r, err, returnTo(r)) {
		return
	}
	s.flash(ctx, web.FlashSuccess, "seats.ok.deactivated", link.SeatUserID)
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}

// handleBulk handles POST /zoho/seats/bulk: activate or deactivate the
// selected rows, then show each row's outcome.
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
	s.renderBulk(w, r, rows, err)
}

// handleLinkSuggested handles POST /zoho/seats/suggested.
func (s *Server) handleLinkSuggested(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	rows, err := s.integ.LinkSuggested(r.Context(), a.Company.ID, a.Admin.Email, nil)
	s.renderBulk(w, r, rows, err)
}

// handleRestoreLinks handles POST /zoho/links/restore.
func (s *Server) handleRestoreLinks(w http.ResponseWriter, r *http.Request) {
	a, _ := adminFrom(r.Context())
	rows, err := s.integ.Restore(r.Context(), a.Company.ID, a.Admin.Email)
	s.renderBulk(w, r, rows, err)
}

func (s *Server) renderBulk(w http.ResponseWriter, r *http.Request, rows []integration.RowResult, err error) {
	if s.flashIntegrationError(w, r, err, returnTo(r)) {
		return
	}
	lang := s.lang(r)
	vm := web.BulkResultView{Title: lang.T("seats.bulk.title")}
	for _, row := range rows {
		br := web.BulkRow{SeatUser: row.SeatUserID, ZohoUser: row.ZohoUser, OK: row.Err == nil, Message: lang.T("seats.bulk.ok")}
		if row.Err != nil {
			vm.Fail++
			msg, ok := integrationMessage(lang, row.Err)
			if !ok {
				s.logger.ErrorContext(r.Context(), "bulk row", "seat", row.SeatUserID, "error", row.Err)
				msg = lang.T("error.internal")
			}
			br.Message = msg
		} else {
			vm.OK++
		}
		vm.Rows = append(vm.Rows, br)
	}
	p := s.newPage(r, "seats.bulk.title")
	p.Nav = "zoho"
	s.render(w, r, http.StatusOK, web.BulkResultPage(p, vm, returnTo(r)))
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
		s.flash(ctx, web.FlashSuccess, "seats.ok.synced", strconv.Itoa(res.Present), strconv.Itoa(res.Added), strconv.Itoa(res.Gone))
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
	s.flash(ctx, web.FlashSuccess, "seats.ok.users", strconv.Itoa(n))
	http.Redirect(w, r, returnTo(r), http.StatusSeeOther)
}
