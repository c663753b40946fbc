-- The carrier's side (issue 13): operators who sign in to the console at
-- /operator/ with a password and TOTP, API keys of the provisioning API,
-- the audit log of what operators and API keys did, companies created by
-- the carrier's ordering systems (external_id) and switched off (kept until
-- delete_after, then deleted by the janitor).

-- +goose Up
CREATE TABLE operators (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text        NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%' AND length(email) <= 320),
    password_hash   text        NOT NULL,
    -- The TOTP secret, sealed with SECRET_KEY and bound to the operator;
    -- NULL until the operator enrolled at their first sign-in.
    totp_sealed     bytea,
    totp_enrolled_at timestamptz,
    -- The last TOTP time step accepted: a code is good once.
    totp_last_step  bigint      NOT NULL DEFAULT 0,
    -- Grows on every password reset and on disable: sessions started under
    -- an older epoch are refused.
    session_epoch   integer     NOT NULL DEFAULT 1,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operators_email_key ON operators (email);

CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text        NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    -- SHA-256 of the key (256 random bits): the key itself is shown once.
    key_hash     bytea       NOT NULL CHECK (length(key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
);
-- A name is unique among the keys that are not revoked, so a revoked name
-- can be given again.
CREATE UNIQUE INDEX api_keys_name_key ON api_keys (name) WHERE revoked_at IS NULL;

-- Requests per key and minute, shared by every instance.
CREATE TABLE api_rate (
    api_key_id   bigint      NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    window_start timestamptz NOT NULL,
    requests     integer     NOT NULL,
    PRIMARY KEY (api_key_id, window_start)
);

-- Creations by Idempotency-Key: the first request's fingerprint and the
-- company it created, kept a day.
CREATE TABLE api_idempotency (
    api_key_id   bigint      NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea       NOT NULL,
    company_id   bigint      REFERENCES companies (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);

-- What operators and API keys did. No foreign key: the line outlives a
-- deleted company, operator or key.
CREATE TABLE operator_audit (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_kind   text        NOT NULL CHECK (actor_kind IN ('operator', 'api_key', 'cli', 'system')),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    company_id   bigint,
    company_name text        NOT NULL DEFAULT '',
    detail       jsonb       NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_audit_time_idx ON operator_audit (created_at DESC, id DESC);
CREATE INDEX operator_audit_company_idx ON operator_audit (company_id, created_at DESC) WHERE company_id IS NOT NULL;

ALTER TABLE companies
    ADD COLUMN external_id text CHECK (length(external_id) BETWEEN 1 AND 255),
    ADD COLUMN switched_off_at timestamptz,
    ADD COLUMN delete_after timestamptz,
    ADD CONSTRAINT companies_off_check CHECK ((switched_off_at IS NULL) = (delete_after IS NULL));
CREATE UNIQUE INDEX companies_external_id_key ON companies (external_id);
CREATE INDEX companies_delete_after_idx ON companies (delete_after) WHERE delete_after IS NOT NULL;

-- +goose Down
DROP INDEX companies_delete_after_idx;
DROP INDEX companies_external_id_key;
ALTER TABLE companies
    DROP CONSTRAINT companies_off_check,
    DROP COLUMN delete_after,
    DROP COLUMN switched_off_at,
    DROP COLUMN external_id;
DROP TABLE operator_audit;
DROP TABLE api_idempotency;
DROP TABLE api_rate;
DROP TABLE api_keys;
DROP TABLE operators;
