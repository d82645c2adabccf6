//! Webhook delivery: every pending delivery is signed and posted by
//! [`crate::notify::WebhookSender`] (HMAC-SHA256, retries with backoff); each attempt goes to
//! the delivery log. The delivery id is derived from the row (`polder-delivery-{id}`), so a
//! receiver can recognise a redelivery.

use secrecy::SecretString;
use serde_json::json;

use super::clock::Timestamp;
use super::{Report, Scheduler, BATCH, LEASE_MS};
use crate::notify::{DeliveryOutcome, WebhookEndpoint};
use crate::storage::escalation::webhooks::AttemptLog;

/// Sends every pending webhook delivery.
pub async fn deliver(scheduler: &Scheduler, now: Timestamp, report: &mut Report) {
    let Some(sender) = scheduler.webhooks.clone() else {
        return;
    };
    let db = &scheduler.db;
    let now_ms = now.timestamp_millis();
    let deliveries = match db.claim_deliveries(now_ms, now_ms + LEASE_MS, BATCH).await {
        Ok(deliveries) => deliveries,
        Err(error) => {
            tracing::error!(%error, "claiming webhook deliveries failed");
            report.errors += 1;
            return;
        }
    };
    for delivery in deliveries {
        let endpoint = WebhookEndpoint {
            url: delivery.url.clone(),
            secret: SecretString::from(delivery.secret.clone()),
        };
        let payload = json!({
            "event": delivery.event_key,
            "body_id": delivery.body_id,
            "created_at": delivery.created_at,
            "notification": delivery.payload,
        });
        let delivery_id = format!("polder-delivery-{}", delivery.id);
        let mut attempts = Vec::new();
        let result = sender
            .send(&endpoint, &delivery_id, &payload, |attempt| {
                attempts.push(AttemptLog {
                    attempt: i64::from(attempt.attempt),
                    status: attempt.status.map(i64::from),
                    error: attempt.error.clone(),
                    at: attempt.at.timestamp_millis(),
                });
            })
            .await;
        let status = match result {
            Ok(delivery_report) => match delivery_report.outcome {
                DeliveryOutcome::Delivered { .. } => {
                    report.webhooks_delivered += 1;
                    "delivered"
                }
                DeliveryOutcome::Rejected { .. } => {
                    report.webhooks_failed += 1;
                    "rejected"
                }
                _ => {
                    report.webhooks_failed += 1;
                    "gave_up"
                }
            },
            Err(error) => {
                tracing::warn!(%error, "webhook cannot be sent");
                report.webhooks_failed += 1;
                "rejected"
            }
        };
        if let Err(error) = db
            .finish_delivery(delivery.id, status, &attempts, now_ms)
            .await
        {
            tracing::error!(%error, "cannot record webhook delivery");
            report.errors += 1;
        }
    }
}
