package integration

import (
	"context"
	"errors"

	"github.com/conecta-zoho/gateway/internal/store"
)

// RowResult is the outcome of a bulk operation for one seat.
type RowResult struct {
	SeatID     int64
	SeatUserID string
	ZohoUser   string
	// Err is nil on success; an *Error says why the row failed.
	Err error
}

// RefreshZohoUsers lists every page of the company's Zoho users and
// replaces the cached list the activation dialog shows.
func (s *Service) RefreshZohoUsers(ctx context.Context, companyID int64) (int, error) {
	if err := s.requireEnabled(ctx, companyID); err != nil {
		return 0, err
	}
	users, err := s.PhoneBridge(companyID).Users(ctx)
	if err != nil {
		return 0, classify(err)
	}
	cached := make([]store.ZohoUser, 0, len(users))
	for _, u := range users {
		cached = append(cached, store.ZohoUser{ID: u.ZohoUser, Email: u.Email, Name: u.Name})
	}
	if err := s.store.ReplaceZohoUsers(ctx, companyID, cached); err != nil {
		return 0, err
	}
	return len(cached), nil
}

// LinkSuggested activates every suggested match (same e-mail or name), or
// only those of the given seats when seatIDs is not empty.
func (s *Service) LinkSuggested(ctx context.Context, companyID int64, actor string, seatIDs []int64) ([]RowResult, error) {
	if err := s.requireEnabled(ctx, companyID); err != nil {
		return nil, err
	}
	sugg, err := s.store.SuggestedLinks(ctx, companyID)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range seatIDs {
		want[id] = true
	}
	var out []RowResult
	for _, sg := range sugg {
		if len(want) > 0 && !want[sg.SeatID] {
			continue
		}
		_, err := s.Activate(ctx, companyID, actor, sg.SeatID, sg.ZohoUser.ID)
		out = append(out, RowResult{SeatID: sg.SeatID, SeatUserID: sg.SeatUserID, ZohoUser: sg.ZohoUser.Label(), Err: err})
	}
	return out, nil
}

// ActivateMany switches on each seat's switched-off link (kept from before
// the integration was disabled) or, for an unlinked seat, its suggested
// match. A seat with neither gets an error row.
func (s *Service) ActivateMany(ctx context.Context, companyID int64, actor string, seatIDs []int64) ([]RowResult, error) {
	if err := s.requireEnabled(ctx, companyID); err != nil {
		return nil, err
	}
	sugg, err := s.store.SuggestedLinks(ctx, companyID)
	if err != nil {
		return nil, err
	}
	bySeat := map[int64]store.Suggestion{}
	for _, sg := range sugg {
		bySeat[sg.SeatID] = sg
	}
	var out []RowResult
	for _, id := range seatIDs {
		row := RowResult{SeatID: id}
		seat, err := s.store.SeatByID(ctx, companyID, id)
		if err != nil {
			row.Err = notFoundOr(err)
			out = append(out, row)
			continue
		}
		row.SeatUserID = seat.UserID
		link, err := s.store.LinkBySeat(ctx, companyID, id)
		switch {
		case err == nil && link.Enabled:
			row.ZohoUser = link.ZohoEmail // already on
		case err == nil:
			row.ZohoUser = link.ZohoEmail
			_, row.Err = s.Activate(ctx, companyID, actor, id, link.ZohoUserID)
		case errors.Is(err, store.ErrNotFound):
			if sg, ok := bySeat[id]; ok {
				row.ZohoUser = sg.ZohoUser.Label()
				_, row.Err = s.Activate(ctx, companyID, actor, id, sg.ZohoUser.ID)
			} else {
				row.Err = &Error{Code: CodeNoSuggestion}
			}
		default:
			row.Err = err
		}
		out = append(out, row)
	}
	return out, nil
}

// DeactivateMany deactivates the given seats one by one.
func (s *Service) DeactivateMany(ctx context.Context, companyID int64, actor string, seatIDs []int64) ([]RowResult, error) {
	var out []RowResult
	for _, id := range seatIDs {
		row := RowResult{SeatID: id}
		if link, err := s.store.LinkBySeat(ctx, companyID, id); err == nil {
			row.SeatUserID, row.ZohoUser = link.SeatUserID, link.ZohoEmail
		}
		row.Err = s.Deactivate(ctx, companyID, actor, id)
		out = append(out, row)
	}
	return out, nil
}

// Restore switches back on every link left switched off when the
// integration was disabled.
func (s *Service) Restore(ctx context.Context, companyID int64, actor string) ([]RowResult, error) {
	if err := s.requireEnabled(ctx, companyID); err != nil {
		return nil, err
	}
	links, err := s.store.Links(ctx, companyID)
	if err != nil {
		return nil, err
	}
	var out []RowResult
	for _, l := range links {
		if l.Enabled || l.SeatGone {
			continue
		}
		_, err := s.Activate(ctx, companyID, actor, l.SeatID, l.ZohoUserID)
		out = append(out, RowResult{SeatID: l.SeatID, SeatUserID: l.SeatUserID, ZohoUser: l.ZohoEmail, Err: err})
	}
	return out, nil
}

// SwitchOffGone removes the registrations of links whose seat left the
// Centrex and records them as off. Links whose registrations Zoho refuses
// to remove stay on, and the first error is returned.
func (s *Service) SwitchOffGone(ctx context.Context, companyID int64, links []store.Link) error {
	if len(links) == 0 {
		return nil
	}
	var first error
	pb := s.PhoneBridge(companyID)
	for _, l := range links {
		err := errors.Join(ignoreGone(pb.DisableClickToDial(ctx, l.ZohoUserID)), ignoreGone(pb.DisableCallControl(ctx, l.ZohoUserID)))
		if err == nil {
			_, err = s.store.SetLinkEnabled(ctx, companyID, l.ID, false)
		}
		if err != nil {
			first = errors.Join(first, err)
			continue
		}
		s.audit(ctx, companyID, "gateway", "link.seat_gone", linkDetail(l, nil))
	}
	return first
}

func notFoundOr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: CodeNotFound, Err: err}
	}
	return err
}
