-- Frozen progress reports and the public progress page. A report is the content JSON of one
-- period and scope (one body, or the programme when body_id is NULL), its SHA-256, the report
-- of the same scope it follows, and who froze it when; it is never changed afterwards. A body's
-- public page is opt-in; only the milestones and action lines marked public appear on it.
-- Moments are BIGINT Unix ms, booleans BIGINT 0/1.

CREATE TABLE progress_reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id       BIGINT  REFERENCES bodies(id) ON DELETE CASCADE,
    period        TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    previous_id   BIGINT  REFERENCES progress_reports(id),
    frozen_by     BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    frozen_at     BIGINT  NOT NULL
);
CREATE INDEX progress_reports_scope ON progress_reports (body_id, id);

CREATE TABLE public_pages (
    body_id     BIGINT  PRIMARY KEY REFERENCES bodies(id) ON DELETE CASCADE,
    slug        TEXT    NOT NULL UNIQUE,
    enabled     BIGINT  NOT NULL DEFAULT 0,
    intro       TEXT    NOT NULL DEFAULT '',
    updated_by  BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    updated_at  BIGINT  NOT NULL
);

-- kind 'milestone' or 'action_line'; item_id is the milestone's or action line's id.
CREATE TABLE public_marks (
    body_id  BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL CHECK (kind IN ('milestone', 'action_line')),
    item_id  BIGINT  NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX public_marks_body ON public_marks (body_id);
