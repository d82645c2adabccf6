-- Webhook hardening: deliveries are retried by a delivery worker at a recorded time
-- (next_attempt_at), can be cancelled (the webhook was switched off), and can be refused (the
-- receiver's address is not allowed).

ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_status_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
    CHECK (status IN ('pending', 'delivered', 'rejected', 'gave_up', 'refused', 'cancelled'));
ALTER TABLE webhook_deliveries ADD COLUMN next_attempt_at BIGINT;
DROP INDEX IF EXISTS webhook_deliveries_status;
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
