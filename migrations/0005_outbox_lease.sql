-- Outbox rows are claimed with a lease instead of a lock held while Zoho is
-- called: a delivery's outcome is committed the moment it is known, so a
-- crash can re-send only the rows actually in flight, and a hung Zoho
-- request holds no database connection. A row whose lease expired (its
-- instance died) can be claimed again.

-- +goose Up
ALTER TABLE outbox
    ADD COLUMN lease_owner text,
    ADD COLUMN lease_until timestamptz;

-- +goose Down
ALTER TABLE outbox
    DROP COLUMN lease_owner,
    DROP COLUMN lease_until;
