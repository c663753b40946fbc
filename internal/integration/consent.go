package integration

import (
	"context"
	"strings"

	"github.com/conecta-zoho/gateway/internal/chars"
	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// Callback is what Zoho's redirect brought back, once the portal has checked
// the state.
type Callback struct {
	Code           string
	Location       string
	AccountsServer string
	// Error is Zoho's error parameter, e.g. "access_denied".
	Error string
}

// CompleteConsent finishes an activation: it exchanges the code at the
// user's data centre, checks that the account that consented is the one the
// administrator typed (expectedEmail), calls integrate, and stores the
// tokens. Any failure leaves the integration as it was (a fresh token is
// revoked) and comes back as an *Error.
func (s *Service) CompleteConsent(ctx context.Context, companyID int64, actor, expectedEmail string, cb Callback) error {
	if s.oauth == nil {
		return &Error{Code: CodeNotConfigured}
	}
	fail := func(e *Error, detail map[string]string) error {
		if detail == nil {
			detail = map[string]string{}
		}
		detail["code"] = e.Code
		action := "zoho.refused"
		switch e.Code {
		case CodeDenied:
			action = "zoho.consent_denied"
		case CodeMismatch:
			action = "zoho.consent_mismatch"
		}
		s.audit(ctx, companyID, actor, action, detail)
		s.logger.WarnContext(ctx, "zoho activation failed", "company_id", companyID, "code", e.Code, "error", e.Err)
		return e
	}

	if cb.Error != "" {
		if cb.Error == "access_denied" {
			return fail(&Error{Code: CodeDenied}, nil)
		}
		return fail(&Error{Code: CodeZohoError, Args: []string{cb.Error}}, map[string]string{"zoho_error": cb.Error})
	}
	raw := cb.AccountsServer
	if raw == "" {
		if dc, ok := zoho.DataCentreByLocation(cb.Location); ok {
			raw = dc.AccountsServer
		}
	}
	accounts, err := s.oauth.AccountsServer(raw)
	if err != nil {
		return fail(classify(err), map[string]string{"accounts_server": chars.Truncate(raw, 200)})
	}
	if cb.Code == "" {
		return fail(&Error{Code: CodeBadCode}, nil)
	}
	tok, err := s.oauth.Exchange(ctx, accounts, cb.Location, cb.Code)
	if err != nil {
		return fail(classify(err), nil)
	}
	revoke := func() {
		if err := s.oauth.Revoke(context.WithoutCancel(ctx), accounts, tok.RefreshToken); err != nil {
			s.logger.WarnContext(ctx, "revoking a refused token", "company_id", companyID, "error", err)
		}
	}
	account, err := s.oauth.ConsentingUser(ctx, accounts, tok.AccessToken)
	if err != nil {
		revoke()
		return fail(classify(err), nil)
	}
	if !strings.EqualFold(strings.TrimSpace(account.Email), strings.TrimSpace(expectedEmail)) {
		revoke()
		return fail(&Error{Code: CodeMismatch, Args: []string{account.Email, expectedEmail}},
			map[string]string{"expected": expectedEmail, "consented": account.Email})
	}
	pb := zoho.NewPhoneBridge(s.http, zoho.StaticToken{APIDomain: tok.APIDomain, AccessToken: tok.AccessToken})
	if err := pb.Integrate(ctx); err != nil {
		revoke()
		return fail(classify(err), map[string]string{"consented": account.Email})
	}

	prev, err := s.store.ZohoIntegration(ctx, companyID)
	if err != nil {
		revoke()
		return err
	}
	z := store.ZohoIntegration{
		CompanyID:       companyID,
		Status:          store.ZohoEnabled,
		ConsentEmail:    account.Email,
		Location:        cb.Location,
		AccountsServer:  accounts,
		APIDomain:       tok.APIDomain,
		RefreshToken:    tok.RefreshToken,
		AccessToken:     tok.AccessToken,
		AccessExpiresAt: tok.Expiry,
		RefreshedAt:     s.now(),
		EnabledAt:       s.now(),
	}
	if prev.Status != store.ZohoDisabled && !prev.EnabledAt.IsZero() && prev.EnabledAt.Unix() != 0 {
		z.EnabledAt = prev.EnabledAt
	}
	if err := s.store.SaveZohoIntegration(ctx, z); err != nil {
		revoke()
		return err
	}
	s.audit(ctx, companyID, actor, "zoho.enabled", map[string]string{
		"consented": account.Email, "location": cb.Location, "api_domain": tok.APIDomain, "previous": string(prev.Status)})
	s.subs.Signal()
	// The seats table suggests links from the Zoho user list: fetch it now.
	// A failure here is not the activation's: the list can be refreshed later.
	if _, err := s.RefreshZohoUsers(ctx, companyID); err != nil {
		s.logger.WarnContext(ctx, "listing Zoho users after activation", "company_id", companyID, "error", err)
	}
	return nil
}
