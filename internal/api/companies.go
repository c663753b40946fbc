package api

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/status"
	"github.com/conecta-zoho/gateway/internal/store"
)

// company is a company in the API's JSON.
type company struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	ExternalID    *string `json:"external_id"`
	AdminEmail    *string `json:"admin_email"`
	State         string  `json:"state"`
	CreatedAt     string  `json:"created_at"`
	SwitchedOffAt *string `json:"switched_off_at"`
	DeleteAfter   *string `json:"delete_after"`
	// AdminPassword is the administrator's one-time password, only in the
	// answer of the request that created the company.
	AdminPassword string  `json:"admin_password,omitempty"`
	Health        *health `json:"health,omitempty"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func companyJSON(a store.Account) company {
	c := company{ID: a.ID, Name: a.Name, ExternalID: optional(a.ExternalID), AdminEmail: optional(a.AdminEmail),
		State: "active", CreatedAt: *rfc3339(a.CreatedAt), SwitchedOffAt: rfc3339(a.SwitchedOffAt), DeleteAfter: rfc3339(a.DeleteAfter)}
	if a.Off() {
		c.State = "switched_off"
	}
	return c
}

// health is the status figures of a company (internal/status).
type health struct {
	NeedsAttention bool   `json:"needs_attention"`
	Integration    string `json:"integration"`
	Token          string `json:"token"`
	Centrex        struct {
		Connected     bool    `json:"connected"`
		Events        string  `json:"events"`
		EventsError   *string `json:"events_error"`
		EventsExpires *string `json:"events_expires_at"`
	} `json:"centrex"`
	Seats struct {
		LastSync *string `json:"last_sync_at"`
		Source   *string `json:"source"`
		Present  int     `json:"present"`
		Gone     int     `json:"gone"`
	} `json:"seats"`
	Links struct {
		Total   int `json:"total"`
		Enabled int `json:"enabled"`
	} `json:"links"`
	Outbox struct {
		Pending              int     `json:"pending"`
		Parked               int     `json:"parked"`
		OldestPendingSeconds int64   `json:"oldest_pending_seconds"`
		LastError            *string `json:"last_error"`
	} `json:"outbox"`
	LastError *string `json:"last_error"`
}

func healthJSON(c status.Company) *health {
	h := &health{NeedsAttention: c.NeedsAttention(), Integration: string(c.Integration), Token: string(c.Token),
		LastError: optional(c.LastError)}
	h.Centrex.Connected = c.HasCentrex
	h.Centrex.Events = string(c.SubscriptionState)
	h.Centrex.EventsError = optional(c.Subscription.LastError)
	h.Centrex.EventsExpires = rfc3339(c.Subscription.ExpiresAt)
	h.Seats.LastSync = rfc3339(c.SeatSync.SyncedAt)
	h.Seats.Source = optional(string(c.SeatSync.Source))
	h.Seats.Present, h.Seats.Gone = c.SeatSync.Present, c.SeatSync.Gone
	h.Links.Total, h.Links.Enabled = c.Links, c.LinksEnabled
	h.Outbox.Pending, h.Outbox.Parked = c.OutboxPending, c.OutboxParked
	h.Outbox.OldestPendingSeconds = int64(c.OldestPendingAge.Seconds())
	h.Outbox.LastError = optional(c.OutboxError)
	return h
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// handleCreate handles POST /api/v1/companies: a company and its
// administrator, once per Idempotency-Key and per external_id. 201 with
// the administrator's one-time password when created; 200 with the
// company (and no password) when the key or the external id was seen.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	idemKey := r.Header.Get("Idempotency-Key")
	if len(r.Header.Values("Idempotency-Key")) > 1 || len(idemKey) > maxIdempotencyKey ||
		strings.ContainsFunc(idemKey, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		s.writeProblem(w, r, probIdemKey, "At most one header of 1 to 255 visible ASCII characters.", nil)
		return
	}
	var req provision.NewCompany
	body, bad, ok := s.readBody(w, r, map[string]any{"name": &req.Name, "admin_email": &req.AdminEmail,
		"external_id": &req.ExternalID}, "name", "admin_email")
	if !ok || s.refused(w, r, bad, req.Validate()) {
		return
	}
	k := keyFrom(r.Context())
	var idem provision.Idempotency
	if idemKey != "" {
		fp := sha256.Sum256(body)
		idem = provision.Idempotency{APIKeyID: k.ID, Key: idemKey, Fingerprint: fp[:]}
	}
	created, err := s.provision.CreateCompany(r.Context(), actor(r), req, idem)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := companyJSON(created.Account)
	w.Header().Set("Location", Prefix+"/companies/"+strconv.FormatInt(c.ID, 10))
	if !created.New {
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, http.StatusOK, c)
		return
	}
	c.AdminPassword = created.Password
	writeJSON(w, http.StatusCreated, c)
}

// Paging of GET /api/v1/companies.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// handleList handles GET /api/v1/companies?limit=N&after=ID: the
// companies in id order after ID, and next_after for the next page (null
// on the last).
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var bad []provision.FieldError
	limit, after := defaultPageSize, int64(0)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			bad = append(bad, provision.FieldError{Field: "limit", Code: provision.CodeInvalid, Message: "must be an integer from 1 to 500"})
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad = append(bad, provision.FieldError{Field: "after", Code: provision.CodeInvalid, Message: "must be a company id"})
		}
		after = n
	}
	if len(bad) > 0 {
		s.writeProblem(w, r, probValidation, "", bad)
		return
	}
	list, more, err := s.store.Accounts(r.Context(), after, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Companies []company `json:"companies"`
		NextAfter *int64    `json:"next_after"`
	}{Companies: make([]company, len(list))}
	for i, a := range list {
		out.Companies[i] = companyJSON(a)
	}
	if more {
		out.NextAfter = &list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGet handles GET /api/v1/companies/{id}: the company with its
// health figures.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	acct, err := s.store.AccountByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.status.Company(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := companyJSON(acct)
	c.Health = healthJSON(st)
	writeJSON(w, http.StatusOK, c)
}

// handleDelete handles DELETE /api/v1/companies/{id}: the company is
// switched off (its Zoho registrations removed) and kept until
// delete_after. Repeating it is harmless, and continues a disable that Zoho
// cut short (502 zoho-failed).
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	acct, err := s.provision.SwitchOff(r.Context(), actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, companyJSON(acct))
}

// connection is a Centrex connection in the API's JSON; the password is
// only ever written.
type connection struct {
	XSIURL          string  `json:"xsi_url"`
	User            string  `json:"user"`
	Group           string  `json:"group"`
	Enterprise      string  `json:"enterprise"`
	ServiceProvider bool    `json:"service_provider"`
	DirectoryUser   *string `json:"directory_user"`
	UpdatedAt       string  `json:"updated_at"`
}

// handleSetCentrex handles PUT /api/v1/companies/{id}/centrex: the
// company's Centrex connection, checked as `gateway company set-centrex`
// checks it (allow_insecure_url is its --allow-insecure-url). The answer
// leaves the password out.
func (s *Server) handleSetCentrex(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	var c provision.Connection
	var sp bool
	_, bad, ok := s.readBody(w, r, map[string]any{"xsi_url": &c.BaseURL, "user": &c.UserID, "group": &c.GroupID,
		"enterprise": &c.EnterpriseID, "service_provider": &sp, "directory_user": &c.DirectoryUserID,
		"password": &c.Password, "allow_insecure_url": &c.AllowInsecureURL})
	c.IsEnterprise = !sp
	if !ok || s.refused(w, r, bad, s.provision.ValidateConnection(r.Context(), c)) {
		return
	}
	if err := s.provision.SetCentrex(r.Context(), actor(r), id, c); err != nil {
		s.fail(w, r, err)
		return
	}
	conn, err := s.store.CentrexConnection(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, connection{XSIURL: conn.BaseURL, User: conn.UserID, Group: conn.GroupID,
		Enterprise: conn.EnterpriseID, ServiceProvider: !conn.IsEnterprise, DirectoryUser: optional(conn.DirectoryUserID),
		UpdatedAt: *rfc3339(conn.UpdatedAt)})
}

// handleSync handles POST /api/v1/companies/{id}/seats/sync.
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	res, err := s.provision.SyncSeats(r.Context(), actor(r), id)
	var switchOff *seats.SwitchOffError
	if err != nil && !errors.As(err, &switchOff) {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Present          int  `json:"present"`
		Added            int  `json:"added"`
		Changed          int  `json:"changed"`
		Returned         int  `json:"returned"`
		Gone             int  `json:"gone"`
		LinksSwitchedOff int  `json:"links_switched_off"`
		LinksPending     bool `json:"links_pending"`
	}{Present: res.Present, Added: res.Added, Changed: res.Changed, Returned: res.Returned, Gone: res.Gone,
		LinksSwitchedOff: len(res.SwitchedOff), LinksPending: err != nil}
	writeJSON(w, http.StatusOK, out)
}

// handleResetPassword handles POST /api/v1/companies/{id}/admin/reset-password:
// a new one-time password, in the answer only; the administrator's
// sessions end.
func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := s.companyID(w, r)
	if !ok {
		return
	}
	a, err := s.provision.ResetAdminPassword(r.Context(), actor(r), id)
	if errors.Is(err, store.ErrNotFound) {
		if _, cerr := s.store.AccountByID(r.Context(), id); cerr == nil {
			err = errNoAdministrator
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		AdminEmail string `json:"admin_email"`
		Password   string `json:"password"`
	}{a.Email, a.Password})
}

// actor is the request's API key as the provision service's actor.
func actor(r *http.Request) provision.Actor {
	return provision.Actor{Kind: store.ActorAPIKey, Name: keyFrom(r.Context()).Name}
}
