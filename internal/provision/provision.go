// Package provision is what the carrier does to a company, whoever asks:
// the command line, an operator in the console (internal/operator) or an
// ordering system through the provisioning API (internal/api). Each
// operation checks its input (every problem at once, a *ValidationError),
// refuses a switched-off company (store.ErrSwitchedOff) where it must, does
// the work through the store and the other services (seats, integration),
// and writes one line to the company's audit log under the actor's name
// and one to the operator audit log.
//
// Switching a company off disables its Zoho integration (registrations
// removed in Zoho, tokens revoked; the links stay, switched off), ends its
// administrator's sessions and stops their sign-in, stops its seat sync and
// call events, and keeps its data for the retention period (Options.
// Retention), after which the janitor deletes it (DeleteExpired).
// Switching it on again cancels the deletion; the administrator then
// enables the integration again (Zoho's consent is needed anew) and can
// restore the kept links.
package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"time"

	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

// DefaultRetention is how long a switched-off company's data is kept.
const DefaultRetention = 30 * 24 * time.Hour

// Actor is who acts: an operator (by e-mail), an API key (by name) or the
// command line.
type Actor struct {
	Kind string // store.ActorOperator, store.ActorAPIKey, store.ActorCLI
	Name string
}

// CLI is the command line's actor.
var CLI = Actor{Kind: store.ActorCLI, Name: "operator"}

// auditName is how the actor signs the company's audit log: an operator's
// e-mail, "api:NAME" for an API key, "operator" for the command line (as it
// always did).
func (a Actor) auditName() string {
	switch a.Kind {
	case store.ActorAPIKey:
		return "api:" + a.Name
	case store.ActorCLI:
		return "operator"
	}
	return a.Name
}

// Options builds a Service.
type Options struct {
	Store       *store.Store
	Seats       *seats.Service
	Integration *integration.Service
	// PasswordParams is the argon2id cost of the administrators' passwords
	// (zero: password.Default).
	PasswordParams password.Params
	// Retention is how long a switched-off company is kept (zero:
	// DefaultRetention).
	Retention time.Duration
	// Resolve looks up an Xsi URL's host (nil: the system's resolver).
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	Logger  *slog.Logger
}

// Service runs the carrier's operations on companies.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.PasswordParams == (password.Params{}) {
		o.PasswordParams = password.Default
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o}
}

// Retention is how long a switched-off company is kept.
func (s *Service) Retention() time.Duration { return s.o.Retention }

// Idempotency is the Idempotency-Key of an API creation: per API key, with
// the fingerprint of the request body.
type Idempotency struct {
	APIKeyID    int64
	Key         string
	Fingerprint []byte
}

// Created is a company created (or found again) by CreateCompany.
type Created struct {
	store.Account
	// Password is the administrator's one-time password, set only when
	// the company was created by this call: it is shown once.
	Password string
	// New is false when the company existed (a replayed Idempotency-Key
	// or external id).
	New bool
}

// CreateCompany creates a company and its administrator with a generated
// password, once per Idempotency-Key (idem may be zero) and per external
// id.
func (s *Service) CreateCompany(ctx context.Context, actor Actor, c NewCompany, idem Idempotency) (Created, error) {
	if err := c.Validate(); err != nil {
		return Created{}, err
	}
	return s.createCompany(ctx, actor, c, idem, password.Generate())
}

// CreateCompanyWithPassword is CreateCompany with a password chosen by the
// caller (the command line's --password-stdin).
func (s *Service) CreateCompanyWithPassword(ctx context.Context, actor Actor, c NewCompany, pw string) (Created, error) {
	if err := c.Validate(); err != nil {
		return Created{}, err
	}
	if err := password.Validate(pw); err != nil {
		return Created{}, &ValidationError{Fields: []FieldError{{Field: "password", Code: CodeInvalid, Message: err.Error()}}}
	}
	return s.createCompany(ctx, actor, c, Idempotency{}, pw)
}

func (s *Service) createCompany(ctx context.Context, actor Actor, c NewCompany, idem Idempotency, pw string) (Created, error) {
	hash, err := password.Hash(pw, s.o.PasswordParams)
	if err != nil {
		return Created{}, err
	}
	n := store.NewAccount{Name: c.Name, AdminEmail: c.AdminEmail, PasswordHash: hash, ExternalID: c.ExternalID}
	n.Idempotency.APIKeyID, n.Idempotency.Key, n.Idempotency.Fingerprint = idem.APIKeyID, idem.Key, idem.Fingerprint
	acct, created, err := s.o.Store.CreateAccount(ctx, n)
	if err != nil {
		return Created{}, err
	}
	if !created {
		return Created{Account: acct}, nil
	}
	detail := map[string]string{"name": acct.Name, "admin_email": acct.AdminEmail}
	if acct.ExternalID != "" {
		detail["external_id"] = acct.ExternalID
	}
	if err := s.audit(ctx, actor, acct.Company, "company.created", detail); err != nil {
		return Created{}, err
	}
	return Created{Account: acct, Password: pw, New: true}, nil
}

// live returns the company, or store.ErrSwitchedOff when it is off.
func (s *Service) live(ctx context.Context, companyID int64) (store.Account, error) {
	acct, err := s.o.Store.AccountByID(ctx, companyID)
	if err != nil {
		return acct, err
	}
	if acct.Off() {
		return acct, fmt.Errorf("provision: company %d: %w", companyID, store.ErrSwitchedOff)
	}
	return acct, nil
}

// SetCentrex sets or replaces the company's Centrex connection after
// ValidateConnection; the password is stored sealed and never shown again.
func (s *Service) SetCentrex(ctx context.Context, actor Actor, companyID int64, c Connection) error {
	c = c.Normalize()
	acct, err := s.live(ctx, companyID)
	if err != nil {
		return err
	}
	if err := s.ValidateConnection(ctx, c); err != nil {
		return err
	}
	if err := s.o.Store.SetCentrexConnection(ctx, companyID, c.Connection); err != nil {
		return err
	}
	detail := map[string]string{"xsi_url": c.BaseURL, "user": c.UserID, "group": c.GroupID}
	if c.AllowInsecureURL {
		detail["insecure_url_allowed"] = "yes"
	}
	return s.audit(ctx, actor, acct.Company, "centrex.connection_set", detail)
}

// ValidateConnection is the package's ValidateConnection of the normalized
// c, with the service's resolver.
func (s *Service) ValidateConnection(ctx context.Context, c Connection) error {
	return ValidateConnection(ctx, c.Normalize(), s.o.Resolve)
}

// SyncSeats reads the company's seats from its Centrex now (seats.Sync).
func (s *Service) SyncSeats(ctx context.Context, actor Actor, companyID int64) (seats.Result, error) {
	acct, err := s.live(ctx, companyID)
	if err != nil {
		return seats.Result{}, err
	}
	res, err := s.o.Seats.Sync(ctx, companyID)
	var switchOff *seats.SwitchOffError
	if err != nil && !errors.As(err, &switchOff) {
		return res, err
	}
	detail := map[string]string{"present": strconv.Itoa(res.Present), "added": strconv.Itoa(res.Added),
		"gone": strconv.Itoa(res.Gone)}
	if aerr := s.audit(ctx, actor, acct.Company, "seats.synced", detail); aerr != nil {
		return res, aerr
	}
	return res, err
}

// RetryParked puts every parked notification of the company back in the
// queue and returns how many.
func (s *Service) RetryParked(ctx context.Context, actor Actor, companyID int64) (int, error) {
	acct, err := s.live(ctx, companyID)
	if err != nil {
		return 0, err
	}
	n, err := s.o.Store.RetryParkedOutbox(ctx, companyID)
	if err != nil {
		return 0, err
	}
	return n, s.audit(ctx, actor, acct.Company, "outbox.retried", map[string]string{"notifications": strconv.Itoa(n)})
}

// AdminPassword is an administrator with their new one-time password.
type AdminPassword struct {
	store.Admin
	Password string
	// Created says the administrator was created by this call.
	Created bool
}

// ResetAdminPassword gives the company's administrator a generated
// password and ends their sessions; a company without one is
// store.ErrNotFound (CreateAdmin makes one).
func (s *Service) ResetAdminPassword(ctx context.Context, actor Actor, companyID int64) (AdminPassword, error) {
	acct, err := s.live(ctx, companyID)
	if err != nil {
		return AdminPassword{}, err
	}
	pw := password.Generate()
	hash, err := password.Hash(pw, s.o.PasswordParams)
	if err != nil {
		return AdminPassword{}, err
	}
	a, err := s.o.Store.SetCompanyAdminPassword(ctx, companyID, hash)
	if err != nil {
		return AdminPassword{}, err
	}
	if err := s.audit(ctx, actor, acct.Company, "admin.password_reset", map[string]string{"email": a.Email}); err != nil {
		return AdminPassword{}, err
	}
	return AdminPassword{Admin: a, Password: pw}, nil
}

// CreateAdmin gives a company without an administrator one, with a
// generated password (store.ErrCompanyHasAdmin when it has one,
// store.ErrAdminEmailTaken when the e-mail is another's).
func (s *Service) CreateAdmin(ctx context.Context, actor Actor, companyID int64, email string) (AdminPassword, error) {
	var p problems
	p.email("admin_email", email)
	if err := p.err(); err != nil {
		return AdminPassword{}, err
	}
	acct, err := s.live(ctx, companyID)
	if err != nil {
		return AdminPassword{}, err
	}
	pw := password.Generate()
	hash, err := password.Hash(pw, s.o.PasswordParams)
	if err != nil {
		return AdminPassword{}, err
	}
	a, err := s.o.Store.AddAdmin(ctx, companyID, email, hash)
	if err != nil {
		return AdminPassword{}, err
	}
	if err := s.audit(ctx, actor, acct.Company, "admin.created", map[string]string{"email": a.Email}); err != nil {
		return AdminPassword{}, err
	}
	return AdminPassword{Admin: a, Password: pw, Created: true}, nil
}

// SwitchOff switches the company off (see the package comment). The
// company is marked off first, so that it stays off whatever Zoho says;
// then its integration is disabled. When Zoho fails half way, the error
// says so (an *integration.Error) and calling SwitchOff again continues
// the disable.
func (s *Service) SwitchOff(ctx context.Context, actor Actor, companyID int64) (store.Account, error) {
	before, err := s.o.Store.AccountByID(ctx, companyID)
	if err != nil {
		return before, err
	}
	acct, err := s.o.Store.SwitchOffCompany(ctx, companyID, s.o.Retention)
	if err != nil {
		return acct, err
	}
	if !before.Off() {
		if err := s.audit(ctx, actor, acct.Company, "company.switched_off",
			map[string]string{"delete_after": acct.DeleteAfter.UTC().Format(time.RFC3339)}); err != nil {
			return acct, err
		}
	}
	if _, err := s.o.Integration.Disable(ctx, companyID, actor.auditName()); err != nil {
		return acct, err
	}
	return acct, nil
}

// SwitchOn switches a switched-off company on again.
func (s *Service) SwitchOn(ctx context.Context, actor Actor, companyID int64) (store.Account, error) {
	before, err := s.o.Store.AccountByID(ctx, companyID)
	if err != nil {
		return before, err
	}
	acct, err := s.o.Store.SwitchOnCompany(ctx, companyID)
	if err != nil || !before.Off() {
		return acct, err
	}
	return acct, s.audit(ctx, actor, acct.Company, "company.switched_on", nil)
}

// DeleteExpired deletes the companies whose retention ended before now
// (the janitor calls it) and notes each in the operator audit log.
func (s *Service) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	gone, err := s.o.Store.DeleteSwitchedOff(ctx, now)
	if err != nil {
		return 0, err
	}
	for _, a := range gone {
		s.o.Logger.InfoContext(ctx, "switched-off company deleted after its retention", "company_id", a.ID, "company", a.Name)
		if err := s.o.Store.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: store.ActorSystem, Actor: "janitor",
			Action: "company.deleted", CompanyID: a.ID, CompanyName: a.Name,
			Detail: map[string]string{"switched_off_at": a.SwitchedOffAt.UTC().Format(time.RFC3339)}}); err != nil {
			return len(gone), err
		}
	}
	return len(gone), nil
}

// audit writes an action to the company's audit log, under the actor's
// name, and to the operator audit log.
func (s *Service) audit(ctx context.Context, actor Actor, c store.Company, action string, detail map[string]string) error {
	if err := s.o.Store.Audit(ctx, c.ID, actor.auditName(), action, detail); err != nil {
		return err
	}
	return s.o.Store.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: actor.Kind, Actor: actor.Name,
		Action: action, CompanyID: c.ID, CompanyName: c.Name, Detail: detail})
}
