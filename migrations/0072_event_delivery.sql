-- Call events by HTTP contact or by the streaming event channel (issue 8).
-- centrex_connections.events is the company's choice; a subscription
-- remembers where its events go (delivery: 'http:' and a digest of the
-- contact URL, which holds the event token, or 'channel:<channelSetId>'),
-- so that a change of mode, of PUBLIC_URL or of the instance holding the
-- channel makes the manager subscribe again.

-- +goose Up
ALTER TABLE centrex_connections
    ADD COLUMN events text NOT NULL DEFAULT 'http' CHECK (events IN ('http', 'channel'));

ALTER TABLE centrex_subscriptions
    ADD COLUMN delivery text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE centrex_subscriptions DROP COLUMN delivery;
ALTER TABLE centrex_connections DROP COLUMN events;
