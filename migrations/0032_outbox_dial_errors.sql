-- The activity page lists a company's latest click-to-dial errors that have
-- no call row (the Centrex refused the call outright); among a month of
-- notifications they are few, so they get an index of their own.

-- +goose Up
CREATE INDEX outbox_dial_errors_idx ON outbox (company_id, id DESC) WHERE kind = 'clicktodialerror' AND call_id IS NULL;

-- +goose Down
DROP INDEX outbox_dial_errors_idx;
