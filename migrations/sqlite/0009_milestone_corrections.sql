-- A milestone's history holds status changes and corrections: a correction fixes how the due
-- date was recorded (a typo, an import mistake) without a new agreement, and keeps its status.
ALTER TABLE milestone_status_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
