-- One lease table for "one gateway instance at a time" per company and
-- kind of background work (the seat sync, the Xsi-Events subscription): a
-- short INSERT … ON CONFLICT takes or extends a lease, so no transaction or
-- advisory lock stays open while the holder talks to the Centrex or Zoho,
-- and a lease whose holder died runs out. The subscription's own lease
-- columns go: the "subscription" lease replaces them.

-- +goose Up
CREATE TABLE leases (
    name       text        NOT NULL CHECK (name <> ''),
    company_id bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    owner      text        NOT NULL CHECK (owner <> ''),
    until      timestamptz NOT NULL,
    PRIMARY KEY (name, company_id)
);

ALTER TABLE centrex_subscriptions
    DROP COLUMN lease_owner,
    DROP COLUMN lease_until;

-- +goose Down
ALTER TABLE centrex_subscriptions
    ADD COLUMN lease_owner text NOT NULL DEFAULT '',
    ADD COLUMN lease_until timestamptz;

DROP TABLE leases;
