package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of a company's audit log.
type AuditEntry struct {
	ID        int64
	CompanyID int64
	Actor     string
	Action    string
	Detail    map[string]string
	CreatedAt time.Time
}

// Audit appends an entry to a company's audit log. Detail must not carry
// secrets.
func (s *Store) Audit(ctx context.Context, companyID int64, actor, action string, detail map[string]string) error {
	if detail == nil {
		detail = map[string]string{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	_, err = s.pool.Exec(ctx,
		`INSERT INTO audit_log (company_id, actor, action, detail, created_at) VALUES ($1, $2, $3, $4, $5)`,
		companyID, actor, action, b, s.now())
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// AuditLog returns a company's newest entries first, at most limit of them.
func (s *Store) AuditLog(ctx context.Context, companyID int64, limit int) ([]AuditEntry, error) {
	out, _, err := s.AuditPage(ctx, companyID, AuditFilter{Limit: limit})
	return out, err
}

// AuditFilter selects entries of a company's audit log.
type AuditFilter struct {
	// Search is part of the actor or of any detail value (a seat, an
	// e-mail, an address), case-insensitive; "" matches every entry.
	Search string
	// From and Until bound when the entry was written: From <= at < Until;
	// a zero time leaves that side open.
	From, Until time.Time
	// Actions are the actions to show ("login"), or prefixes of them when
	// they end in a dot ("zoho."); none shows every action.
	Actions []string
	// Offset and Limit page the result; Limit <= 0 means 50, at most 500.
	Offset, Limit int
}

// AuditPage returns one page of the company's audit entries that match f,
// newest first, and how many match in all.
func (s *Store) AuditPage(ctx context.Context, companyID int64, f AuditFilter) ([]AuditEntry, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	exact, prefixes := []string{}, []string{}
	for _, a := range f.Actions {
		if strings.HasSuffix(a, ".") {
			prefixes = append(prefixes, strings.TrimPrefix(likePattern(a), "%")) // "zoho.%"
		} else {
			exact = append(exact, a)
		}
	}
	var from, until *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	rows, err := s.pool.Query(ctx,
		`SELECT id, company_id, actor, action, detail, created_at, count(*) OVER () FROM audit_log a
		 WHERE company_id = $1
		   AND ($2 = '' OR actor ILIKE $2 OR EXISTS (SELECT 1 FROM jsonb_each_text(a.detail) d WHERE d.value ILIKE $2))
		   AND ($3::timestamptz IS NULL OR created_at >= $3)
		   AND ($4::timestamptz IS NULL OR created_at < $4)
		   AND ((cardinality($5::text[]) = 0 AND cardinality($6::text[]) = 0) OR action = ANY($5) OR action LIKE ANY($6))
		 ORDER BY created_at DESC, id DESC OFFSET $7 LIMIT $8`,
		companyID, likePattern(f.Search), from, until, exact, prefixes, max(f.Offset, 0), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit log of company %d: %w", companyID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	var total int
	for rows.Next() {
		var e AuditEntry
		var detail []byte
		if err := rows.Scan(&e.ID, &e.CompanyID, &e.Actor, &e.Action, &detail, &e.CreatedAt, &total); err != nil {
			return nil, 0, fmt.Errorf("store: audit log of company %d: %w", companyID, err)
		}
		if err := json.Unmarshal(detail, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("store: audit log detail %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: audit log of company %d: %w", companyID, err)
	}
	return out, total, nil
}
