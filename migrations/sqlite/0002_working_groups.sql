-- Parties, people's party, bodies and memberships, advice drafts with their status history,
-- versions, comments, attribution of edits, and the hash-chained audit log.

CREATE TABLE parties (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    colour        TEXT    NOT NULL,
    is_collective BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE party_aliases (
    alias     TEXT   PRIMARY KEY,
    party_id  BIGINT NOT NULL REFERENCES parties(id) ON DELETE CASCADE
);

CREATE TABLE collective_members (
    collective_id BIGINT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    member_id     BIGINT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    PRIMARY KEY (collective_id, member_id)
);

ALTER TABLE users ADD COLUMN party_id BIGINT REFERENCES parties(id);

CREATE TABLE bodies (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('working_group', 'sub_group', 'theme_table', 'directors_day', 'bo_iza', 'minister')),
    ladder_level  BIGINT  NOT NULL,
    parent_id     BIGINT  REFERENCES bodies(id),
    created_at    BIGINT  NOT NULL
);

CREATE TABLE body_parties (
    body_id       BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    party_id      BIGINT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    participation TEXT   NOT NULL CHECK (participation IN ('member', 'informed')),
    PRIMARY KEY (body_id, party_id)
);

CREATE TABLE memberships (
    body_id        BIGINT NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role           TEXT   NOT NULL CHECK (role IN ('chair', 'secretariat', 'member', 'observer')),
    holds_mandate  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (body_id, user_id)
);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id     BIGINT  NOT NULL REFERENCES bodies(id),
    doc_id      TEXT    NOT NULL UNIQUE REFERENCES documents(id),
    title       TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'concept',
    template    TEXT    NOT NULL DEFAULT '{}',
    created_by  BIGINT  NOT NULL REFERENCES users(id),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id      BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    state         BLOB    NOT NULL,
    content_hash  TEXT    NOT NULL,
    created_by    BIGINT  REFERENCES users(id),
    created_at    BIGINT  NOT NULL
);

CREATE TABLE draft_transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id     BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    by_user      BIGINT  NOT NULL REFERENCES users(id),
    note         TEXT,
    version_id   BIGINT  REFERENCES versions(id),
    at           BIGINT  NOT NULL
);

CREATE TABLE doc_clients (
    doc_id     TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    client_id  BIGINT  NOT NULL,
    user_id    BIGINT  REFERENCES users(id),
    label      TEXT    NOT NULL,
    PRIMARY KEY (doc_id, client_id)
);

CREATE TABLE doc_deletions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id       TEXT    NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    client_id    BIGINT  NOT NULL,
    clock_start  BIGINT  NOT NULL,
    clock_end    BIGINT  NOT NULL,
    user_id      BIGINT  REFERENCES users(id),
    label        TEXT    NOT NULL
);
CREATE INDEX doc_deletions_lookup ON doc_deletions (doc_id, client_id, clock_start);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id      BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    thread_id     BIGINT  REFERENCES comments(id),
    author_id     BIGINT  NOT NULL REFERENCES users(id),
    body          TEXT    NOT NULL,
    anchor_start  TEXT,
    anchor_end    TEXT,
    quote         TEXT,
    resolved_at   BIGINT,
    resolved_by   BIGINT  REFERENCES users(id),
    created_at    BIGINT  NOT NULL
);

CREATE TABLE comment_mentions (
    comment_id  BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id     BIGINT REFERENCES users(id),
    party_id    BIGINT REFERENCES parties(id)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    actor_party TEXT,
    action      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
