-- Conecta seats and their links to Zoho users (guide section 4): each
-- company's Centrex connection, the seats read from its group directory (or
-- imported), the cached list of its Zoho users, and the seat ↔ Zoho user
-- links behind the "Usuarios Conecta - Zoho" table.

-- +goose Up
-- pg_trgm makes substring search (ILIKE '%x%') indexable. It is a trusted
-- extension shipped with PostgreSQL contrib.
--
-- The search indexes are single-column trigram GIN indexes; the company is
-- a recheck on the few rows they return. Multi-column GIN indexes holding
-- company_id (btree_gin) were measured too: the planner never chose them
-- (their company_id entry is as long as the company), and fell back to
-- filtering every row of the company, 10-30 times slower at 10,000 seats.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- People's names and e-mails use the ICU root collation whatever the
-- database's locale: lower(), ILIKE and ORDER BY then treat "MARTÍN" and
-- "martín" alike and sort "Álvaro" beside "Alvaro", even on a "C" database.
-- (BroadWorks user ids and numbers are ASCII and keep the default.)

-- One Xsi credential per company, set by the operator
-- (gateway company set-centrex). The password is sealed with SECRET_KEY
-- (internal/secretbox, context "centrex-password:<company id>").
CREATE TABLE centrex_connections (
    company_id        bigint      PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    base_url          text        NOT NULL CHECK (base_url ~ '^https?://'),
    user_id           text        NOT NULL CHECK (btrim(user_id) <> ''),
    password_sealed   bytea       NOT NULL,
    group_id          text        NOT NULL CHECK (btrim(group_id) <> ''),
    enterprise_id     text        NOT NULL CHECK (btrim(enterprise_id) <> ''),
    is_enterprise     boolean     NOT NULL DEFAULT true,
    -- The seat through which the group directory is read; '' means user_id.
    directory_user_id text        NOT NULL DEFAULT '',
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- A company's Conecta seats. A seat that left the Centrex keeps its row with
-- gone_at set (its link, if any, stays so the portal can show and clean it).
CREATE TABLE seats (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id  bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id     text        NOT NULL CHECK (btrim(user_id) <> '' AND length(user_id) <= 320),
    number      text        NOT NULL DEFAULT '' CHECK (length(number) <= 64),
    extension   text        NOT NULL DEFAULT '' CHECK (length(extension) <= 64),
    first_name  text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    last_name   text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    email       text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    department  text        NOT NULL DEFAULT '',
    source      text        NOT NULL CHECK (source IN ('directory', 'import')),
    gone_at     timestamptz,
    synced_at   timestamptz NOT NULL,
    CONSTRAINT seats_company_user_key UNIQUE (company_id, user_id),
    -- Target of seat_links' composite foreign key: a link and its seat
    -- always belong to the same company.
    CONSTRAINT seats_company_id_key UNIQUE (company_id, id)
);
-- Sorting the table by number within a company (user_id is covered by
-- seats_company_user_key).
CREATE INDEX seats_company_number_idx ON seats (company_id, number, user_id);
-- Substring search on the "Usuario Conecta" and "Puesto Teléfono" columns.
CREATE INDEX seats_user_id_trgm_idx ON seats USING gin (user_id gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX seats_number_trgm_idx ON seats USING gin (number gin_trgm_ops) WITH (fastupdate = off);
-- Suggested matches by directory e-mail and by "first last" name.
CREATE INDEX seats_company_email_idx ON seats (company_id, lower(email)) WHERE email <> '';
CREATE INDEX seats_company_name_idx ON seats (company_id, lower(first_name || ' ' || last_name));

-- When each company's seats were last synchronised or imported.
CREATE TABLE seat_syncs (
    company_id bigint      PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    source     text        NOT NULL CHECK (source IN ('directory', 'import')),
    synced_at  timestamptz NOT NULL,
    present    integer     NOT NULL,
    gone       integer     NOT NULL
);

-- A company's Zoho users as PhoneBridge `users` listed them last time: the
-- activation dialog's list. Replaced as a whole on every refresh.
CREATE TABLE zoho_users (
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    zoho_user_id text        NOT NULL CHECK (zoho_user_id <> ''),
    email        text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    name         text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    fetched_at   timestamptz NOT NULL,
    PRIMARY KEY (company_id, zoho_user_id)
);
CREATE INDEX zoho_users_name_trgm_idx ON zoho_users USING gin (name gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX zoho_users_email_trgm_idx ON zoho_users USING gin (email gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX zoho_users_company_name_idx ON zoho_users (company_id, lower(name), lower(email));
CREATE INDEX zoho_users_company_email_idx ON zoho_users (company_id, lower(email));

-- The "Zoho users cached at" of the connection panel, also set when the
-- list came back empty.
CREATE TABLE zoho_user_lists (
    company_id bigint      PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    fetched_at timestamptz NOT NULL,
    user_count integer     NOT NULL
);

-- A seat linked to a Zoho user. enabled: click-to-dial and call control are
-- registered in Zoho for that user (the table's ON/OFF). The row stays with
-- enabled = false when the integration is disabled, so the links can be
-- restored. secret_hash is SHA-256 of the per-link secret Zoho presents on
-- click-to-dial; the secret itself is never stored.
CREATE TABLE seat_links (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id   bigint      NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    seat_id      bigint      NOT NULL,
    zoho_user_id text        NOT NULL CHECK (zoho_user_id <> ''),
    zoho_email   text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    zoho_name    text        COLLATE "und-x-icu" NOT NULL DEFAULT '',
    enabled      boolean     NOT NULL DEFAULT false,
    secret_hash  bytea       NOT NULL CHECK (length(secret_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (company_id, seat_id) REFERENCES seats (company_id, id) ON DELETE CASCADE,
    -- A seat is linked to at most one Zoho user, and a Zoho user to at most
    -- one seat.
    CONSTRAINT seat_links_seat_key UNIQUE (company_id, seat_id),
    CONSTRAINT seat_links_zoho_user_key UNIQUE (company_id, zoho_user_id)
);
-- Sorting the table by Zoho login and name within a company.
CREATE INDEX seat_links_company_email_idx ON seat_links (company_id, zoho_email, seat_id);
CREATE INDEX seat_links_company_name_idx ON seat_links (company_id, zoho_name, seat_id);
-- Substring search on the "Login Zoho" and "Nombre Zoho" columns.
CREATE INDEX seat_links_email_trgm_idx ON seat_links USING gin (zoho_email gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX seat_links_name_trgm_idx ON seat_links USING gin (zoho_name gin_trgm_ops) WITH (fastupdate = off);

-- +goose Down
DROP TABLE seat_links;
DROP TABLE zoho_user_lists;
DROP TABLE zoho_users;
DROP TABLE seat_syncs;
DROP TABLE seats;
DROP TABLE centrex_connections;
