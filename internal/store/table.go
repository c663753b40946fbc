package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SortColumn names a column of the "Usuarios Conecta - Zoho" table the
// page can be sorted by. Only these values reach the SQL: each maps to a
// fixed ORDER BY clause.
type SortColumn string

// The sortable columns, in the table's order.
const (
	SortUserID    SortColumn = "user"    // Usuario Conecta
	SortNumber    SortColumn = "number"  // Puesto Teléfono
	SortZohoLogin SortColumn = "login"   // Login Zoho
	SortZohoName  SortColumn = "name"    // Nombre Zoho
	SortEnabled   SortColumn = "enabled" // Activado Zoho
)

// orderBy holds the ORDER BY clause of each column, ascending and
// descending. Every clause ends on a unique key so pages are stable.
// Unlinked seats sort after linked ones on the Zoho columns either way.
var orderBy = map[SortColumn][2]string{
	SortUserID:    {`s.user_id, s.id`, `s.user_id DESC, s.id DESC`},
	SortNumber:    {`s.number, s.user_id, s.id`, `s.number DESC, s.user_id DESC, s.id DESC`},
	SortZohoLogin: {`l.zoho_email NULLS LAST, s.user_id, s.id`, `l.zoho_email DESC NULLS LAST, s.user_id, s.id`},
	SortZohoName:  {`l.zoho_name NULLS LAST, s.user_id, s.id`, `l.zoho_name DESC NULLS LAST, s.user_id, s.id`},
	SortEnabled:   {`coalesce(l.enabled, false), s.user_id, s.id`, `coalesce(l.enabled, false) DESC, s.user_id, s.id`},
}

// ParseSortColumn maps a query-string value to a SortColumn; unknown values
// give SortUserID and false.
func ParseSortColumn(v string) (SortColumn, bool) {
	if _, ok := orderBy[SortColumn(v)]; ok {
		return SortColumn(v), true
	}
	return SortUserID, false
}

// TableQuery selects a page of the table.
type TableQuery struct {
	// Search keeps the rows where any column (user id, number, Zoho login,
	// Zoho name) contains it, case-insensitively. Empty keeps every row.
	Search string
	// Sort is the column to sort by (zero value: SortUserID); Desc reverses.
	Sort SortColumn
	Desc bool
	// HideGone leaves out the seats that have left the Centrex.
	HideGone bool
	// Offset and Limit page the rows; Limit <= 0 means 10, at most 500.
	Offset, Limit int
}

// TableRow is one row of the table.
type TableRow struct {
	SeatID int64
	UserID string
	Number string
	// LinkID is 0 when the seat is not linked; the Zoho fields are then empty.
	LinkID     int64
	ZohoUserID string
	ZohoLogin  string
	ZohoName   string
	Enabled    bool
	Gone       bool
}

// TablePage is a page of the table and its counts: "Mostrando From() a
// To() de Filtered elementos" (and "filtrado de Total" when searching).
type TablePage struct {
	Rows     []TableRow
	Offset   int
	Filtered int
	Total    int
}

// From is the 1-based position of the page's first row, 0 when empty.
func (p TablePage) From() int {
	if len(p.Rows) == 0 {
		return 0
	}
	return p.Offset + 1
}

// To is the 1-based position of the page's last row, 0 when empty.
func (p TablePage) To() int {
	if len(p.Rows) == 0 {
		return 0
	}
	return p.Offset + len(p.Rows)
}

const tableSelect = `
	SELECT s.id, s.user_id, s.number, coalesce(l.id, 0), coalesce(l.zoho_user_id, ''),
		coalesce(l.zoho_email, ''), coalesce(l.zoho_name, ''), coalesce(l.enabled, false), s.gone_at IS NOT NULL`

// tableHits are the ids of the company's seats matching $2 in any column:
// a union of two trigram-indexed scans, one per table.
const tableHits = `
	WITH hits AS (
		SELECT id FROM seats WHERE company_id = $1 AND (user_id ILIKE $2 OR number ILIKE $2)
		UNION
		SELECT seat_id FROM seat_links WHERE company_id = $1 AND (zoho_email ILIKE $2 OR zoho_name ILIKE $2)
	)`

// SeatTable returns a page of the company's "Usuarios Conecta - Zoho"
// table, with the total and filtered counts.
//
// Both queries run as unnamed statements (pgx.QueryExecModeExec), so
// PostgreSQL plans each with the actual search text: a cached generic plan
// cannot know whether the text is selective, and was measured up to four
// times slower.
func (s *Store) SeatTable(ctx context.Context, companyID int64, q TableQuery) (TablePage, error) {
	fail := func(err error) (TablePage, error) {
		return TablePage{}, fmt.Errorf("store: seat table of company %d: %w", companyID, err)
	}
	page, counts, args := tableSQL(companyID, q)
	p := TablePage{Offset: args[len(args)-2].(int)}
	rows, err := s.pool.Query(ctx, page, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return fail(err)
	}
	p.Rows, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (TableRow, error) {
		var r TableRow
		err := row.Scan(&r.SeatID, &r.UserID, &r.Number, &r.LinkID, &r.ZohoUserID, &r.ZohoLogin,
			&r.ZohoName, &r.Enabled, &r.Gone)
		return r, err
	})
	if err != nil {
		return fail(err)
	}
	countArgs := append([]any{pgx.QueryExecModeExec}, args[:len(args)-2]...)
	if err := s.pool.QueryRow(ctx, counts, countArgs...).Scan(&p.Filtered, &p.Total); err != nil {
		return fail(err)
	}
	return p, nil
}

// tableSQL builds the page query and the counts query of q, and their
// arguments (the counts query takes all but the last two: offset, limit).
// Only fixed fragments are concatenated; every user value is an argument.
func tableSQL(companyID int64, q TableQuery) (page, counts string, args []any) {
	order, ok := orderBy[q.Sort]
	if !ok {
		order = orderBy[SortUserID]
	}
	dir := 0
	if q.Desc {
		dir = 1
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 500)
	offset := max(q.Offset, 0)
	goneFilter := ""
	if q.HideGone {
		goneFilter = ` AND s.gone_at IS NULL`
	}
	join := ` LEFT JOIN seat_links l ON l.company_id = s.company_id AND l.seat_id = s.id`
	total := `SELECT count(*) FROM seats s WHERE s.company_id = $1` + goneFilter

	args = []any{companyID}
	pattern := likePattern(q.Search)
	if pattern == "" {
		page = tableSelect + ` FROM seats s` + join + ` WHERE s.company_id = $1` + goneFilter +
			` ORDER BY ` + order[dir] + ` OFFSET $2 LIMIT $3`
		counts = `SELECT c, c FROM (` + total + `) t(c)`
		return page, counts, append(args, offset, limit)
	}
	args = append(args, pattern)
	page = tableHits + tableSelect + ` FROM hits h JOIN seats s ON s.company_id = $1 AND s.id = h.id` + join +
		` WHERE true` + goneFilter + ` ORDER BY ` + order[dir] + ` OFFSET $3 LIMIT $4`
	counts = tableHits + ` SELECT (SELECT count(*) FROM hits h JOIN seats s ON s.company_id = $1 AND s.id = h.id WHERE true` +
		goneFilter + `), (` + total + `)`
	return page, counts, append(args, offset, limit)
}
