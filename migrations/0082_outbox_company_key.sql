-- The outbox's company foreign key goes too (issue 10), as those of the
-- event path's logs did in 0081: under the events bench its check, one
-- query per notification queued (on a table of 50 companies, a scan of
-- them), was still most of the foreign-key checks' share of PostgreSQL's
-- CPU. A notification of a call names its company through its call
-- (call_id -> calls -> seats -> companies, kept); a click-to-dial error's
-- is the company whose request failed. Deleting a company deletes its
-- queued notifications with its logs (companies_delete_logs).

-- +goose Up
ALTER TABLE outbox DROP CONSTRAINT outbox_company_id_fkey;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION companies_delete_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM outbox WHERE company_id = OLD.id;
    DELETE FROM centrex_events WHERE company_id = OLD.id;
    DELETE FROM outbox_history WHERE company_id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION companies_delete_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM centrex_events WHERE company_id = OLD.id;
    DELETE FROM outbox_history WHERE company_id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd
DELETE FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = o.company_id);
ALTER TABLE outbox ADD CONSTRAINT outbox_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies(id) ON DELETE CASCADE;
