-- A restarted XSP numbers its calls from callhalf-1:0 again, so one seat
-- can have several calls with the same Xsi call id over time: each is a row
-- of its own, told apart by its incarnation (1 for the first call with that
-- id, then 2, 3, …; issue 8). Events go to the latest incarnation; the call
-- use case starts a new one when an event shows a different call.

-- +goose Up
ALTER TABLE calls ADD COLUMN incarnation integer NOT NULL DEFAULT 1 CHECK (incarnation > 0);
ALTER TABLE calls DROP CONSTRAINT calls_seat_call_key;
ALTER TABLE calls ADD CONSTRAINT calls_seat_call_key UNIQUE (company_id, seat_id, xsi_call_id, incarnation);

-- +goose Down
DELETE FROM calls WHERE incarnation > 1;
ALTER TABLE calls DROP CONSTRAINT calls_seat_call_key;
ALTER TABLE calls ADD CONSTRAINT calls_seat_call_key UNIQUE (company_id, seat_id, xsi_call_id);
ALTER TABLE calls DROP COLUMN incarnation;
