-- Disputes and their escalation ladder, notifications (inbox, e-mail, webhooks, calendar feeds)
-- and the durable scheduler. Timestamps BIGINT Unix ms, booleans BIGINT 0/1, dates TEXT
-- 'YYYY-MM-DD'. Every delivery carries a unique key so that nothing is sent twice.

-- The escalation ladder of a working group: level 0 is the working group itself.
CREATE TABLE escalation_levels (
    body_id        BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    level          BIGINT  NOT NULL,
    name           TEXT    NOT NULL,
    forum_body_id  BIGINT  REFERENCES bodies(id) ON DELETE SET NULL,
    response_days  BIGINT  NOT NULL,
    PRIMARY KEY (body_id, level)
);

-- Per-body escalation settings; absent rows mean the defaults.
CREATE TABLE escalation_settings (
    body_id              BIGINT PRIMARY KEY REFERENCES bodies(id) ON DELETE CASCADE,
    overdue_margin_days  BIGINT NOT NULL,
    auto_dispute         BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE disputes (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id           BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    subject_kind      TEXT    NOT NULL CHECK (subject_kind IN ('draft_passage', 'role_agreement', 'milestone')),
    subject_id        BIGINT  NOT NULL,
    passage           TEXT,
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    raised_by_party   BIGINT  NOT NULL REFERENCES parties(id),
    raised_by_person  BIGINT  REFERENCES users(id),
    status            TEXT    NOT NULL CHECK (status IN ('in_behandeling', 'geescaleerd', 'besloten', 'ingetrokken')),
    level             BIGINT  NOT NULL,
    level_since       BIGINT  NOT NULL,
    respond_by        TEXT    NOT NULL,
    decision          TEXT,
    closed_by         BIGINT  REFERENCES users(id),
    closed_at         BIGINT,
    origin_key        TEXT    UNIQUE,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX disputes_body ON disputes (body_id, status);

CREATE TABLE dispute_parties (
    dispute_id  BIGINT NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    party_id    BIGINT NOT NULL REFERENCES parties(id),
    PRIMARY KEY (dispute_id, party_id)
);

-- Every position ever stated; a party's current position is its latest at the current level.
CREATE TABLE dispute_positions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id    BIGINT  NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    party_id      BIGINT  NOT NULL REFERENCES parties(id),
    level         BIGINT  NOT NULL,
    body          TEXT    NOT NULL,
    stated_by     BIGINT  REFERENCES users(id),
    with_mandate  BIGINT  NOT NULL DEFAULT 0,
    stated_at     BIGINT  NOT NULL
);
CREATE INDEX dispute_positions_dispute ON dispute_positions (dispute_id, party_id, level);

CREATE TABLE dispute_options (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id   BIGINT  NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    party_id     BIGINT  REFERENCES parties(id),
    proposed_by  BIGINT  REFERENCES users(id),
    created_at   BIGINT  NOT NULL
);

CREATE TABLE dispute_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id  BIGINT  NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    author_id   BIGINT  REFERENCES users(id),
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

-- The dispute's history: raised, position, option, escalated, resolved, withdrawn.
CREATE TABLE dispute_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id  BIGINT  NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    level       BIGINT  NOT NULL,
    actor_id    BIGINT  REFERENCES users(id),
    actor       TEXT    NOT NULL,
    note        TEXT,
    at          BIGINT  NOT NULL
);
CREATE INDEX dispute_events_dispute ON dispute_events (dispute_id, id);

-- Durable scheduler jobs: planned from the current state, run once when due.
CREATE TABLE scheduler_jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    job_key       TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL,
    subject_kind  TEXT    NOT NULL,
    subject_id    BIGINT  NOT NULL,
    series        TEXT    NOT NULL,
    payload       TEXT    NOT NULL DEFAULT '{}',
    due_at        BIGINT  NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'superseded', 'cancelled')),
    locked_until  BIGINT,
    done_at       BIGINT,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX scheduler_jobs_due ON scheduler_jobs (status, due_at);
CREATE INDEX scheduler_jobs_subject ON scheduler_jobs (subject_kind, subject_id, kind);

-- One notification, addressed to a party or a person; the key makes it unique.
CREATE TABLE notification_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key    TEXT    NOT NULL UNIQUE,
    body_id      BIGINT  REFERENCES bodies(id) ON DELETE CASCADE,
    party_id     BIGINT  REFERENCES parties(id),
    person_id    BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    subject_ref  TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX notification_events_subject ON notification_events (subject_ref);

-- The in-app inbox, with each person's e-mail delivery state.
CREATE TABLE inbox_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       BIGINT  NOT NULL REFERENCES notification_events(id) ON DELETE CASCADE,
    person_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     BIGINT  NOT NULL,
    read_at        BIGINT,
    email_status   TEXT    NOT NULL CHECK (email_status IN ('none', 'pending', 'digest', 'sent', 'failed')),
    email_attempts BIGINT  NOT NULL DEFAULT 0,
    email_locked   BIGINT,
    email_sent_at  BIGINT,
    UNIQUE (event_id, person_id)
);
CREATE INDEX inbox_items_person ON inbox_items (person_id, id);
CREATE INDEX inbox_items_email ON inbox_items (email_status);

-- One daily digest per person and day.
CREATE TABLE email_digests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    digest_date  TEXT    NOT NULL,
    items        BIGINT  NOT NULL,
    sent_at      BIGINT  NOT NULL,
    UNIQUE (person_id, digest_date)
);

CREATE TABLE notification_settings (
    person_id  BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT   NOT NULL CHECK (email IN ('immediate', 'daily_digest', 'off')),
    language   TEXT   NOT NULL CHECK (language IN ('nl', 'en'))
);

-- Calendar feeds at secret URLs; only the secret's hash is stored.
CREATE TABLE calendar_feeds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_hash  TEXT    NOT NULL UNIQUE,
    person_id    BIGINT  REFERENCES users(id) ON DELETE CASCADE,
    party_id     BIGINT  REFERENCES parties(id) ON DELETE CASCADE,
    created_by   BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT  NOT NULL,
    revoked_at   BIGINT
);

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id     BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    active      BIGINT  NOT NULL DEFAULT 1,
    created_by  BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   BIGINT  NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id     BIGINT  NOT NULL REFERENCES notification_events(id) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'rejected', 'gave_up')),
    locked_until BIGINT,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    last_status  BIGINT,
    created_at   BIGINT  NOT NULL,
    finished_at  BIGINT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  BIGINT  NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      BIGINT  NOT NULL,
    status       BIGINT,
    error        TEXT,
    at           BIGINT  NOT NULL
);
