package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// SyncSeats makes the company's stored seats match the list the Centrex
// gave (or the imported file), in one short transaction (the list is read
// before, with none open):
//
//   - listed seats are added, or updated when a field changed;
//   - a listed seat that was gone comes back (gone_at cleared);
//   - a present seat that is not listed is marked gone (gone_at = now). Its
//     link, if any, stays; while it is switched on, GoneEnabledLinks lists it.
//
// The list is the company's complete set of seats whatever its source: an
// import replaces a directory sync and the other way round. Repeated user ids
// keep their first entry; a seat without a user id fails the whole call.
// Callers guard against an empty list that would mark every seat gone.
//
// GoneEnabledLinks and CompaniesWithGoneEnabledLinks are the other half: the
// links whose seat left but which are still switched on in Zoho.
func (s *Store) SyncSeats(ctx context.Context, companyID int64, seats []centrex.Seat, source SeatSource) (SyncResult, error) {
	fail := func(err error) (SyncResult, error) {
		return SyncResult{}, fmt.Errorf("store: seats sync company %d: %w", companyID, err)
	}
	if source != SourceDirectory && source != SourceImport {
		return fail(fmt.Errorf("unknown source %q", source))
	}
	seats, err := normalizeSeats(seats)
	if err != nil {
		return fail(err)
	}
	res := SyncResult{Present: len(seats)}
	now := s.now()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := loadSyncInput(ctx, tx, seats); err != nil {
			return err
		}
		// Classify before writing: the upsert cannot see old values.
		err := tx.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE s.id IS NULL),
			       count(*) FILTER (WHERE s.gone_at IS NOT NULL),
			       count(*) FILTER (WHERE s.gone_at IS NULL AND s.id IS NOT NULL AND
			           (s.number, s.extension, s.first_name, s.last_name, s.email, s.department, s.source)
			           IS DISTINCT FROM (i.number, i.extension, i.first_name, i.last_name, i.email, i.department, $2))
			FROM seat_sync_in i LEFT JOIN seats s ON s.company_id = $1 AND s.user_id = i.user_id`,
			companyID, source).Scan(&res.Added, &res.Returned, &res.Changed)
		if err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO seats AS s (company_id, user_id, number, extension, first_name, last_name, email,
				department, source, synced_at)
			SELECT $1, user_id, number, extension, first_name, last_name, email, department, $2, $3
			FROM seat_sync_in
			ON CONFLICT (company_id, user_id) DO UPDATE SET
				number = excluded.number, extension = excluded.extension,
				first_name = excluded.first_name, last_name = excluded.last_name,
				email = excluded.email, department = excluded.department,
				source = excluded.source, synced_at = excluded.synced_at, gone_at = NULL
			WHERE s.gone_at IS NOT NULL OR
				(s.number, s.extension, s.first_name, s.last_name, s.email, s.department, s.source)
				IS DISTINCT FROM (excluded.number, excluded.extension, excluded.first_name,
				excluded.last_name, excluded.email, excluded.department, excluded.source)`,
			companyID, source, now)
		if err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		tag, err := tx.Exec(ctx, `
			UPDATE seats s SET gone_at = $2, synced_at = $2
			WHERE s.company_id = $1 AND s.gone_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM seat_sync_in i WHERE i.user_id = s.user_id)`,
			companyID, now)
		if err != nil {
			return fmt.Errorf("mark gone: %w", err)
		}
		res.Gone = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `
			INSERT INTO seat_syncs (company_id, source, synced_at, present, gone)
			VALUES ($1, $2, $3, $4, (SELECT count(*) FROM seats WHERE company_id = $1 AND gone_at IS NOT NULL))
			ON CONFLICT (company_id) DO UPDATE SET source = excluded.source, synced_at = excluded.synced_at,
				present = excluded.present, gone = excluded.gone`,
			companyID, source, now, len(seats))
		if err != nil {
			return fmt.Errorf("record sync: %w", err)
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if res.Gone > 0 || res.Changed > 0 || res.Returned > 0 {
		s.FenceCaches(ctx) // a seat gone or renumbered counts at once for its link
	}
	return res, nil
}

// loadSyncInput copies the listed seats into a temporary table dropped at
// commit, so that the sync is a few set-based statements whatever the size.
func loadSyncInput(ctx context.Context, tx pgx.Tx, seats []centrex.Seat) error {
	_, err := tx.Exec(ctx, `
		CREATE TEMP TABLE seat_sync_in (
			user_id text PRIMARY KEY, number text, extension text, first_name text,
			last_name text, email text, department text
		) ON COMMIT DROP`)
	if err != nil {
		return fmt.Errorf("input table: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"seat_sync_in"},
		[]string{"user_id", "number", "extension", "first_name", "last_name", "email", "department"},
		pgx.CopyFromSlice(len(seats), func(i int) ([]any, error) {
			st := seats[i]
			return []any{st.UserID, st.Number, st.Extension, st.FirstName, st.LastName, st.Email, st.Department}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy input: %w", err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE seat_sync_in`); err != nil {
		return fmt.Errorf("analyze input: %w", err)
	}
	return nil
}

// GoneEnabledLinks lists the company's links that are switched on although
// their seat has left the Centrex: their Zoho registrations must be removed
// and the link switched off (internal/seats reconciles them). The list is
// whatever the database says now, so a switch-off that failed before, or a
// sync that ran where nothing could reach Zoho, shows up again.
func (s *Store) GoneEnabledLinks(ctx context.Context, companyID int64) ([]Link, error) {
	rows, err := s.pool.Query(ctx, linkSelect+`
		WHERE l.company_id = $1 AND l.enabled AND s.gone_at IS NOT NULL ORDER BY s.user_id`, companyID)
	if err == nil {
		var links []Link
		if links, err = pgx.CollectRows(rows, scanLinkRow); err == nil {
			return links, nil
		}
	}
	return nil, fmt.Errorf("store: enabled links of gone seats of company %d: %w", companyID, err)
}

// CompaniesWithGoneEnabledLinks returns, in id order, the companies that
// have at least one link GoneEnabledLinks would list.
func (s *Store) CompaniesWithGoneEnabledLinks(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT l.company_id FROM seat_links l
		JOIN seats s ON s.company_id = l.company_id AND s.id = l.seat_id
		WHERE l.enabled AND s.gone_at IS NOT NULL ORDER BY 1`)
	if err == nil {
		var ids []int64
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err == nil {
			return ids, nil
		}
	}
	return nil, fmt.Errorf("store: companies with enabled links of gone seats: %w", err)
}
