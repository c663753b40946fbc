package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// SeatSource is where a company's seats came from, as the seats.source
// and seat_syncs.source columns hold it.
type SeatSource string

// The seat sources.
const (
	// SourceDirectory: read from the Centrex group directory over Xsi.
	SourceDirectory SeatSource = "directory"
	// SourceImport: imported from a CSV file (a Centrex without directory
	// access).
	SourceImport SeatSource = "import"
)

// Seat is one of a company's Conecta seats as the gateway stores it.
type Seat struct {
	ID        int64
	CompanyID int64
	centrex.Seat
	Source SeatSource
	// GoneAt is when the seat was found missing from the Centrex; zero while
	// the seat is present.
	GoneAt time.Time
	// SyncedAt is when a sync last wrote the row (added, changed or came
	// back); a sync that finds the seat unchanged does not touch it.
	SyncedAt time.Time
}

// Gone reports whether the seat has left the Centrex.
func (s Seat) Gone() bool { return !s.GoneAt.IsZero() }

const seatColumns = `id, company_id, user_id, number, extension, first_name, last_name, email,
	department, source, coalesce(gone_at, 'epoch'), synced_at`

func scanSeat(row pgx.Row) (Seat, error) {
	var s Seat
	err := row.Scan(&s.ID, &s.CompanyID, &s.UserID, &s.Number, &s.Extension, &s.FirstName, &s.LastName,
		&s.Email, &s.Department, &s.Source, &s.GoneAt, &s.SyncedAt)
	if s.GoneAt.Unix() == 0 {
		s.GoneAt = time.Time{}
	}
	return s, notFound(err)
}

// SeatByID returns one seat of the company. A seat of another company is
// ErrNotFound.
func (s *Store) SeatByID(ctx context.Context, companyID, seatID int64) (Seat, error) {
	st, err := scanSeat(s.pool.QueryRow(ctx,
		`SELECT `+seatColumns+` FROM seats WHERE company_id = $1 AND id = $2`, companyID, seatID))
	if err != nil {
		return Seat{}, fmt.Errorf("store: seat %d of company %d: %w", seatID, companyID, err)
	}
	return st, nil
}

// SeatByUserID returns the company's seat with that BroadWorks user id
// (exact match).
func (s *Store) SeatByUserID(ctx context.Context, companyID int64, userID string) (Seat, error) {
	st, err := scanSeat(s.pool.QueryRow(ctx,
		`SELECT `+seatColumns+` FROM seats WHERE company_id = $1 AND user_id = $2`, companyID, userID))
	if err != nil {
		return Seat{}, fmt.Errorf("store: seat %q of company %d: %w", userID, companyID, err)
	}
	return st, nil
}

// SeatSync is the outcome of a company's last seat synchronisation or
// import, for the connection panel ("seats synced at").
type SeatSync struct {
	Source   SeatSource
	SyncedAt time.Time
	Present  int
	Gone     int
}

// LastSeatSync returns the company's last sync; ErrNotFound if it never
// synced.
func (s *Store) LastSeatSync(ctx context.Context, companyID int64) (SeatSync, error) {
	var r SeatSync
	err := s.pool.QueryRow(ctx, `SELECT source, synced_at, present, gone FROM seat_syncs WHERE company_id = $1`,
		companyID).Scan(&r.Source, &r.SyncedAt, &r.Present, &r.Gone)
	if err != nil {
		return SeatSync{}, fmt.Errorf("store: last seat sync of company %d: %w", companyID, notFound(err))
	}
	return r, nil
}

// SyncResult says what a SyncSeats call changed.
type SyncResult struct {
	// Present is the number of seats the Centrex listed.
	Present int
	// Added seats are new; Changed ones had a field updated; Returned ones
	// had been gone and are back (their links stay disabled).
	Added, Changed, Returned int
	// Gone is how many present seats were missing and are now marked gone.
	// Their links stay; those still switched on are listed by
	// GoneEnabledLinks until they are switched off.
	Gone int
}

// normalizeSeats trims every field and drops repeated user ids (first one
// wins). It refuses a seat without a user id.
func normalizeSeats(in []centrex.Seat) ([]centrex.Seat, error) {
	seen := make(map[string]bool, len(in))
	out := make([]centrex.Seat, 0, len(in))
	for i, st := range in {
		st = centrex.Seat{
			UserID: strings.TrimSpace(st.UserID), Number: strings.TrimSpace(st.Number),
			Extension: strings.TrimSpace(st.Extension), FirstName: strings.TrimSpace(st.FirstName),
			LastName: strings.TrimSpace(st.LastName), Email: strings.TrimSpace(st.Email),
			Department: strings.TrimSpace(st.Department),
		}
		if st.UserID == "" {
			return nil, fmt.Errorf("seat %d has no user id", i+1)
		}
		if seen[st.UserID] {
			continue
		}
		seen[st.UserID] = true
		out = append(out, st)
	}
	return out, nil
}
