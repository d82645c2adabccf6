-- Events of state changes (mentions, status changes, role agreements, disputes) wait in an
-- outbox until the scheduler has turned them into notifications. A row is written in the same
-- transaction as the change and its audit entry, so a crash between the commit and the
-- delivery loses nothing; the notification's unique key (event:AUDIT_ID) keeps a retry from
-- sending anything twice.

CREATE TABLE event_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id      BIGINT  NOT NULL UNIQUE REFERENCES audit_log(id),
    action        TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
    attempts      BIGINT  NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT  NOT NULL,
    done_at       BIGINT
);
CREATE INDEX event_outbox_pending ON event_outbox (status, id);

-- People following a draft or a milestone: they are told of its status changes.
CREATE TABLE follows (
    person_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject_kind  TEXT    NOT NULL CHECK (subject_kind IN ('draft', 'milestone')),
    subject_id    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (person_id, subject_kind, subject_id)
);
CREATE INDEX follows_subject ON follows (subject_kind, subject_id);
