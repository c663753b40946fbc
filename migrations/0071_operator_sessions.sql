-- The operator console's sign-in (issue 13): its sessions, apart from the
-- portal's, so that a token of one kind is never found among the other's
-- (the shape github.com/alexedwards/scs expects); and the TOTP secret an
-- operator is enrolling with, shown as a QR code until they typed a code
-- from it.

-- +goose Up
CREATE TABLE operator_sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX operator_sessions_expiry_idx ON operator_sessions (expiry);

-- Sealed with SECRET_KEY and bound to the operator, like totp_sealed.
ALTER TABLE operators ADD COLUMN totp_pending_sealed bytea;

-- +goose Down
ALTER TABLE operators DROP COLUMN totp_pending_sealed;
DROP TABLE operator_sessions;
