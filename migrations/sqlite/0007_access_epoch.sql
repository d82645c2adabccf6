-- The access epoch: one counter raised by the database whenever something changes that decides
-- who may keep an open socket (memberships, document grants, tokens, sessions, passwords,
-- administrator flags, the body of a draft). Servers poll it and re-authorise their sockets.

CREATE TABLE access_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);
INSERT INTO access_epoch (id, value) VALUES (1, 0);

CREATE TRIGGER access_epoch_memberships_insert AFTER INSERT ON memberships
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_memberships_update AFTER UPDATE ON memberships
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_memberships_delete AFTER DELETE ON memberships
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_epoch_grants_insert AFTER INSERT ON document_members
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_grants_update AFTER UPDATE ON document_members
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_grants_delete AFTER DELETE ON document_members
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_epoch_tokens_update AFTER UPDATE OF revoked_at, scope, user_id ON api_tokens
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_tokens_delete AFTER DELETE ON api_tokens
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_epoch_sessions_update AFTER UPDATE OF user_id ON sessions
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_sessions_delete AFTER DELETE ON sessions
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_epoch_users_update AFTER UPDATE OF password_hash, is_admin ON users
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_users_delete AFTER DELETE ON users
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_epoch_drafts_update AFTER UPDATE OF body_id, doc_id ON drafts
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_epoch_drafts_delete AFTER DELETE ON drafts
BEGIN UPDATE access_epoch SET value = value + 1 WHERE id = 1; END;
