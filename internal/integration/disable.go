package integration

import (
	"context"
	"errors"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// DisableResult says how a disable ended when it did not fail.
type DisableResult struct {
	// ZohoNotified is false when the token had already died, so Zoho could
	// not be told: the integration is off here but may still show in Zoho.
	ZohoNotified bool
	// UsersSwitchedOff counts the Zoho users whose registrations were removed.
	UsersSwitchedOff int
}

// Disable turns the integration off for everyone: click-to-dial and call
// control off for every linked user (the links stay, switched off), DELETE
// integrate, the refresh token revoked, the tokens forgotten. A failure half
// way leaves the status store.ZohoDisabling with the error recorded, so the portal
// shows it and a retry continues where it stopped.
func (s *Service) Disable(ctx context.Context, companyID int64, actor string) (DisableResult, error) {
	var res DisableResult
	z, err := s.store.ZohoIntegration(ctx, companyID)
	if err != nil {
		return res, err
	}
	if z.Status == store.ZohoDisabled {
		return res, nil
	}
	if s.oauth == nil {
		return res, &Error{Code: CodeNotConfigured}
	}
	z.Status, z.LastError = store.ZohoDisabling, ""
	if err := s.store.SaveZohoIntegration(ctx, z); err != nil {
		return res, err
	}
	pb := s.PhoneBridge(companyID)

	halt := func(err error) (DisableResult, error) {
		e := classify(err)
		if e.Code == CodeNeedsConsent {
			return s.finishDisable(ctx, z, actor, res, false)
		}
		z.LastError = e.Code
		if serr := s.store.SaveZohoIntegration(ctx, z); serr != nil {
			return res, errors.Join(e, serr)
		}
		s.audit(ctx, companyID, actor, "zoho.disable_failed", map[string]string{"code": e.Code})
		return res, e
	}

	users, err := s.links.EnabledZohoUsers(ctx, companyID)
	if err != nil {
		return res, err
	}
	for _, u := range users {
		if err := ignoreGone(pb.DisableClickToDial(ctx, u)); err != nil {
			return halt(err)
		}
		if err := ignoreGone(pb.DisableCallControl(ctx, u)); err != nil {
			return halt(err)
		}
		if err := s.links.SetZohoUserEnabled(ctx, companyID, u, false); err != nil {
			return res, err
		}
		res.UsersSwitchedOff++
	}
	if err := pb.Disintegrate(ctx); err != nil && !zoho.IsCode(err, zoho.CodePBXNotIntegrated) {
		return halt(err)
	}
	return s.finishDisable(ctx, z, actor, res, true)
}

// finishDisable revokes the refresh token (best effort) and records the
// integration as disabled.
func (s *Service) finishDisable(ctx context.Context, z store.ZohoIntegration, actor string, res DisableResult, notified bool) (DisableResult, error) {
	res.ZohoNotified = notified
	// Re-read: a refresh may have changed the row while we talked to Zoho.
	cur, err := s.store.ZohoIntegration(ctx, z.CompanyID)
	if err != nil {
		return res, err
	}
	if cur.RefreshToken != "" && notified {
		if err := s.oauth.Revoke(ctx, cur.AccountsServer, cur.RefreshToken); err != nil && !errors.Is(err, zoho.ErrInvalidGrant) {
			s.logger.WarnContext(ctx, "revoking the refresh token after disable", "company_id", z.CompanyID, "error", err)
		}
	}
	if !notified {
		// Zoho was not told; record every link as off all the same.
		users, err := s.links.EnabledZohoUsers(ctx, z.CompanyID)
		if err != nil {
			return res, err
		}
		for _, u := range users {
			if err := s.links.SetZohoUserEnabled(ctx, z.CompanyID, u, false); err != nil {
				return res, err
			}
		}
	}
	off := store.ZohoIntegration{CompanyID: z.CompanyID, Status: store.ZohoDisabled, Location: cur.Location}
	if err := s.store.SaveZohoIntegration(ctx, off); err != nil {
		return res, err
	}
	detail := map[string]string{"zoho_notified": "yes"}
	if !notified {
		detail["zoho_notified"] = "no: the authorization had expired"
	}
	s.audit(ctx, z.CompanyID, actor, "zoho.disabled", detail)
	s.subs.Signal()
	return res, nil
}

// ignoreGone treats "that user is not there" as already switched off.
func ignoreGone(err error) error {
	if zoho.IsCode(err, zoho.CodeInvalidUser) {
		return nil
	}
	return err
}
