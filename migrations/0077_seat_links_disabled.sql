-- The seats page asks on every view whether a switched-off link of a
-- present seat exists (the "restore" banner): from this index, through the
-- company's switched-off links only (store.seatsOverviewSQL).

-- +goose Up
CREATE INDEX seat_links_disabled_idx ON seat_links (company_id) WHERE NOT enabled;

-- +goose Down
DROP INDEX seat_links_disabled_idx;
