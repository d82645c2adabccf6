-- Webhook hardening: deliveries are retried by a delivery worker at a recorded time
-- (next_attempt_at), can be cancelled (the webhook was switched off), and can be refused (the
-- receiver's address is not allowed).
--
-- SQLite cannot change a CHECK constraint in place, so webhook_deliveries is rebuilt. Its
-- attempts are set aside first, so that dropping the old table cascades into nothing.

CREATE TABLE webhook_attempts_keep AS SELECT * FROM webhook_attempts;
DROP TABLE webhook_attempts;

CREATE TABLE webhook_deliveries_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        BIGINT  NOT NULL REFERENCES notification_events(id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'rejected', 'gave_up', 'refused', 'cancelled')),
    locked_until    BIGINT,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_status     BIGINT,
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    next_attempt_at BIGINT,
    UNIQUE (webhook_id, event_id)
);
INSERT INTO webhook_deliveries_new
    (id, webhook_id, event_id, status, locked_until, attempts, last_status, created_at, finished_at)
    SELECT id, webhook_id, event_id, status, locked_until, attempts, last_status, created_at, finished_at
    FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  BIGINT  NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      BIGINT  NOT NULL,
    status       BIGINT,
    error        TEXT,
    at           BIGINT  NOT NULL
);
INSERT INTO webhook_attempts (id, delivery_id, attempt, status, error, at)
    SELECT id, delivery_id, attempt, status, error, at FROM webhook_attempts_keep;
DROP TABLE webhook_attempts_keep;
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
