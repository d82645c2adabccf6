-- Core tables: people who sign in, their tokens and sessions, documents, their update log and snapshots.
-- Timestamps are Unix milliseconds (BIGINT), so the same queries run on SQLite and PostgreSQL.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_admin      BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    scope       TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    user_id     BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);

CREATE TABLE documents (
    id          TEXT    PRIMARY KEY,
    created_by  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE document_members (
    doc_id      TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('reader', 'writer')),
    PRIMARY KEY (doc_id, user_id)
);

CREATE TABLE doc_updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    data        BLOB    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX doc_updates_doc_id ON doc_updates (doc_id, id);

CREATE TABLE doc_snapshots (
    doc_id      TEXT    PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    data        BLOB    NOT NULL,
    upto_id     BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
