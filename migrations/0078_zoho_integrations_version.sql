-- A company's Zoho integration (its status and tokens) changes its
-- version too, so that the outbox's deliveries can use a cached access
-- token as long as the version they claimed their rows at is the one the
-- token was read at (integration.tokens), and a refresh, a rejection or a
-- disable on any instance is seen by the next claim.

-- +goose Up
CREATE TRIGGER zoho_integrations_version AFTER INSERT OR UPDATE OR DELETE ON zoho_integrations
    FOR EACH ROW EXECUTE FUNCTION bump_company_version();

-- +goose Down
DROP TRIGGER zoho_integrations_version ON zoho_integrations;
