-- The telephony bridge (issue 5): each company's Xsi-Events subscription,
-- the calls of linked seats with their per-call state, the Centrex events
-- already processed, and the outbox of PhoneBridge notifications.

-- +goose Up
-- The language of Zoho-facing texts (clicktodialerror messages).
ALTER TABLE companies ADD COLUMN language text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en'));

-- One group subscription to "Advanced Call" per company. The HTTP contact
-- URL carries an unguessable token: token_hash (SHA-256) finds the company,
-- token_sealed (SECRET_KEY, context "centrex-events:<company id>") rebuilds
-- the URL when the subscription is re-created. lease_owner/lease_until name
-- the one gateway instance allowed to subscribe and renew.
CREATE TABLE centrex_subscriptions (
    company_id      bigint      PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    token_hash      bytea       NOT NULL CHECK (length(token_hash) = 32),
    token_sealed    bytea       NOT NULL,
    subscription_id text        NOT NULL DEFAULT '',
    renewed_at      timestamptz,
    expires_at      timestamptz,
    lease_owner     text        NOT NULL DEFAULT '',
    lease_until     timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT centrex_subscriptions_token_key UNIQUE (token_hash)
);

-- One seat's call half. state is the callflow.State (jsonb); zoho_call_id
-- is its stable callnotify id (what Zoho echoes as callrefid), unknown until
-- the first event; open is true from the first notification to the
-- terminal one. origin tells a click-to-dial from a call seen in events.
CREATE TABLE calls (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id      bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    seat_id         bigint      NOT NULL,
    zoho_user_id    text        NOT NULL DEFAULT '',
    xsi_call_id     text        NOT NULL CHECK (xsi_call_id <> ''),
    ext_tracking_id text        NOT NULL DEFAULT '',
    zoho_call_id    text,
    origin          text        NOT NULL DEFAULT 'event' CHECK (origin IN ('event', 'clicktodial')),
    state           jsonb       NOT NULL DEFAULT '{}',
    open            boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    FOREIGN KEY (company_id, seat_id) REFERENCES seats (company_id, id) ON DELETE CASCADE,
    CONSTRAINT calls_seat_call_key UNIQUE (company_id, seat_id, xsi_call_id),
    CONSTRAINT calls_zoho_call_key UNIQUE (company_id, zoho_call_id)
);
-- The sweeper's scan and the activity page's recent calls.
CREATE INDEX calls_open_idx ON calls (updated_at) WHERE open;
CREATE INDEX calls_company_recent_idx ON calls (company_id, created_at DESC);

-- Event ids already applied (Xsi redelivers); pruned after a day.
CREATE TABLE centrex_events (
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, event_id)
);
CREATE INDEX centrex_events_received_idx ON centrex_events (received_at);

-- Notifications to send to Zoho, written in the transaction that changed the
-- call. Per call_key (the call's callnotify id) they are delivered strictly
-- in seq order: a row is taken only when every earlier row of its call is
-- delivered.
CREATE TABLE outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id      bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    call_id         bigint      REFERENCES calls (id) ON DELETE SET NULL,
    call_key        text        NOT NULL CHECK (call_key <> ''),
    seq             integer     NOT NULL CHECK (seq > 0),
    kind            text        NOT NULL CHECK (kind IN ('callnotify', 'clicktodialerror')),
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'parked')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CONSTRAINT outbox_call_seq_key UNIQUE (company_id, call_key, seq)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_call_idx ON outbox (call_id);
CREATE INDEX outbox_company_recent_idx ON outbox (company_id, id DESC);

-- +goose Down
DROP TABLE outbox;
DROP TABLE centrex_events;
DROP TABLE calls;
DROP TABLE centrex_subscriptions;
ALTER TABLE companies DROP COLUMN language;
