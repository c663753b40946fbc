-- The delivery figures shown on every view of the Zoho page must not scan a
-- company's month of delivered notifications: the waiting and stopped rows,
-- and the rows that failed at least once, get their own small indexes.

-- +goose Up
CREATE INDEX outbox_company_undelivered_idx ON outbox (company_id) WHERE status <> 'delivered';
CREATE INDEX outbox_company_errors_idx ON outbox (company_id, id DESC) WHERE last_error <> '';

-- +goose Down
DROP INDEX outbox_company_errors_idx;
DROP INDEX outbox_company_undelivered_idx;
