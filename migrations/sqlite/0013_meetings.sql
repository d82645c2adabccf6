-- Meetings and decisions: the meeting series a body holds, its meetings with their agendas and
-- the packs sent for them, decision requests put to a body, and the decision register.
-- Moments are BIGINT Unix ms (UTC; shown in Europe/Amsterdam), days TEXT 'YYYY-MM-DD'.

-- A recurring meeting of a body ("IZA-kwartaaloverleg", "BO", "bestuurdersdag"): deadlines can
-- be set relative to it, and the import recognises it by its name or one of its aliases.
CREATE TABLE meeting_series (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id     BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('plenary', 'petit_comite', 'theme_table', 'directors_day', 'bo_iza', 'quarterly', 'bilateral', 'other')),
    created_by  BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (body_id, name)
);

-- Other names of a series, lower-cased as the import compares them ("kwartaaloverleg", "bo").
CREATE TABLE meeting_series_aliases (
    series_id  BIGINT NOT NULL REFERENCES meeting_series(id) ON DELETE CASCADE,
    alias      TEXT   NOT NULL,
    PRIMARY KEY (series_id, alias)
);

-- One meeting. `sequence` is the iCalendar SEQUENCE: raised on every change a calendar must
-- show (time, place, status), so subscribers update the event instead of adding one.
CREATE TABLE meetings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id           BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    series_id         BIGINT  REFERENCES meeting_series(id) ON DELETE SET NULL,
    title             TEXT    NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('plenary', 'petit_comite', 'theme_table', 'directors_day', 'bo_iza', 'quarterly', 'bilateral', 'other')),
    starts_at         BIGINT  NOT NULL,
    ends_at           BIGINT  NOT NULL,
    place             TEXT,
    online_url        TEXT,
    status            TEXT    NOT NULL DEFAULT 'gepland' CHECK (status IN ('gepland', 'voorlopig', 'geannuleerd')),
    sequence          BIGINT  NOT NULL DEFAULT 0,
    minutes_draft_id  BIGINT  REFERENCES drafts(id) ON DELETE SET NULL,
    created_by        BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX meetings_body ON meetings (body_id, starts_at);
CREATE INDEX meetings_series ON meetings (series_id, starts_at);

-- A question put to a body, by a working group (requesting_body_id) or the programme team
-- (requesting_body_id NULL), for a meeting. `options` is a JSON array of strings.
CREATE TABLE decision_requests (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id             BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    requesting_body_id  BIGINT  REFERENCES bodies(id) ON DELETE SET NULL,
    meeting_id          BIGINT  REFERENCES meetings(id) ON DELETE SET NULL,
    title               TEXT    NOT NULL,
    question            TEXT    NOT NULL,
    options             TEXT    NOT NULL DEFAULT '[]',
    asked_of            TEXT    NOT NULL DEFAULT '',
    version_id          BIGINT  REFERENCES versions(id) ON DELETE SET NULL,
    deadline            TEXT,
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'aangehouden', 'besloten', 'ingetrokken')),
    created_by          BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX decision_requests_body ON decision_requests (body_id, status);
CREATE INDEX decision_requests_meeting ON decision_requests (meeting_id);

-- An agenda item: free text, or a link to exactly one version, milestone, dispute or request.
CREATE TABLE agenda_items (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id           BIGINT  NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position             BIGINT  NOT NULL,
    title                TEXT    NOT NULL,
    note                 TEXT    NOT NULL DEFAULT '',
    kind                 TEXT    NOT NULL CHECK (kind IN ('item', 'version', 'milestone', 'dispute', 'decision_request')),
    version_id           BIGINT  REFERENCES versions(id) ON DELETE SET NULL,
    milestone_id         BIGINT  REFERENCES milestones(id) ON DELETE SET NULL,
    dispute_id           BIGINT  REFERENCES disputes(id) ON DELETE SET NULL,
    decision_request_id  BIGINT  REFERENCES decision_requests(id) ON DELETE SET NULL,
    created_at           BIGINT  NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

-- A pack as it was sent: the agenda and its stukken, as one PDF and one DOCX, with hashes.
CREATE TABLE meeting_packs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id   BIGINT  NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    pdf          BLOB    NOT NULL,
    docx         BLOB    NOT NULL,
    pdf_sha256   TEXT    NOT NULL,
    docx_sha256  TEXT    NOT NULL,
    sent_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    sent_at      BIGINT  NOT NULL
);
CREATE INDEX meeting_packs_meeting ON meeting_packs (meeting_id, id);

-- The decision register: every decision of a body, from a decision request's outcome, a draft
-- reaching `besloten`, or a resolved dispute. `audit_id` is the audit entry written with it.
CREATE TABLE decisions (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id              BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    source               TEXT    NOT NULL CHECK (source IN ('decision_request', 'draft', 'dispute')),
    decision_request_id  BIGINT  REFERENCES decision_requests(id) ON DELETE SET NULL,
    draft_id             BIGINT  REFERENCES drafts(id) ON DELETE SET NULL,
    version_id           BIGINT  REFERENCES versions(id) ON DELETE SET NULL,
    dispute_id           BIGINT  REFERENCES disputes(id) ON DELETE SET NULL,
    meeting_id           BIGINT  REFERENCES meetings(id) ON DELETE SET NULL,
    title                TEXT    NOT NULL,
    topic                TEXT,
    outcome              TEXT    NOT NULL CHECK (outcome IN ('akkoord', 'akkoord_onder_voorwaarden', 'niet_akkoord', 'aangehouden', 'besloten')),
    conditions           TEXT,
    rationale            TEXT    NOT NULL DEFAULT '',
    decided_on           TEXT    NOT NULL,
    opened_dispute_id    BIGINT  REFERENCES disputes(id) ON DELETE SET NULL,
    closed_dispute_id    BIGINT  REFERENCES disputes(id) ON DELETE SET NULL,
    recorded_by          BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    recorded_at          BIGINT  NOT NULL,
    audit_id             BIGINT  REFERENCES audit_log(id)
);
CREATE INDEX decisions_body ON decisions (body_id, decided_on);
CREATE INDEX decisions_request ON decisions (decision_request_id);

-- The parties a decision concerns (for the register's party filter).
CREATE TABLE decision_parties (
    decision_id  BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    party_id     BIGINT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, party_id)
);

-- Follow-up milestones a decision created.
CREATE TABLE decision_milestones (
    decision_id   BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    milestone_id  BIGINT NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, milestone_id)
);

-- A milestone due relative to a meeting series ("uiterlijk twee weken voor het
-- IZA-kwartaaloverleg"): `due_rule` is the rule as JSON, `due_meeting_id` the meeting it
-- resolves to now (NULL while none is scheduled), and the due columns hold the resolved day.
ALTER TABLE milestones ADD COLUMN due_series_id BIGINT REFERENCES meeting_series(id) ON DELETE SET NULL;
ALTER TABLE milestones ADD COLUMN due_meeting_id BIGINT REFERENCES meetings(id) ON DELETE SET NULL;
ALTER TABLE milestones ADD COLUMN due_rule TEXT;
