-- Consent and consultation: endorsement rounds in which a body's member parties answer on one
-- version of a draft (bound to its content hash), the per-body gate on `vastgesteld` and
-- `aangeboden` with the consent record kept at each such step, consultation rounds for invited
-- outside parties (guest accounts limited to that consultation), and the open points of a
-- draft. Moments are BIGINT Unix ms, days TEXT 'YYYY-MM-DD', booleans BIGINT 0/1.

-- A guest account reaches only the consultations it was invited to (docs/DOMAIN.md §16).
ALTER TABLE users ADD COLUMN is_guest BIGINT NOT NULL DEFAULT 0;

-- Per body: whether `vastgesteld` / `aangeboden` require a completed endorsement round.
CREATE TABLE consent_settings (
    body_id                 BIGINT PRIMARY KEY REFERENCES bodies(id) ON DELETE CASCADE,
    require_for_vastgesteld BIGINT NOT NULL DEFAULT 0,
    require_for_aangeboden  BIGINT NOT NULL DEFAULT 0
);

-- One endorsement round on one version. A version with other content supersedes it
-- (`vervangen`, with the round that replaced it); `afgerond` once every party answered.
CREATE TABLE endorsement_rounds (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id                BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    body_id                 BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    version_id              BIGINT  NOT NULL REFERENCES versions(id),
    content_hash            TEXT    NOT NULL,
    status                  TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'afgerond', 'vervangen', 'ingetrokken')),
    require_no_open_points  BIGINT  NOT NULL DEFAULT 0,
    note                    TEXT,
    supersedes_id           BIGINT  REFERENCES endorsement_rounds(id),
    opened_by               BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    opened_at               BIGINT  NOT NULL,
    closed_at               BIGINT
);
CREATE INDEX endorsement_rounds_draft ON endorsement_rounds (draft_id, status);

-- The parties asked in a round. `previous_*` is what a re-asked party answered on the round
-- this one superseded, so it can be shown the comparison with the version it consented to.
CREATE TABLE endorsement_parties (
    round_id             BIGINT NOT NULL REFERENCES endorsement_rounds(id) ON DELETE CASCADE,
    party_id             BIGINT NOT NULL REFERENCES parties(id),
    previous_state       TEXT   CHECK (previous_state IN ('akkoord', 'akkoord_met_voorbehoud', 'niet_akkoord')),
    previous_version_id  BIGINT REFERENCES versions(id),
    PRIMARY KEY (round_id, party_id)
);

-- A party's answer in a round; a later answer supersedes its earlier one (history kept).
CREATE TABLE endorsements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id       BIGINT  NOT NULL REFERENCES endorsement_rounds(id) ON DELETE CASCADE,
    party_id       BIGINT  NOT NULL REFERENCES parties(id),
    state          TEXT    NOT NULL CHECK (state IN ('akkoord', 'akkoord_met_voorbehoud', 'niet_akkoord')),
    reservation    TEXT,
    anchor_quote   TEXT,
    content_hash   TEXT    NOT NULL,
    signed_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    signed_at      BIGINT  NOT NULL,
    dispute_id     BIGINT  REFERENCES disputes(id),
    superseded_at  BIGINT
);
CREATE INDEX endorsements_round ON endorsements (round_id, party_id);

-- The consent state recorded when a draft moved to `vastgesteld` or `aangeboden`, with or
-- without a gate: the round (if any) and every party's answer as JSON, as it stood then.
CREATE TABLE consent_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id     BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version_id   BIGINT  REFERENCES versions(id),
    to_status    TEXT    NOT NULL,
    round_id     BIGINT  REFERENCES endorsement_rounds(id),
    complete     BIGINT  NOT NULL,
    record       TEXT    NOT NULL,
    recorded_at  BIGINT  NOT NULL
);
CREATE INDEX consent_records_version ON consent_records (version_id);

-- A consultation on one version for invited organisations outside the body.
CREATE TABLE consultations (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id          BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    body_id           BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    version_id        BIGINT  NOT NULL REFERENCES versions(id),
    content_hash      TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    question          TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT 'aangekondigd' CHECK (status IN ('aangekondigd', 'open', 'gesloten', 'ingetrokken')),
    opens_on          TEXT,
    closes_on         TEXT    NOT NULL,
    summary_draft_id  BIGINT  REFERENCES drafts(id) ON DELETE SET NULL,
    created_by        BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX consultations_draft ON consultations (draft_id);

-- An invited organisation (a registered party, or one named here) and its contact person,
-- whose (guest) account reaches this consultation. The sign-in link's secret is stored hashed.
CREATE TABLE consultation_invitees (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id  BIGINT  NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    party_id         BIGINT  REFERENCES parties(id),
    organisation     TEXT    NOT NULL,
    user_id          BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    link_hash        TEXT    UNIQUE,
    link_expires_at  BIGINT,
    invited_by       BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    invited_at       BIGINT  NOT NULL,
    UNIQUE (consultation_id, user_id)
);

-- A response per invited organisation; a new one supersedes the earlier (history kept).
CREATE TABLE consultation_responses (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id    BIGINT  NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    invitee_id         BIGINT  NOT NULL REFERENCES consultation_invitees(id) ON DELETE CASCADE,
    text               TEXT    NOT NULL,
    attachment_name    TEXT,
    attachment_type    TEXT,
    attachment         BLOB,
    attachment_sha256  TEXT,
    submitted_by       BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    submitted_at       BIGINT  NOT NULL,
    superseded_at      BIGINT
);
CREATE INDEX consultation_responses_round ON consultation_responses (consultation_id, invitee_id);

-- Comments of a response, each optionally anchored to a passage quoted from the version.
CREATE TABLE consultation_comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id  BIGINT NOT NULL REFERENCES consultation_responses(id) ON DELETE CASCADE,
    quote        TEXT,
    body         TEXT   NOT NULL,
    position     BIGINT NOT NULL
);

-- Open points of a draft: typed comments, markers found in the text (offered first as
-- `voorgesteld`) and points added by hand. `marker_key` keeps a detected marker from being
-- offered twice.
CREATE TABLE open_points (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id        BIGINT  NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('pm', 'nb', 'bespreekpunt', 'datum')),
    text            TEXT    NOT NULL,
    quote           TEXT,
    source          TEXT    NOT NULL CHECK (source IN ('comment', 'marker', 'manual')),
    comment_id      BIGINT  REFERENCES comments(id) ON DELETE SET NULL,
    marker_key      TEXT,
    owner_user_id   BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    owner_party_id  BIGINT  REFERENCES parties(id),
    due             TEXT,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('voorgesteld', 'open', 'gesloten', 'afgewezen')),
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    closed_by       BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    closed_at       BIGINT,
    closed_note     TEXT,
    UNIQUE (draft_id, marker_key)
);
CREATE INDEX open_points_draft ON open_points (draft_id, status);
