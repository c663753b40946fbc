package operator

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/web"
)

// How much of a company's history its page shows.
const (
	recentErrors     = 10
	recentOperations = 20
)

// actor is the signed-in operator as the provision service's actor: the
// company's audit log is signed with their e-mail.
func actor(r *http.Request) provision.Actor {
	o, _ := operatorFrom(r.Context())
	return provision.Actor{Kind: store.ActorOperator, Name: o.Email}
}

// companyID reads the {id} of the path; a malformed one is a 404.
func (s *Server) companyID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return 0, false
	}
	return id, true
}

// handleCompany handles GET /operator/companies/{id}.
func (s *Server) handleCompany(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	s.renderCompany(w, r, http.StatusOK, id, nil)
}

// renderCompany shows the company's page with status; change, when not
// nil, fills in what the request that led there adds (a refused form, a
// one-time password).
func (s *Server) renderCompany(w http.ResponseWriter, r *http.Request, code int, id int64, change func(*web.CompanyView)) {
	ctx := r.Context()
	p := s.newPage(r, "op.companies.title")
	p.Nav = "companies"
	acct, err := s.store.AccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	c, err := s.status.Company(ctx, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Title = c.Name
	vm := web.CompanyView{CompanyRow: companyRow(p, c), Created: p.DateTime(acct.CreatedAt), AdminEmail: acct.AdminEmail,
		Details: details(p, c), HasCentrex: c.HasCentrex, Parked: c.OutboxParked}
	if acct.Off() {
		vm.OffText = p.T("op.company.off", p.DateTime(acct.SwitchedOffAt), p.DateTime(acct.DeleteAfter))
	}
	if c.HasCentrex {
		conn, err := s.store.CentrexConnection(ctx, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// Never the password: it is write-only.
		vm.Centrex = web.CentrexForm{BaseURL: conn.BaseURL, UserID: conn.UserID, GroupID: conn.GroupID,
			EnterpriseID: conn.EnterpriseID, IsEnterprise: conn.IsEnterprise, DirectoryUserID: conn.DirectoryUserID}
	} else {
		vm.Centrex = web.CentrexForm{IsEnterprise: true, Open: true}
	}
	if vm.Errors, err = s.recentErrors(r, p, c); err != nil {
		s.serverError(w, r, err)
		return
	}
	log, err := s.store.OperatorAuditLog(ctx, id, recentOperations)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range log {
		vm.Audit = append(vm.Audit, auditRow(p, e))
	}
	if change != nil {
		change(&vm)
	}
	s.render(w, r, code, web.CompanyPage(p, vm))
}

// details are a company's figures in detail.
func details(p web.Page, c status.Company) []web.Detail {
	row := companyRow(p, c)
	never := func(t string) string { return cmp.Or(t, p.T("op.never")) }
	out := []web.Detail{
		{Label: p.T("op.col.integration"), Value: row.Integration + " · " + row.Token, Bad: row.IntegrationBad || c.Token == status.TokenNeedsConsent},
		{Label: p.T("op.company.token_until"), Value: never(p.DateTime(c.AccessExpiresAt))},
		{Label: p.T("op.company.refreshed"), Value: never(p.DateTime(c.RefreshedAt))},
		{Label: p.T("op.col.centrex"), Value: row.Centrex},
	}
	sub := row.Events
	if !c.Subscription.ExpiresAt.IsZero() {
		sub += " · " + p.T("op.company.sub_expires", p.DateTime(c.Subscription.ExpiresAt))
	}
	out = append(out,
		web.Detail{Label: p.T("op.company.subscription"), Value: sub, Bad: row.EventsBad},
		web.Detail{Label: p.T("op.col.sync"), Value: row.LastSync},
		web.Detail{Label: p.T("op.col.links"), Value: row.Links},
		web.Detail{Label: p.T("op.company.pending"), Value: strconv.Itoa(c.OutboxPending)},
		web.Detail{Label: p.T("op.company.parked"), Value: strconv.Itoa(c.OutboxParked), Bad: c.OutboxParked > 0},
	)
	if c.OutboxPending > 0 {
		out = append(out, web.Detail{Label: p.T("op.company.oldest"), Value: p.Lang.Duration(c.OldestPendingAge),
			Bad: c.OldestPendingAge > status.AttentionAge})
	}
	if c.LastError != "" {
		out = append(out, web.Detail{Label: p.T("op.col.error"), Value: c.LastError, Bad: true})
	}
	return out
}

// recentErrors are the integration's and the subscription's errors, then
// the latest notifications that failed.
func (s *Server) recentErrors(r *http.Request, p web.Page, c status.Company) ([]web.ErrorRow, error) {
	var out []web.ErrorRow
	if c.IntegrationError != "" && c.Integration != store.ZohoDisabled {
		out = append(out, web.ErrorRow{Part: p.T("op.company.error.zoho"), Text: c.IntegrationError})
	}
	if c.Subscription.LastError != "" {
		out = append(out, web.ErrorRow{Part: p.T("op.company.error.centrex"), Text: c.Subscription.LastError})
	}
	fails, err := s.store.RecentOutboxFailures(r.Context(), c.CompanyID, recentErrors)
	if err != nil {
		return nil, err
	}
	for _, f := range fails {
		state := p.T("activity.queued")
		switch {
		case f.Status == store.OutboxDelivered:
			state = p.T("activity.delivered")
		case f.Status == store.OutboxParked:
			state = p.T("activity.parked", f.Attempts)
		case f.Attempts > 0:
			state = p.T("activity.pending", f.Attempts)
		}
		out = append(out, web.ErrorRow{When: p.DateTime(f.CreatedAt), Part: p.T("op.company.error.outbox", state), Text: f.Error})
	}
	return out, nil
}

// auditRow is a line of the operator audit log in words.
func auditRow(p web.Page, e store.OperatorAuditEntry) web.OperatorAuditRow {
	row := web.OperatorAuditRow{When: p.DateTime(e.CreatedAt), What: e.Action, Company: e.CompanyName}
	if i18n.Has("op.action." + e.Action) {
		row.What = p.T("op.action." + e.Action)
	}
	// Whom or what it was about, where the line says so.
	var about []string
	for _, k := range []string{"email", "name", "route", "status"} {
		if v := e.Detail[k]; v != "" && !(k == "name" && v == e.CompanyName) {
			about = append(about, v)
		}
	}
	if len(about) > 0 {
		row.What += " (" + strings.Join(about, ", ") + ")"
	}
	switch e.ActorKind {
	case store.ActorCLI:
		row.Who = p.T("op.actor.cli")
	case store.ActorAPIKey:
		row.Who = p.T("op.actor.api_key", e.Actor)
	case store.ActorSystem:
		row.Who = p.T("op.actor.system", e.Actor)
	default:
		row.Who = e.Actor
	}
	if e.CompanyID != 0 && e.Action != "company.deleted" {
		row.CompanyURL = Prefix + "/companies/" + strconv.FormatInt(e.CompanyID, 10)
	}
	return row
}

// actionFailed answers an action's error: a company that is gone is a 404,
// a switched-off one comes back to its page with a message; anything else
// is a server error.
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrSwitchedOff):
		s.flash(r.Context(), web.FlashError, "op.error.switched")
		http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
	default:
		s.serverError(w, r, err)
	}
}

func companyPath(id int64) string { return Prefix + "/companies/" + strconv.FormatInt(id, 10) }

// handleSetCentrex handles POST /operator/companies/{id}/centrex: the
// Centrex connection, checked as `gateway company set-centrex` checks it;
// refused fields come back on the page, each with its message, the
// password never.
func (s *Server) handleSetCentrex(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	f := func(name string) string { return chars.Truncate(r.PostFormValue(name), 2048) }
	c := provision.Connection{AllowInsecureURL: r.PostFormValue("allow_insecure_url") == "1"}
	c.BaseURL, c.UserID, c.Password, c.GroupID = f("xsi_url"), f("user"), f("password"), f("group")
	c.EnterpriseID, c.DirectoryUserID = f("enterprise"), f("directory_user")
	c.IsEnterprise = r.PostFormValue("is_enterprise") == "1"
	err := s.provision.SetCentrex(r.Context(), actor(r), id, c)
	if verr := new(provision.ValidationError); errors.As(err, &verr) {
		c = c.Normalize()
		lang := s.lang(r)
		form := web.CentrexForm{BaseURL: c.BaseURL, UserID: c.UserID, GroupID: c.GroupID, EnterpriseID: c.EnterpriseID,
			IsEnterprise: c.IsEnterprise, DirectoryUserID: c.DirectoryUserID, AllowInsecureURL: c.AllowInsecureURL,
			Errors: map[string]string{}, Open: true}
		for _, fe := range verr.Fields {
			form.Errors[fe.Field] = lang.T("op.field." + fe.Code)
		}
		s.renderCompany(w, r, http.StatusUnprocessableEntity, id, func(vm *web.CompanyView) {
			form.Message = lang.T("op.centrex.invalid")
			vm.Centrex = form
		})
		return
	}
	if err != nil {
		s.actionFailed(w, r, id, err)
		return
	}
	s.flash(r.Context(), web.FlashSuccess, "op.centrex.saved")
	http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
}

// handleSyncSeats handles POST /operator/companies/{id}/seats/sync: the
// seats read from the company's Centrex now.
func (s *Server) handleSyncSeats(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	res, err := s.provision.SyncSeats(ctx, actor(r), id)
	var switchOff *seats.SwitchOffError
	switch {
	case err == nil || errors.As(err, &switchOff):
		s.flash(ctx, web.FlashSuccess, "op.sync.done", res.Present, res.Added, res.Gone)
	case errors.Is(err, store.ErrSwitchedOff):
		s.actionFailed(w, r, id, err)
		return
	case errors.Is(err, store.ErrNotFound):
		if _, aerr := s.store.AccountByID(ctx, id); aerr != nil {
			s.actionFailed(w, r, id, aerr)
			return
		}
		s.flash(ctx, web.FlashError, "op.sync.no_centrex")
	default:
		// The Centrex refused or did not answer: the operator reads why.
		s.logger.WarnContext(ctx, "operator seat sync", "company_id", id, "error", err)
		s.flash(ctx, web.FlashError, "op.sync.failed", err.Error())
	}
	http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
}

// handleRetryParked handles POST /operator/companies/{id}/outbox/retry:
// every parked notification back in the queue.
func (s *Server) handleRetryParked(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	n, err := s.provision.RetryParked(r.Context(), actor(r), id)
	if err != nil {
		s.actionFailed(w, r, id, err)
		return
	}
	s.flash(r.Context(), web.FlashSuccess, "op.retry.done", n)
	http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
}

// handleCreateAdmin handles POST /operator/companies/{id}/admin: the
// company's administrator, created with a one-time password that this
// answer shows once (it is stored nowhere but as a hash).
func (s *Server) handleCreateAdmin(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	lang := s.lang(r)
	email := store.NormalizeEmail(chars.Truncate(strings.TrimSpace(r.PostFormValue("admin_email")), 400))
	a, err := s.provision.CreateAdmin(r.Context(), actor(r), id, email)
	refuse := func(key string) {
		s.renderCompany(w, r, http.StatusUnprocessableEntity, id, func(vm *web.CompanyView) {
			vm.AdminEmailInput, vm.AdminError = email, lang.T(key)
		})
	}
	if verr := new(provision.ValidationError); errors.As(err, &verr) {
		refuse("op.field." + verr.Fields[0].Code)
		return
	}
	switch {
	case errors.Is(err, store.ErrAdminEmailTaken):
		refuse("op.admin.taken")
		return
	case errors.Is(err, store.ErrCompanyHasAdmin):
		refuse("op.admin.exists")
		return
	case err != nil:
		s.actionFailed(w, r, id, err)
		return
	}
	s.renderCompany(w, r, http.StatusOK, id, func(vm *web.CompanyView) {
		vm.OneTimePassword = &web.OneTimePassword{Email: a.Email, Password: a.Password}
	})
}

// handleResetAdmin handles POST /operator/companies/{id}/admin/password: a
// new one-time password for the administrator, shown once by this answer;
// their sessions end.
func (s *Server) handleResetAdmin(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	a, err := s.provision.ResetAdminPassword(r.Context(), actor(r), id)
	if err != nil {
		s.actionFailed(w, r, id, err)
		return
	}
	s.renderCompany(w, r, http.StatusOK, id, func(vm *web.CompanyView) {
		vm.OneTimePassword = &web.OneTimePassword{Email: a.Email, Password: a.Password}
	})
}

// handleSwitchOffConfirm handles GET /operator/companies/{id}/switch-off:
// what switching off does, and the button that does it.
func (s *Server) handleSwitchOffConfirm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	acct, err := s.store.AccountByID(r.Context(), id)
	if err != nil {
		s.actionFailed(w, r, id, err)
		return
	}
	p := s.newPage(r, "op.off.button")
	p.Nav = "companies"
	days := int(math.Ceil(s.provision.Retention().Hours() / 24))
	s.render(w, r, http.StatusOK, web.SwitchOffPage(p, web.SwitchOffView{ID: id, Name: acct.Name, RetentionDays: days}))
}

// handleSwitchOff handles POST /operator/companies/{id}/switch-off. When
// Zoho fails half way the company stays off and the operator is told to
// press again, which continues the disable.
func (s *Server) handleSwitchOff(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	acct, err := s.provision.SwitchOff(ctx, actor(r), id)
	var ierr *integration.Error
	switch {
	case errors.As(err, &ierr):
		s.logger.WarnContext(ctx, "operator switch-off: Zoho", "company_id", id, "error", err)
		s.flash(ctx, web.FlashError, "op.off.zoho_failed")
	case err != nil:
		s.actionFailed(w, r, id, err)
		return
	default:
		s.flash(ctx, web.FlashSuccess, "op.off.done", s.lang(r).DateTime(acct.DeleteAfter, madrid))
	}
	http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
}

// handleSwitchOn handles POST /operator/companies/{id}/switch-on.
func (s *Server) handleSwitchOn(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	if _, err := s.provision.SwitchOn(r.Context(), actor(r), id); err != nil {
		s.actionFailed(w, r, id, err)
		return
	}
	s.flash(r.Context(), web.FlashSuccess, "op.on.done")
	http.Redirect(w, r, companyPath(id), http.StatusSeeOther)
}

// handleAudit handles GET /operator/audit: the operator audit log, newest
// first.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "op.audit.title")
	p.Nav = "audit"
	log, err := s.store.OperatorAuditLog(r.Context(), 0, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var vm web.OperatorAuditView
	for _, e := range log {
		vm.Entries = append(vm.Entries, auditRow(p, e))
	}
	s.render(w, r, http.StatusOK, web.OperatorAuditPage(p, vm))
}
