-- The outbox holds only undelivered work (issue 10): a delivered
-- notification moves, in the statement that records its delivery, to
-- outbox_history, so the claim ("is an earlier notification of this call
-- still undelivered?") and the queue's indexes stay the size of the pending
-- work however much history there is. History is partitioned by the UTC day
-- of delivery (outbox_history_pYYYYMMDD, created by the gateway ahead of
-- time and on demand), so retention drops whole days instead of deleting
-- rows. A history row keeps the outbox row's id, call id and sequence; it
-- references its company (deleting a company deletes its history) but not
-- its call: recording a delivery does not lock the call's row, and history
-- is pruned (30 days) long before calls (90 days).

-- +goose Up
CREATE TABLE outbox_history (
    id           bigint      NOT NULL,
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id      bigint,
    call_key     text        NOT NULL,
    seq          integer     NOT NULL,
    kind         text        NOT NULL,
    payload      jsonb       NOT NULL,
    attempts     integer     NOT NULL,
    created_at   timestamptz NOT NULL,
    delivered_at timestamptz NOT NULL
) PARTITION BY RANGE (delivered_at);
-- The connection panel's last delivery, and the company's latest rows.
CREATE INDEX outbox_history_company_idx ON outbox_history (company_id, delivered_at DESC);
-- The activity page's notifications of its calls.
CREATE INDEX outbox_history_call_idx ON outbox_history (call_id);
-- A call's next sequence number, and whether a parked row was superseded.
CREATE INDEX outbox_history_call_seq_idx ON outbox_history (company_id, call_key, seq);
-- The activity page's click-to-dial errors without a call row.
CREATE INDEX outbox_history_dial_errors_idx ON outbox_history (company_id, id DESC)
    WHERE kind = 'clicktodialerror' AND call_id IS NULL;

-- Move the delivered rows, one partition per day that has some.
-- +goose StatementBegin
DO $$
DECLARE
    d date;
BEGIN
    FOR d IN SELECT DISTINCT (coalesce(delivered_at, created_at) AT TIME ZONE 'UTC')::date FROM outbox WHERE status = 'delivered'
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF outbox_history FOR VALUES FROM (%L) TO (%L)',
            'outbox_history_p' || to_char(d, 'YYYYMMDD'),
            (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
    END LOOP;
END
$$;
-- +goose StatementEnd

INSERT INTO outbox_history (id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at, delivered_at)
    SELECT id, company_id, call_id, call_key, seq, kind, payload, attempts, created_at, coalesce(delivered_at, created_at)
    FROM outbox WHERE status = 'delivered';
DELETE FROM outbox WHERE status = 'delivered';

-- Nothing delivered stays in the queue.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'parked'));

-- +goose Down
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'delivered', 'parked'));
INSERT INTO outbox (id, company_id, call_id, call_key, seq, kind, payload, status, attempts, next_attempt_at, created_at, delivered_at)
    OVERRIDING SYSTEM VALUE
    SELECT h.id, h.company_id, c.id, h.call_key, h.seq, h.kind, h.payload, 'delivered', h.attempts, h.delivered_at, h.created_at, h.delivered_at
    FROM outbox_history h LEFT JOIN calls c ON c.id = h.call_id
    ON CONFLICT DO NOTHING;
DROP TABLE outbox_history;
