-- The activation dialog searches every Zoho user of a company by name or
-- e-mail, ignoring case and accents: "martin" finds "Miguel Martín Buil",
-- "nunez" finds "Núñez". search_fold is that comparison's normal form
-- (unaccent, then lower case under the ICU root collation); one trigram
-- index over the folded "name email" serves substring searches of any word
-- of either. unaccent is a trusted extension of PostgreSQL's contrib, like
-- pg_trgm.
--
-- The function is declared IMMUTABLE so it can be indexed. unaccent() itself
-- is only STABLE because its dictionary could be changed; the body names the
-- dictionary explicitly and is parsed once here (a SQL-standard body), so it
-- does not depend on search_path.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

-- +goose StatementBegin
CREATE FUNCTION search_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(unaccent('unaccent'::regdictionary, t) COLLATE "und-x-icu");
-- +goose StatementEnd

CREATE INDEX zoho_users_fold_trgm_idx ON zoho_users USING gin (search_fold(name || ' ' || email) gin_trgm_ops)
    WITH (fastupdate = off);
-- The ILIKE search these served is replaced by the folded one.
DROP INDEX zoho_users_name_trgm_idx;
DROP INDEX zoho_users_email_trgm_idx;

-- +goose Down
CREATE INDEX zoho_users_name_trgm_idx ON zoho_users USING gin (name gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX zoho_users_email_trgm_idx ON zoho_users USING gin (email gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX zoho_users_fold_trgm_idx;
DROP FUNCTION search_fold(text);
