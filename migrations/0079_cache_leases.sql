-- Caches trusted between changes, with acknowledged invalidation
-- (issue 10: click-to-dial without a read on its path, an unlink taking
-- effect at once on every instance).
--
-- 1. bump_company_version (0074) also sends NOTIFY company_versions with
--    "<company id> <new version>": delivered at commit, in commit order,
--    to every instance listening.
-- 2. cache_instances: one row per running instance whose caches may be
--    used without reading company_versions. lease_until is how long it may
--    do so without renewing; acked the highest cache_barriers value it has
--    received on its LISTEN connection. A notification of a barrier comes
--    after those of every transaction committed before the barrier was
--    drawn, so an instance that acked it has seen them all.
-- 3. A writer that changed what the caches hold (store.FenceCaches) draws a
--    barrier, sends it, and returns once every instance whose lease has not
--    lapsed has acked it: after that, no instance answers from what was
--    true before the change.

-- +goose Up
CREATE TABLE cache_instances (
    id          bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz NOT NULL,
    acked       bigint NOT NULL DEFAULT 0
);

CREATE SEQUENCE cache_barriers;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bump_company_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO company_versions AS cv (company_id) VALUES (OLD.company_id)
        ON CONFLICT (company_id) DO UPDATE SET version = cv.version + 1
        RETURNING version INTO v;
        PERFORM pg_notify('company_versions', OLD.company_id || ' ' || v);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.company_id IS DISTINCT FROM OLD.company_id) THEN
        INSERT INTO company_versions AS cv (company_id) VALUES (NEW.company_id)
        ON CONFLICT (company_id) DO UPDATE SET version = cv.version + 1
        RETURNING version INTO v;
        PERFORM pg_notify('company_versions', NEW.company_id || ' ' || v);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bump_company_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO company_versions AS v (company_id) VALUES (OLD.company_id)
        ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.company_id IS DISTINCT FROM OLD.company_id) THEN
        INSERT INTO company_versions AS v (company_id) VALUES (NEW.company_id)
        ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP SEQUENCE cache_barriers;
DROP TABLE cache_instances;
