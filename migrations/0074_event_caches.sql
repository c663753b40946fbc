-- Events by group commit and click-to-dial without reads on the hot path
-- (issue 10).
--
-- 1. calls updates can be HOT: no index names updated_at any more (it
--    changes on every event). The sweeper's scan of open calls and the
--    recovery's open calls of one seat use calls_open_idx on
--    (company_id, seat_id) WHERE open: open changes only when a call starts
--    or ends, so the events in between update the row in place (given room
--    on its page: fillfactor 80).
-- 2. company_versions: a counter per company, bumped by triggers in the
--    same transaction as any change of what the gateway caches about the
--    company (its events token, its links and their seats, its Centrex
--    connection). A cache entry remembers the version it was read at; one
--    primary-key read (or a statement of an event group's transaction)
--    tells, on every instance, whether it is still true. No foreign key:
--    a company deleted takes its rows with it by cascade, and the triggers
--    of those deletes must not fail.

-- +goose Up
DROP INDEX calls_open_idx;
CREATE INDEX calls_open_idx ON calls (company_id, seat_id) WHERE open;
ALTER TABLE calls SET (fillfactor = 80);

CREATE TABLE company_versions (
    company_id bigint PRIMARY KEY,
    version    bigint NOT NULL DEFAULT 1
);

-- +goose StatementBegin
CREATE FUNCTION bump_company_version() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER seat_links_version AFTER INSERT OR UPDATE OR DELETE ON seat_links
    FOR EACH ROW EXECUTE FUNCTION bump_company_version();
CREATE TRIGGER centrex_connections_version AFTER INSERT OR UPDATE OR DELETE ON centrex_connections
    FOR EACH ROW EXECUTE FUNCTION bump_company_version();
CREATE TRIGGER centrex_subscriptions_version_new AFTER INSERT OR DELETE ON centrex_subscriptions
    FOR EACH ROW EXECUTE FUNCTION bump_company_version();
CREATE TRIGGER centrex_subscriptions_version_token AFTER UPDATE ON centrex_subscriptions
    FOR EACH ROW WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.company_id IS DISTINCT FROM NEW.company_id)
    EXECUTE FUNCTION bump_company_version();
-- A seat matters to a cached link by its user id, number and presence.
CREATE TRIGGER seats_version AFTER UPDATE ON seats
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.number IS DISTINCT FROM NEW.number
        OR OLD.gone_at IS DISTINCT FROM NEW.gone_at OR OLD.company_id IS DISTINCT FROM NEW.company_id)
    EXECUTE FUNCTION bump_company_version();
CREATE TRIGGER seats_version_delete AFTER DELETE ON seats
    FOR EACH ROW EXECUTE FUNCTION bump_company_version();

-- +goose Down
DROP TRIGGER seats_version_delete ON seats;
DROP TRIGGER seats_version ON seats;
DROP TRIGGER centrex_subscriptions_version_token ON centrex_subscriptions;
DROP TRIGGER centrex_subscriptions_version_new ON centrex_subscriptions;
DROP TRIGGER centrex_connections_version ON centrex_connections;
DROP TRIGGER seat_links_version ON seat_links;
DROP FUNCTION bump_company_version();
DROP TABLE company_versions;
ALTER TABLE calls RESET (fillfactor);
DROP INDEX calls_open_idx;
CREATE INDEX calls_open_idx ON calls (updated_at) WHERE open;
