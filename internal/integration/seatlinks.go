package integration

import (
	"context"
	"errors"
	"strconv"

	"github.com/conecta-zoho/gateway/internal/store"
	"github.com/conecta-zoho/gateway/internal/zoho"
	"github.com/conecta-zoho/gateway/internal/zohoapi"
)

// Activate links a seat to a Zoho user and registers, for that user,
// click-to-dial and call control pointing at the gateway. If Zoho refuses a
// step, what was registered is removed again and the link is not kept. A
// link left switched off by a disabled integration is switched back on.
func (s *Service) Activate(ctx context.Context, companyID int64, actor string, seatID int64, zohoUserID string) (store.Link, error) {
	if err := s.requireEnabled(ctx, companyID); err != nil {
		return store.Link{}, err
	}
	link, secret, created, err := s.linkForActivation(ctx, companyID, seatID, zohoUserID)
	if err != nil {
		return store.Link{}, err
	}
	undo := func() {
		if created {
			if _, err := s.store.DeleteLink(context.WithoutCancel(ctx), companyID, link.ID); err != nil {
				s.logger.ErrorContext(ctx, "undo link", "company_id", companyID, "link_id", link.ID, "error", err)
			}
		}
	}
	if err := s.register(ctx, companyID, link, secret); err != nil {
		undo()
		s.audit(ctx, companyID, actor, "link.refused", linkDetail(link, map[string]string{"code": classify(err).Code}))
		return store.Link{}, classify(err)
	}
	if link, err = s.store.SetLinkEnabled(ctx, companyID, link.ID, true); err != nil {
		s.unregister(ctx, companyID, link)
		undo()
		return store.Link{}, err
	}
	s.audit(ctx, companyID, actor, "link.activated", linkDetail(link, nil))
	return link, nil
}

// linkForActivation creates the link (created=true), or reuses the
// switched-off link of the same seat and Zoho user with a new secret.
func (s *Service) linkForActivation(ctx context.Context, companyID, seatID int64, zohoUserID string) (link store.Link, secret string, created bool, err error) {
	existing, err := s.store.LinkBySeat(ctx, companyID, seatID)
	switch {
	case err == nil && !existing.Enabled && existing.ZohoUserID == zohoUserID:
		secret, err := s.store.RotateLinkSecret(ctx, companyID, existing.ID)
		return existing, secret, false, err
	case err == nil:
		return store.Link{}, "", false, &Error{Code: CodeSeatLinked, Err: store.ErrSeatAlreadyLinked}
	case !errors.Is(err, store.ErrNotFound):
		return store.Link{}, "", false, err
	}
	u, err := s.store.ZohoUserByID(ctx, companyID, zohoUserID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Link{}, "", false, &Error{Code: CodeNotFound, Err: err}
	} else if err != nil {
		return store.Link{}, "", false, err
	}
	link, secret, err = s.store.CreateLink(ctx, companyID, seatID, u)
	switch {
	case errors.Is(err, store.ErrSeatAlreadyLinked):
		err = &Error{Code: CodeSeatLinked, Err: err}
	case errors.Is(err, store.ErrZohoUserAlreadyLinked):
		err = &Error{Code: CodeZohoUserLinked, Args: []string{u.Label()}, Err: err}
	case errors.Is(err, store.ErrSeatGone):
		err = &Error{Code: CodeSeatGone, Err: err}
	case errors.Is(err, store.ErrNotFound):
		err = &Error{Code: CodeNotFound, Err: err}
	}
	return link, secret, err == nil, err
}

// Deactivate removes the seat's registrations in Zoho and unlinks it. If
// Zoho refuses half way, the part already removed is registered again and
// the link stays as it was.
func (s *Service) Deactivate(ctx context.Context, companyID int64, actor string, seatID int64) error {
	link, err := s.store.LinkBySeat(ctx, companyID, seatID)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: CodeNotFound, Err: err}
	} else if err != nil {
		return err
	}
	if link.Enabled {
		if err := s.requireEnabled(ctx, companyID); err != nil {
			return err
		}
		pb := s.PhoneBridge(companyID)
		if err := ignoreGone(pb.DisableClickToDial(ctx, link.ZohoUserID)); err != nil {
			s.audit(ctx, companyID, actor, "link.refused", linkDetail(link, map[string]string{"code": classify(err).Code}))
			return classify(err)
		}
		if err := ignoreGone(pb.DisableCallControl(ctx, link.ZohoUserID)); err != nil {
			// Put click-to-dial back, so the row stays ON and true.
			if secret, rerr := s.store.RotateLinkSecret(ctx, companyID, link.ID); rerr == nil {
				if rerr := pb.EnableClickToDial(ctx, s.clickToDial(companyID, link, secret)); rerr != nil {
					s.logger.ErrorContext(ctx, "restore click-to-dial after a refused deactivation", "company_id", companyID, "error", rerr)
				}
			}
			s.audit(ctx, companyID, actor, "link.refused", linkDetail(link, map[string]string{"code": classify(err).Code}))
			return classify(err)
		}
	}
	if _, err := s.store.DeleteLink(ctx, companyID, link.ID); err != nil {
		return err
	}
	s.audit(ctx, companyID, actor, "link.deactivated", linkDetail(link, nil))
	return nil
}

// register enables click-to-dial and then call control for the link's Zoho
// user; if call control is refused, click-to-dial is removed again.
func (s *Service) register(ctx context.Context, companyID int64, link store.Link, secret string) error {
	pb := s.PhoneBridge(companyID)
	if err := pb.EnableClickToDial(ctx, s.clickToDial(companyID, link, secret)); err != nil {
		return err
	}
	if err := pb.EnableCallControl(ctx, s.callControl(companyID, link, secret)); err != nil {
		if uerr := ignoreGone(pb.DisableClickToDial(context.WithoutCancel(ctx), link.ZohoUserID)); uerr != nil {
			s.logger.ErrorContext(ctx, "undo click-to-dial", "company_id", companyID, "error", uerr)
		}
		return err
	}
	return nil
}

// unregister removes both registrations, best effort (used when undoing).
func (s *Service) unregister(ctx context.Context, companyID int64, link store.Link) {
	pb := s.PhoneBridge(companyID)
	ctx = context.WithoutCancel(ctx)
	for _, err := range []error{pb.DisableCallControl(ctx, link.ZohoUserID), pb.DisableClickToDial(ctx, link.ZohoUserID)} {
		if err := ignoreGone(err); err != nil {
			s.logger.ErrorContext(ctx, "undo registration", "company_id", companyID, "error", err)
		}
	}
}

// params are the authorization pair and parameters registered for a link:
// Zoho sends them back on every request, and the bridge reads the company,
// the link and the secret from them under zohoapi's names.
func (s *Service) params(companyID int64, link store.Link, secret string) (zoho.Param, []zoho.Param) {
	return zoho.Param{Name: zohoapi.AuthParam, Value: secret}, []zoho.Param{
		{Name: zohoapi.ParamCompany, Value: strconv.FormatInt(companyID, 10)},
		{Name: zohoapi.ParamLink, Value: strconv.FormatInt(link.ID, 10)},
	}
}

func (s *Service) clickToDial(companyID int64, link store.Link, secret string) zoho.ClickToDial {
	auth, params := s.params(companyID, link, secret)
	return zoho.ClickToDial{ZohoUser: link.ZohoUserID, URI: s.uris.ClickToDial, AuthParam: auth, Params: params}
}

func (s *Service) callControl(companyID int64, link store.Link, secret string) zoho.CallControl {
	auth, params := s.params(companyID, link, secret)
	return zoho.CallControl{ZohoUser: link.ZohoUserID, AnswerURI: s.uris.Answer, HungupURI: s.uris.Hangup,
		HoldURI: s.uris.Hold, UnholdURI: s.uris.Unhold, KeypressURI: s.uris.Keypress, AuthParam: auth, Params: params}
}

// requireEnabled fails unless the company's integration is enabled.
func (s *Service) requireEnabled(ctx context.Context, companyID int64) error {
	z, err := s.store.ZohoIntegration(ctx, companyID)
	if err != nil {
		return err
	}
	switch z.Status {
	case store.ZohoEnabled:
		return nil
	case store.ZohoNeedsConsent:
		return ErrNeedsConsent
	}
	return &Error{Code: CodeNotEnabled}
}

func linkDetail(l store.Link, extra map[string]string) map[string]string {
	d := map[string]string{"seat": l.SeatUserID, "number": l.SeatNumber, "zoho_user": l.ZohoEmail, "zoho_name": l.ZohoName}
	for k, v := range extra {
		d[k] = v
	}
	return d
}
