package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Operator is a person of the carrier's support desk who signs in to the
// operator console (a password, then a TOTP code). Operators are apart
// from company administrators: another table, another session kind.
type Operator struct {
	ID           int64
	Email        string
	PasswordHash string
	// Enrolled says the operator has a TOTP secret (they enrolled at their
	// first sign-in).
	Enrolled bool
	// SessionEpoch changes on every password reset and on disable.
	SessionEpoch int
	Disabled     bool
	CreatedAt    time.Time
}

// ErrOperatorExists means another operator already has that e-mail.
var ErrOperatorExists = fmt.Errorf("%w: an operator with that e-mail already exists", ErrConflict)

const operatorColumns = `id, email, password_hash, totp_sealed IS NOT NULL, session_epoch, disabled_at IS NOT NULL, created_at`

func scanOperator(row pgx.Row) (Operator, error) {
	var o Operator
	err := row.Scan(&o.ID, &o.Email, &o.PasswordHash, &o.Enrolled, &o.SessionEpoch, &o.Disabled, &o.CreatedAt)
	return o, notFound(err)
}

// totpContext binds a sealed TOTP secret to its operator, and
// pendingTOTPContext the one they are enrolling with.
func totpContext(operatorID int64) string {
	return "operator-totp:" + strconv.FormatInt(operatorID, 10)
}

func pendingTOTPContext(operatorID int64) string {
	return "operator-totp-pending:" + strconv.FormatInt(operatorID, 10)
}

// CreateOperator adds an operator (the e-mail stored lower-cased).
func (s *Store) CreateOperator(ctx context.Context, email, passwordHash string) (Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `INSERT INTO operators (email, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING `+operatorColumns, NormalizeEmail(email), passwordHash, s.now()))
	if isUniqueViolation(err, "operators_email_key") {
		err = ErrOperatorExists
	}
	if err != nil {
		return Operator{}, fmt.Errorf("store: create operator: %w", err)
	}
	return o, nil
}

// OperatorByEmail finds an operator, disabled or not, by e-mail.
func (s *Store) OperatorByEmail(ctx context.Context, email string) (Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `SELECT `+operatorColumns+` FROM operators WHERE email = $1`, NormalizeEmail(email)))
	if err != nil {
		return Operator{}, fmt.Errorf("store: operator by e-mail: %w", err)
	}
	return o, nil
}

// OperatorByID finds an operator by id.
func (s *Store) OperatorByID(ctx context.Context, id int64) (Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `SELECT `+operatorColumns+` FROM operators WHERE id = $1`, id))
	if err != nil {
		return Operator{}, fmt.Errorf("store: operator %d: %w", id, err)
	}
	return o, nil
}

// SetOperatorPassword replaces an operator's password, forgets their TOTP
// secret when resetTOTP (they enroll again at the next sign-in), and ends
// their sessions. A disabled operator is enabled again.
func (s *Store) SetOperatorPassword(ctx context.Context, email, passwordHash string, resetTOTP bool) (Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `UPDATE operators SET password_hash = $2,
			totp_sealed = CASE WHEN $3 THEN NULL ELSE totp_sealed END,
			totp_enrolled_at = CASE WHEN $3 THEN NULL ELSE totp_enrolled_at END,
			totp_pending_sealed = CASE WHEN $3 THEN NULL ELSE totp_pending_sealed END,
			session_epoch = session_epoch + 1, disabled_at = NULL, updated_at = $4
		WHERE email = $1 RETURNING `+operatorColumns, NormalizeEmail(email), passwordHash, resetTOTP, s.now()))
	if err != nil {
		return Operator{}, fmt.Errorf("store: set operator password: %w", err)
	}
	return o, nil
}

// DisableOperator stops an operator from signing in and ends their
// sessions.
func (s *Store) DisableOperator(ctx context.Context, email string) (Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `UPDATE operators SET disabled_at = coalesce(disabled_at, $2),
			session_epoch = session_epoch + 1, updated_at = $2
		WHERE email = $1 RETURNING `+operatorColumns, NormalizeEmail(email), s.now()))
	if err != nil {
		return Operator{}, fmt.Errorf("store: disable operator: %w", err)
	}
	return o, nil
}

// SetOperatorPendingTOTP keeps, sealed, the secret an operator who has not
// enrolled yet is enrolling with (the QR code shows it until they typed a
// code from it); a later one replaces it. It fails with ErrConflict when
// the operator has enrolled.
func (s *Store) SetOperatorPendingTOTP(ctx context.Context, id int64, secret string) error {
	sealed, err := s.seal(secret, pendingTOTPContext(id))
	if err != nil {
		return fmt.Errorf("store: TOTP enrolment of operator %d: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE operators SET totp_pending_sealed = $2 WHERE id = $1 AND totp_sealed IS NULL`, id, sealed)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: TOTP enrolment of operator %d: %w", id, err)
	}
	return nil
}

// OperatorPendingTOTP returns the secret an operator is enrolling with,
// opened (ErrNotFound: none, or they have enrolled).
func (s *Store) OperatorPendingTOTP(ctx context.Context, id int64) (string, error) {
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT totp_pending_sealed FROM operators
		WHERE id = $1 AND totp_sealed IS NULL AND totp_pending_sealed IS NOT NULL`, id).Scan(&sealed)
	if err != nil {
		return "", fmt.Errorf("store: TOTP enrolment of operator %d: %w", id, notFound(err))
	}
	secret, err := s.open(sealed, pendingTOTPContext(id))
	if err != nil {
		return "", fmt.Errorf("store: TOTP enrolment of operator %d: %w", id, err)
	}
	return secret, nil
}

// EnrollOperatorTOTP stores an operator's TOTP secret, sealed, forgets the
// pending one, and records step as used (the code that proved the
// enrolment). It fails with ErrConflict when the operator enrolled
// meanwhile.
func (s *Store) EnrollOperatorTOTP(ctx context.Context, id int64, secret string, step int64) error {
	sealed, err := s.seal(secret, totpContext(id))
	if err != nil {
		return fmt.Errorf("store: enroll operator %d: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE operators SET totp_sealed = $2, totp_pending_sealed = NULL, totp_enrolled_at = $3,
			totp_last_step = $4, updated_at = $3
		WHERE id = $1 AND totp_sealed IS NULL`, id, sealed, s.now(), step)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: enroll operator %d: %w", id, err)
	}
	return nil
}

// OperatorTOTPSecret returns an operator's TOTP secret, opened (ErrNotFound
// while they have not enrolled).
func (s *Store) OperatorTOTPSecret(ctx context.Context, id int64) (string, error) {
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT totp_sealed FROM operators WHERE id = $1 AND totp_sealed IS NOT NULL`, id).Scan(&sealed)
	if err != nil {
		return "", fmt.Errorf("store: TOTP of operator %d: %w", id, notFound(err))
	}
	secret, err := s.open(sealed, totpContext(id))
	if err != nil {
		return "", fmt.Errorf("store: TOTP of operator %d: %w", id, err)
	}
	return secret, nil
}

// UseTOTPStep records that the operator's code of time step step was
// accepted, once across every instance: it reports false when that step or
// a later one was used already (a code is good once).
func (s *Store) UseTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, id, step)
	if err != nil {
		return false, fmt.Errorf("store: TOTP step of operator %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Actor kinds of the operator audit log.
const (
	ActorOperator = "operator"
	ActorAPIKey   = "api_key"
	ActorCLI      = "cli"
	ActorSystem   = "system"
)

// OperatorAuditEntry is one line of the operator audit log: who (an
// operator's e-mail, an API key's name, the command line), did what, to
// which company.
type OperatorAuditEntry struct {
	ID          int64
	ActorKind   string
	Actor       string
	Action      string
	CompanyID   int64 // 0: none
	CompanyName string
	Detail      map[string]string
	CreatedAt   time.Time
}

// OperatorAudit appends an entry to the operator audit log. Detail must not
// carry secrets.
func (s *Store) OperatorAudit(ctx context.Context, e OperatorAuditEntry) error {
	if e.Detail == nil {
		e.Detail = map[string]string{}
	}
	var company *int64
	if e.CompanyID != 0 {
		company = &e.CompanyID
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO operator_audit (actor_kind, actor, action, company_id, company_name, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ActorKind, e.Actor, e.Action, company, e.CompanyName, e.Detail, s.now())
	if err != nil {
		return fmt.Errorf("store: operator audit %s: %w", e.Action, err)
	}
	return nil
}

// OperatorAuditLog returns the newest entries first, at most limit, of one
// company (companyID > 0) or of all.
func (s *Store) OperatorAuditLog(ctx context.Context, companyID int64, limit int) ([]OperatorAuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, actor_kind, actor, action, coalesce(company_id, 0), company_name, detail, created_at
		FROM operator_audit WHERE $1 = 0 OR company_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: operator audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (OperatorAuditEntry, error) {
		var e OperatorAuditEntry
		err := row.Scan(&e.ID, &e.ActorKind, &e.Actor, &e.Action, &e.CompanyID, &e.CompanyName, &e.Detail, &e.CreatedAt)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: operator audit log: %w", err)
	}
	return out, nil
}
