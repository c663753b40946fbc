-- Captchas are single-use across every instance: the request that first
-- records a captcha's id here is the only one whose answer is evaluated.
-- A row is kept until the captcha itself expires, then deleted by the
-- janitor; an expired captcha is refused before this table is consulted.

-- +goose Up
CREATE TABLE captcha_uses (
    id         text        PRIMARY KEY CHECK (length(id) <= 64),
    expires_at timestamptz NOT NULL
);
CREATE INDEX captcha_uses_expires_idx ON captcha_uses (expires_at);

-- +goose Down
DROP TABLE captcha_uses;
