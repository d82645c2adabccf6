-- The access epoch: one counter raised by the database whenever something changes that decides
-- who may keep an open socket (memberships, document grants, tokens, sessions, passwords,
-- administrator flags, the body of a draft). Servers poll it and re-authorise their sockets.

CREATE TABLE access_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);
INSERT INTO access_epoch (id, value) VALUES (1, 0);

CREATE FUNCTION bump_access_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_epoch SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER access_epoch_memberships AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
CREATE TRIGGER access_epoch_grants AFTER INSERT OR UPDATE OR DELETE ON document_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
CREATE TRIGGER access_epoch_tokens AFTER UPDATE OF revoked_at, scope, user_id OR DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
CREATE TRIGGER access_epoch_sessions AFTER UPDATE OF user_id OR DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
CREATE TRIGGER access_epoch_users AFTER UPDATE OF password_hash, is_admin OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
CREATE TRIGGER access_epoch_drafts AFTER UPDATE OF body_id, doc_id OR DELETE ON drafts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch();
