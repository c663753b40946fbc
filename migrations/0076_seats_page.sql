-- The seats page in one statement (issue 10).
--
-- sessions.admin_id is the administrator a portal session belongs to, kept
-- beside the session's data by the portal's session store, so that one
-- statement can read a session together with its administrator, company
-- and the page's figures. NULL: a session without a login (or one written
-- before this migration, until it is next saved).
--
-- seat_table_versions counts the changes of each company's "Usuarios
-- Conecta - Zoho" table: any insert, delete, or change of a column the
-- table shows, in seats or seat_links, bumps it in the same transaction
-- (statement-level triggers, one bump per statement and company). A copy of
-- the table held in memory is current exactly while its version is the
-- row's, on every instance.

-- +goose Up
ALTER TABLE sessions ADD COLUMN admin_id bigint;

CREATE TABLE seat_table_versions (
    company_id bigint PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    version    bigint NOT NULL DEFAULT 1
);

-- +goose StatementBegin
CREATE FUNCTION seat_table_bump(companies bigint[]) RETURNS void
    LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO seat_table_versions AS v (company_id)
    SELECT DISTINCT c FROM unnest(companies) c
    WHERE EXISTS (SELECT 1 FROM companies WHERE id = c)
    ORDER BY c
    ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION seat_table_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM seat_table_bump(ARRAY(SELECT company_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM seat_table_bump(ARRAY(SELECT company_id FROM old_rows));
    ELSIF TG_TABLE_NAME = 'seats' THEN
        PERFORM seat_table_bump(ARRAY(
            SELECT n.company_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.company_id, o.user_id, o.number, o.gone_at IS NULL)
                IS DISTINCT FROM (n.company_id, n.user_id, n.number, n.gone_at IS NULL)));
    ELSE
        PERFORM seat_table_bump(ARRAY(
            SELECT n.company_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.company_id, o.seat_id, o.zoho_user_id, o.zoho_email, o.zoho_name, o.enabled)
                IS DISTINCT FROM (n.company_id, n.seat_id, n.zoho_user_id, n.zoho_email, n.zoho_name, n.enabled)));
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER seats_table_insert AFTER INSERT ON seats REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();
CREATE TRIGGER seats_table_update AFTER UPDATE ON seats REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();
CREATE TRIGGER seats_table_delete AFTER DELETE ON seats REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();
CREATE TRIGGER seat_links_table_insert AFTER INSERT ON seat_links REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();
CREATE TRIGGER seat_links_table_update AFTER UPDATE ON seat_links REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();
CREATE TRIGGER seat_links_table_delete AFTER DELETE ON seat_links REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION seat_table_changed();

-- +goose Down
DROP TRIGGER seats_table_insert ON seats;
DROP TRIGGER seats_table_update ON seats;
DROP TRIGGER seats_table_delete ON seats;
DROP TRIGGER seat_links_table_insert ON seat_links;
DROP TRIGGER seat_links_table_update ON seat_links;
DROP TRIGGER seat_links_table_delete ON seat_links;
DROP FUNCTION seat_table_changed();
DROP FUNCTION seat_table_bump(bigint[]);
DROP TABLE seat_table_versions;
ALTER TABLE sessions DROP COLUMN admin_id;
