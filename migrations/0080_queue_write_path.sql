-- Fewer WAL records and less index work per Centrex event (issue 10): an
-- event wrote ~35 WAL records, most of them index entries.
--
-- outbox leaves room on every page (as calls does since 0074), so that a
-- row's new version fits beside the old one: the claim (lease owner, lease
-- end, attempts) changes no indexed column and is then HOT, one WAL record
-- and no index entry instead of one per index. The setting applies to
-- pages written from now on (the queue's pages are soon all new ones).
--
-- A call row counts its notifications (outbox_seq, the latest sequence
-- number), so that queueing the next one is a plain insert after the
-- count, instead of a search of the queue and of the history partitions of
-- the call's days for the call's latest number. Rows from before keep NULL
-- and are numbered as before.
--
-- outbox_company_undelivered_idx is gone: since 0075 every row of outbox is
-- undelivered, so the index repeated outbox_company_recent_idx.
--
-- centrex_events is only ever pruned by age: its received_at index is a
-- BRIN, which costs nothing on insert until the range of pages it covers
-- is summarised.

-- +goose Up
ALTER TABLE calls ADD COLUMN outbox_seq integer;
ALTER TABLE calls ALTER COLUMN outbox_seq SET DEFAULT 0;
ALTER TABLE outbox SET (fillfactor = 70);
DROP INDEX outbox_company_undelivered_idx;
DROP INDEX centrex_events_received_idx;
CREATE INDEX centrex_events_received_idx ON centrex_events USING brin (received_at);

-- +goose Down
DROP INDEX centrex_events_received_idx;
CREATE INDEX centrex_events_received_idx ON centrex_events (received_at);
CREATE INDEX outbox_company_undelivered_idx ON outbox (company_id) WHERE status <> 'delivered';
ALTER TABLE outbox RESET (fillfactor);
ALTER TABLE calls DROP COLUMN outbox_seq;
