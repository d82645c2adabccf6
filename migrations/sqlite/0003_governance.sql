-- Governance tracking: role agreements with per-party sign-offs bound to a version hash,
-- action lines, milestones with fuzzy due dates, their owners, status history, notes and links.
-- Dates are TEXT 'YYYY-MM-DD' (NULL when unknown), timestamps BIGINT Unix ms, booleans BIGINT 0/1.

CREATE TABLE role_agreements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id       BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    draft_id      BIGINT  REFERENCES drafts(id) ON DELETE SET NULL,
    version_hash  TEXT    NOT NULL,
    created_by    BIGINT  REFERENCES users(id),
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX role_agreements_body ON role_agreements (body_id);

-- One role per party per agreement; collectives (e.g. IZA-partijen) may be rows.
CREATE TABLE role_agreement_parties (
    agreement_id  BIGINT NOT NULL REFERENCES role_agreements(id) ON DELETE CASCADE,
    party_id      BIGINT NOT NULL REFERENCES parties(id),
    role          TEXT   NOT NULL CHECK (role IN ('trekker', 'medeverantwoordelijk', 'geconsulteerd', 'geïnformeerd')),
    PRIMARY KEY (agreement_id, party_id)
);

-- Every sign-off ever given. The current one of a party is the row with superseded_at NULL;
-- it is valid only when its version_hash equals the agreement's. A sign-off carried to a new
-- version (the party was not affected by a role change) is a new row with carried_from set.
CREATE TABLE sign_offs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id       BIGINT  NOT NULL REFERENCES role_agreements(id) ON DELETE CASCADE,
    party_id           BIGINT  NOT NULL REFERENCES parties(id),
    state              TEXT    NOT NULL CHECK (state IN ('akkoord', 'akkoord_met_voorbehoud', 'niet_akkoord')),
    reservation        TEXT,
    version_hash       TEXT    NOT NULL,
    signed_by          BIGINT  REFERENCES users(id),
    signed_at          BIGINT  NOT NULL,
    carried_from       BIGINT  REFERENCES sign_offs(id),
    dispute_id         BIGINT,
    superseded_at      BIGINT,
    superseded_reason  TEXT    CHECK (superseded_reason IN ('replaced', 'carried', 'reopened'))
);
CREATE INDEX sign_offs_agreement ON sign_offs (agreement_id, party_id);

CREATE TABLE action_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id      BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    parent_id    BIGINT  REFERENCES action_lines(id),
    number       TEXT,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    natural_key  TEXT    NOT NULL,
    created_by   BIGINT  REFERENCES users(id),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    UNIQUE (body_id, natural_key)
);

CREATE TABLE action_line_parties (
    action_line_id  BIGINT NOT NULL REFERENCES action_lines(id) ON DELETE CASCADE,
    party_id        BIGINT NOT NULL REFERENCES parties(id),
    role            TEXT   NOT NULL CHECK (role IN ('lead', 'contributor')),
    PRIMARY KEY (action_line_id, party_id)
);

-- natural_key: the import key "<action line key or ->/<title slug>[#n]" or "manual/<token>";
-- unique within the body, so re-importing a table updates instead of duplicating.
CREATE TABLE milestones (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id         BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    action_line_id  BIGINT  REFERENCES action_lines(id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    due_raw         TEXT    NOT NULL,
    due_earliest    TEXT,
    due_latest      TEXT,
    due_precision   TEXT    NOT NULL,
    due_uncertain   BIGINT  NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT 'gepland' CHECK (status IN ('gepland', 'op_koers', 'risico', 'te_laat', 'verschoven', 'gereed', 'vervallen')),
    natural_key     TEXT    NOT NULL,
    source_ref      TEXT,
    created_by      BIGINT  REFERENCES users(id),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (body_id, natural_key)
);
CREATE INDEX milestones_due ON milestones (body_id, due_latest);
CREATE INDEX milestones_action_line ON milestones (action_line_id);

CREATE TABLE milestone_parties (
    milestone_id  BIGINT NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    party_id      BIGINT NOT NULL REFERENCES parties(id),
    role          TEXT   NOT NULL CHECK (role IN ('lead', 'contributor')),
    PRIMARY KEY (milestone_id, party_id)
);
CREATE INDEX milestone_parties_party ON milestone_parties (party_id);

-- Status history. For 'verschoven' the new agreed due date (raw + parsed) and the reason are set.
CREATE TABLE milestone_status_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    milestone_id   BIGINT  NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    from_status    TEXT    NOT NULL,
    to_status      TEXT    NOT NULL,
    reason         TEXT,
    agreed_with    TEXT,
    old_due_raw    TEXT,
    new_due_raw    TEXT,
    new_due_earliest TEXT,
    new_due_latest TEXT,
    by_user        BIGINT  REFERENCES users(id),
    at             BIGINT  NOT NULL
);
CREATE INDEX milestone_status_changes_milestone ON milestone_status_changes (milestone_id, id);

CREATE TABLE milestone_notes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    milestone_id  BIGINT  NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    author_id     BIGINT  REFERENCES users(id),
    body          TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX milestone_notes_milestone ON milestone_notes (milestone_id, id);

-- A link to the advice passage (draft, optionally a comment or a text anchor) or a decision text.
CREATE TABLE milestone_links (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    milestone_id   BIGINT  NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    draft_id       BIGINT  REFERENCES drafts(id) ON DELETE CASCADE,
    comment_id     BIGINT  REFERENCES comments(id) ON DELETE SET NULL,
    anchor         TEXT,
    decision_text  TEXT,
    created_by     BIGINT  REFERENCES users(id),
    created_at     BIGINT  NOT NULL
);
CREATE INDEX milestone_links_milestone ON milestone_links (milestone_id);
