-- Closed calls are kept for the activity page for a while, then deleted by
-- the janitor (their delivered notifications go earlier): an index on when
-- they closed keeps that delete from scanning the table.

-- +goose Up
CREATE INDEX calls_closed_idx ON calls (closed_at) WHERE NOT open;

-- +goose Down
DROP INDEX calls_closed_idx;
