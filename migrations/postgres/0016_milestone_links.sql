-- Links between milestones and recurring duties, for the programme monitor.
-- Days are TEXT 'YYYY-MM-DD', moments BIGINT Unix ms.

-- A recurring duty ("elk kwartaal", "jaarlijks twee handleidingen"): every `every` months (or
-- weeks, `unit`) from `anchor`, until `until` (NULL: open-ended, generated 12 months ahead).
-- Its occurrences are ordinary milestones with `recurrence_id` set and `occurrence_on` the day.
CREATE TABLE milestone_recurrences (
    id              BIGSERIAL PRIMARY KEY,
    body_id         BIGINT  NOT NULL REFERENCES bodies(id) ON DELETE CASCADE,
    rule_text       TEXT    NOT NULL,
    unit            TEXT    NOT NULL CHECK (unit IN ('month', 'week')),
    every           BIGINT  NOT NULL CHECK (every > 0),
    anchor          TEXT    NOT NULL,
    until           TEXT,
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX milestone_recurrences_body ON milestone_recurrences (body_id);

-- An optional start ("Q1 2026", parsed like the due date); without one the monitor's span
-- starts at the predecessor's deadline or the creation day.
ALTER TABLE milestones ADD COLUMN start_raw TEXT;
ALTER TABLE milestones ADD COLUMN start_earliest TEXT;
-- "volgt na": the due date derives from the predecessor's deadline plus `lag_days`.
ALTER TABLE milestones ADD COLUMN follows_milestone_id BIGINT REFERENCES milestones(id) ON DELETE SET NULL;
ALTER TABLE milestones ADD COLUMN lag_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE milestones ADD COLUMN recurrence_id BIGINT REFERENCES milestone_recurrences(id) ON DELETE SET NULL;
ALTER TABLE milestones ADD COLUMN occurrence_on TEXT;
CREATE INDEX milestones_follows ON milestones (follows_milestone_id);
CREATE UNIQUE INDEX milestones_occurrence ON milestones (recurrence_id, occurrence_on);

-- An action line may follow another: its milestones are flagged while one of the
-- predecessor line's milestones is late.
ALTER TABLE action_lines ADD COLUMN follows_action_line_id BIGINT REFERENCES action_lines(id) ON DELETE SET NULL;
