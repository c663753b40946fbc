-- Fewer foreign-key checks on the tables every Centrex event writes
-- (issue 10). PostgreSQL 15 checks a foreign key with a query of its own
-- for every row inserted (an SPI query locking the referenced row): under
-- the events bench these checks were about a fifth of PostgreSQL's CPU,
-- 4.7 of them per event.
--
-- calls.company_id: implied by calls (company_id, seat_id) -> seats, whose
-- rows reference companies; both cascade, so deleting a company still
-- deletes its calls (through its seats).
--
-- centrex_events (the dedupe marks, pruned by age) and outbox_history (the
-- delivered notifications, pruned by day) are logs written once per event
-- and never updated: instead of a check on every insert, deleting a
-- company deletes its rows there (companies_delete_logs). The gateway
-- writes them only for companies it has just read, and a company is
-- deleted only after its retention, switched off (no events, no
-- deliveries) for weeks.

-- +goose Up
ALTER TABLE calls DROP CONSTRAINT calls_company_id_fkey;
ALTER TABLE centrex_events DROP CONSTRAINT centrex_events_company_id_fkey;
ALTER TABLE outbox_history DROP CONSTRAINT outbox_history_company_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION companies_delete_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM centrex_events WHERE company_id = OLD.id;
    DELETE FROM outbox_history WHERE company_id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER companies_delete_logs AFTER DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION companies_delete_logs();

-- +goose Down
DROP TRIGGER companies_delete_logs ON companies;
DROP FUNCTION companies_delete_logs();
DELETE FROM outbox_history h WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = h.company_id);
DELETE FROM centrex_events e WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = e.company_id);
ALTER TABLE outbox_history ADD CONSTRAINT outbox_history_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
ALTER TABLE centrex_events ADD CONSTRAINT centrex_events_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
ALTER TABLE calls ADD CONSTRAINT calls_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
