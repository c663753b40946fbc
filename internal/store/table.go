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
	// Clamp turns an offset past the last row into the last page's (the
	// page's Offset says which it was); without it such a page is empty.
	Clamp bool
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

const tableColumns = `s.id, s.user_id, s.number, coalesce(l.id, 0), coalesce(l.zoho_user_id, ''),
	coalesce(l.zoho_email, ''), coalesce(l.zoho_name, ''), coalesce(l.enabled, false), s.gone_at IS NOT NULL`

// tableHits are the ids of the company's seats matching $2 in any column:
// a union of two trigram-indexed scans, one per table, computed once for
// the count and the page.
const tableHits = `
	hits AS MATERIALIZED (
		SELECT id FROM seats WHERE company_id = $1 AND (user_id ILIKE $2 OR number ILIKE $2)
		UNION
		SELECT seat_id FROM seat_links WHERE company_id = $1 AND (zoho_email ILIKE $2 OR zoho_name ILIKE $2)
	),`

// SeatTable returns a page of the company's "Usuarios Conecta - Zoho"
// table, with the total and filtered counts, in one statement. With
// q.Clamp, a page past the end is the last page (same statement).
//
// It runs as an unnamed statement (pgx.QueryExecModeExec), so PostgreSQL
// plans it with the actual search text: a cached generic plan cannot know
// whether the text is selective, and was measured up to four times slower.
func (s *Store) SeatTable(ctx context.Context, companyID int64, q TableQuery) (TablePage, error) {
	fail := func(err error) (TablePage, error) {
		return TablePage{}, fmt.Errorf("store: seat table of company %d: %w", companyID, err)
	}
	query, args := tableSQL(companyID, q)
	rows, err := s.pool.Query(ctx, query, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var p TablePage
	for rows.Next() {
		var (
			id, link                  *int64
			user, number, zid, zl, zn *string
			enabled, gone             *bool
			k                         *int64
		)
		if err := rows.Scan(&p.Filtered, &p.Total, &p.Offset, &id, &user, &number, &link, &zid, &zl, &zn, &enabled, &gone, &k); err != nil {
			return fail(err)
		}
		if id != nil {
			p.Rows = append(p.Rows, TableRow{SeatID: *id, UserID: *user, Number: *number, LinkID: *link, ZohoUserID: *zid,
				ZohoLogin: *zl, ZohoName: *zn, Enabled: *enabled, Gone: *gone})
		}
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return p, nil
}

// tableSQL builds the statement of q and its arguments. Every row of the
// answer carries the counts and the page's offset; an empty page is one
// row of counts with the table's columns NULL. Only fixed fragments are
// concatenated; every user value is an argument.
func tableSQL(companyID int64, q TableQuery) (string, []any) {
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

	args := []any{companyID}
	var with, from, counts string
	next := 2
	if pattern := likePattern(q.Search); pattern == "" {
		from = ` FROM seats s` + join + ` WHERE s.company_id = $1` + goneFilter
		counts = `SELECT c, c FROM (` + total + `) t(c)`
	} else {
		args = append(args, pattern)
		next = 3
		with = tableHits
		from = ` FROM hits h JOIN seats s ON s.company_id = $1 AND s.id = h.id` + join + ` WHERE true` + goneFilter
		counts = `SELECT (SELECT count(*) FROM hits h JOIN seats s ON s.company_id = $1 AND s.id = h.id WHERE true` + goneFilter +
			`), (` + total + `)`
	}
	off, lim, clamp := fmt.Sprintf("$%d", next), fmt.Sprintf("$%d", next+1), fmt.Sprintf("$%d", next+2)
	args = append(args, offset, limit, q.Clamp)
	sql := `WITH` + with + `
		n(filtered, total) AS (` + counts + `),
		o(off) AS (SELECT CASE WHEN ` + clamp + `::boolean AND n.filtered > 0 AND ` + off + `::bigint >= n.filtered
			THEN (n.filtered - 1) / ` + lim + `::bigint * ` + lim + `::bigint ELSE ` + off + `::bigint END FROM n)
		SELECT n.filtered, n.total, o.off, p.* FROM n CROSS JOIN o LEFT JOIN LATERAL (
			SELECT ` + tableColumns + `, row_number() OVER (ORDER BY ` + order[dir] + `) AS k` + from + `
			ORDER BY ` + order[dir] + ` OFFSET o.off LIMIT ` + lim + `
		) p ON true ORDER BY p.k`
	return sql, args
}

// TableOrder is one order of the table: a column, ascending or not.
type TableOrder struct {
	Sort SortColumn
	Desc bool
}

// TableOrders lists the table's orders as SeatTableAll ranks them: each
// column ascending, then descending.
var TableOrders = func() []TableOrder {
	var out []TableOrder
	for _, c := range []SortColumn{SortUserID, SortNumber, SortZohoLogin, SortZohoName, SortEnabled} {
		out = append(out, TableOrder{c, false}, TableOrder{c, true})
	}
	return out
}()

// TableAll is a company's whole table as one statement saw it: its
// version (seat_table_versions) and every row, with each row's rank in
// every order of TableOrders, as PostgreSQL sorts them (its collations).
type TableAll struct {
	Version int64
	Rows    []TableRow
	// Ranks[o][i] is the 0-based position of Rows[i] in TableOrders[o].
	Ranks [][]int32
}

// SeatTableAll reads the company's whole table for a copy in memory.
func (s *Store) SeatTableAll(ctx context.Context, companyID int64) (TableAll, error) {
	var ranks string
	for _, o := range TableOrders {
		dir := 0
		if o.Desc {
			dir = 1
		}
		ranks += `, row_number() OVER (ORDER BY ` + orderBy[o.Sort][dir] + `) - 1`
	}
	rows, err := s.pool.Query(ctx, `SELECT coalesce((SELECT version FROM seat_table_versions WHERE company_id = $1), 0), `+
		tableColumns+ranks+` FROM seats s LEFT JOIN seat_links l ON l.company_id = s.company_id AND l.seat_id = s.id
		WHERE s.company_id = $1 ORDER BY s.id`, companyID)
	if err != nil {
		return TableAll{}, fmt.Errorf("store: whole seat table of company %d: %w", companyID, err)
	}
	defer rows.Close()
	t := TableAll{Ranks: make([][]int32, len(TableOrders))}
	rank := make([]int32, len(TableOrders))
	dest := make([]any, 0, 10+len(rank))
	var r TableRow
	dest = append(dest, &t.Version, &r.SeatID, &r.UserID, &r.Number, &r.LinkID, &r.ZohoUserID, &r.ZohoLogin, &r.ZohoName, &r.Enabled, &r.Gone)
	for i := range rank {
		dest = append(dest, &rank[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return TableAll{}, fmt.Errorf("store: whole seat table of company %d: %w", companyID, err)
		}
		t.Rows = append(t.Rows, r)
		for i, k := range rank {
			t.Ranks[i] = append(t.Ranks[i], k)
		}
	}
	if err := rows.Err(); err != nil {
		return TableAll{}, fmt.Errorf("store: whole seat table of company %d: %w", companyID, err)
	}
	return t, nil
}
