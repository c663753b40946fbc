-- The Zoho PhoneBridge integration of each company (guide sections 3 and 5).

-- +goose Up
CREATE TABLE zoho_integrations (
    company_id        bigint      PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    -- disabled: nothing in Zoho, no tokens. enabled: integrated in Zoho.
    -- needs_consent: integrated, but the refresh token died (revoked in
    -- Zoho, evicted by the 20-token cap, ...); the administrator must consent again.
    -- disabling: a disable failed half-way; the portal shows it and offers a retry.
    status            text        NOT NULL DEFAULT 'disabled'
                      CHECK (status IN ('disabled', 'enabled', 'needs_consent', 'disabling')),
    consent_email     text,
    location          text,
    accounts_server   text,
    api_domain        text,
    -- Sealed with SECRET_KEY (internal/secretbox), bound to the company.
    refresh_token     bytea,
    access_token      bytea,
    access_expires_at timestamptz,
    refreshed_at      timestamptz,
    -- The last failure, as an error code the portal translates (no secrets).
    last_error        text,
    enabled_at        timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (status = 'disabled' OR (refresh_token IS NOT NULL AND api_domain IS NOT NULL) OR status = 'disabling')
);

-- +goose Down
DROP TABLE zoho_integrations;
