package store

import (
	"context"
	"encoding/json"
	"fmt"
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
	rows, err := s.pool.Query(ctx,
		`SELECT id, company_id, actor, action, detail, created_at FROM audit_log
		 WHERE company_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var detail []byte
		if err := rows.Scan(&e.ID, &e.CompanyID, &e.Actor, &e.Action, &detail, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		if err := json.Unmarshal(detail, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: audit log detail: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
