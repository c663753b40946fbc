-- The time zone a company's administrator reads times in (the activity page,
-- the audit log, the connection panel). Spanish companies are mostly on the
-- peninsula's clock; the portal lets the administrator choose another
-- (Atlantic/Canary, …). The value is an IANA zone name the gateway checks
-- with its own zone database before storing it.

-- +goose Up
ALTER TABLE companies ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Madrid'
    CHECK (btrim(time_zone) <> '' AND length(time_zone) <= 64);

-- +goose Down
ALTER TABLE companies DROP COLUMN time_zone;
