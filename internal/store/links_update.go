package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetLinkEnabled records whether the link's registrations are in Zoho (the
// table's ON/OFF). Switching on a link whose seat is gone fails with
// ErrSeatGone; a link of another company is ErrNotFound.
func (s *Store) SetLinkEnabled(ctx context.Context, companyID, linkID int64, enabled bool) (Link, error) {
	fail := func(err error) (Link, error) {
		return Link{}, fmt.Errorf("store: set link %d of company %d enabled=%t: %w", linkID, companyID, enabled, err)
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE seat_links l SET enabled = $3, updated_at = $4
		FROM seats s
		WHERE l.company_id = $1 AND l.id = $2 AND s.company_id = l.company_id AND s.id = l.seat_id
		  AND (NOT $3 OR s.gone_at IS NULL)`, companyID, linkID, enabled, s.now())
	if err != nil {
		return fail(err)
	}
	l, err := s.LinkByID(ctx, companyID, linkID)
	if err != nil {
		return fail(err)
	}
	if tag.RowsAffected() == 0 {
		return fail(ErrSeatGone) // the link exists, so its seat refused
	}
	s.FenceCaches(ctx)
	return l, nil
}

// RotateLinkSecret gives the link a new secret and returns it, for
// restoring a link after the integration was disabled (the old secret is
// unknown, only its hash was kept). The old secret stops working at once.
func (s *Store) RotateLinkSecret(ctx context.Context, companyID, linkID int64) (string, error) {
	secret, hash := newLinkSecret()
	tag, err := s.pool.Exec(ctx, `UPDATE seat_links SET secret_hash = $3, updated_at = $4 WHERE company_id = $1 AND id = $2`,
		companyID, linkID, hash, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: rotate secret of link %d of company %d: %w", linkID, companyID, err)
	}
	s.FenceCaches(ctx)
	return secret, nil
}

// DeleteLink unlinks the seat from its Zoho user and returns the link as it
// was. The caller removes the Zoho registrations first.
func (s *Store) DeleteLink(ctx context.Context, companyID, linkID int64) (Link, error) {
	var l Link
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, linkSelect+` WHERE l.company_id = $1 AND l.id = $2 FOR UPDATE OF l`, companyID, linkID)
		if err != nil {
			return err
		}
		if l, err = pgx.CollectExactlyOneRow(rows, scanLinkRow); err != nil {
			return notFound(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM seat_links WHERE company_id = $1 AND id = $2`, companyID, linkID)
		return err
	})
	if err != nil {
		return Link{}, fmt.Errorf("store: delete link %d of company %d: %w", linkID, companyID, err)
	}
	s.FenceCaches(ctx)
	return l, nil
}

// Links returns every link of the company, enabled or not, ordered by the
// seat's user id: what disabling the integration switches off and what
// restoring switches back on.
func (s *Store) Links(ctx context.Context, companyID int64) ([]Link, error) {
	rows, err := s.pool.Query(ctx, linkSelect+` WHERE l.company_id = $1 ORDER BY s.user_id`, companyID)
	if err != nil {
		return nil, fmt.Errorf("store: links of company %d: %w", companyID, err)
	}
	links, err := pgx.CollectRows(rows, scanLinkRow)
	if err != nil {
		return nil, fmt.Errorf("store: links of company %d: %w", companyID, err)
	}
	return links, nil
}

// LinkForDial finds the link of a present seat of the company by the seat's
// BroadWorks user id or, failing that, its number: how a click-to-dial
// request names the seat. Check the presented secret with CheckSecret before
// acting. A number shared by two linked seats is ErrConflict; no match is
// ErrNotFound.
func (s *Store) LinkForDial(ctx context.Context, companyID int64, seat string) (Link, error) {
	rows, err := s.pool.Query(ctx, linkSelect+`
		WHERE l.company_id = $1 AND s.gone_at IS NULL AND (s.user_id = $2 OR s.number = $2)
		ORDER BY s.user_id = $2 DESC, s.id LIMIT 2`, companyID, seat)
	if err != nil {
		return Link{}, fmt.Errorf("store: link for dial %q in company %d: %w", seat, companyID, err)
	}
	links, err := pgx.CollectRows(rows, scanLinkRow)
	switch {
	case err != nil:
	case len(links) == 0:
		err = ErrNotFound
	case links[0].SeatUserID == seat || len(links) == 1:
		return links[0], nil
	default:
		err = fmt.Errorf("%w: number shared by several linked seats", ErrConflict)
	}
	return Link{}, fmt.Errorf("store: link for dial %q in company %d: %w", seat, companyID, err)
}
