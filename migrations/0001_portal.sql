-- The portal's foundation: companies, their single administrator, portal
-- sessions (scs pgxstore), login throttling and the audit log.

-- +goose Up
CREATE TABLE companies (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));

-- One administrator per company: the UNIQUE (company_id) constraint is the
-- guide's "access is restricted to a single administrator per company".
CREATE TABLE admins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id    bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    email         text        NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    password_hash text        NOT NULL,
    -- session_epoch grows on every password reset; sessions started under an
    -- older epoch are refused, so a reset logs the administrator out everywhere.
    session_epoch integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admins_one_per_company UNIQUE (company_id)
);
CREATE UNIQUE INDEX admins_email_key ON admins (email);

-- Portal sessions, in the shape github.com/alexedwards/scs/pgxstore expects.
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins, by account ('account:<email>') and by client address
-- ('addr:<ip>'). Rows older than the throttling window are deleted lazily.
CREATE TABLE login_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key       text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_key_time_idx ON login_failures (key, failed_at);

-- Who did what, per company. Never holds secrets.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    detail     jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_company_time_idx ON audit_log (company_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE admins;
DROP TABLE companies;
