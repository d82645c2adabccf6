//! The webhook delivery worker, which runs beside the scheduler and never inside it.
//!
//! The scheduler only *records* deliveries (one durable row per webhook and notification, in
//! the same transaction as the notification). [`WebhookWorker`] claims the ones that are due
//! and posts them concurrently: at most [`WebhookSettings::concurrency`] at once and at most
//! [`WebhookSettings::per_receiver`] per webhook, each attempt bounded by the retry policy's
//! attempt timeout. A failed attempt is not retried in place: the next attempt's time (backoff
//! with jitter) is written to the row and a later round picks it up, so a black-holed receiver
//! holds one slot for one timeout and delays neither reminders, escalations and e-mail (a
//! different task) nor other receivers. Claims take a lease (and `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), so two processes never send one delivery at once.
//!
//! The delivery id is derived from the row (`polder-delivery-{id}`), so a receiver can
//! recognise a redelivery.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::clock::{Clock, Timestamp};
use crate::notify::webhook::{AddressPolicy, AttemptVerdict, RetryPolicy};
use crate::notify::{WebhookEndpoint, WebhookSender};
use crate::storage::escalation::webhooks::{AfterAttempt, AttemptLog, PendingDelivery};
use crate::storage::SqlStorage;

/// Largest webhook body sent, in bytes; a larger notification fails without a request.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// How the delivery worker works (part of the scheduler settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Whether receivers on internal addresses (loopback, private, link-local, …) are allowed.
    /// Default off; `--webhook-allow-internal` / `POLDER_WEBHOOK_ALLOW_INTERNAL`.
    pub allow_internal: bool,
    /// Most deliveries in flight at once. Default 16; `--webhook-concurrency`.
    pub concurrency: usize,
    /// Most deliveries in flight per webhook. Default 2; `--webhook-per-receiver`.
    pub per_receiver: usize,
    /// Time between the worker's rounds. Default 2 s.
    pub poll_interval: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_internal: false,
            concurrency: 16,
            per_receiver: 2,
            poll_interval: Duration::from_secs(2),
        }
    }
}

impl WebhookSettings {
    /// The address policy these settings call for.
    pub fn address_policy(&self) -> AddressPolicy {
        AddressPolicy {
            allow_internal: self.allow_internal,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WebhookReport {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Deliveries that arrived.
    pub delivered: usize,
    /// Deliveries that failed for good.
    pub failed: usize,
    /// Attempts that failed and were rescheduled.
    pub retried: usize,
    /// Errors met (logged; the round goes on).
    pub errors: usize,
}

/// Claims due deliveries and posts them; see the module documentation.
#[derive(Clone)]
pub struct WebhookWorker {
    db: SqlStorage,
    sender: WebhookSender,
    settings: WebhookSettings,
}

impl std::fmt::Debug for WebhookWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookWorker")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl WebhookWorker {
    /// A worker over `db` posting through real HTTP under the settings' address policy.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(
        db: SqlStorage,
        settings: WebhookSettings,
        retry: RetryPolicy,
    ) -> Result<Self, crate::notify::NotifyError> {
        let sender = WebhookSender::new(retry, settings.address_policy())?;
        Ok(Self::with_sender(db, settings, sender))
    }

    /// A worker with a given sender (tests use fake transports).
    pub fn with_sender(db: SqlStorage, settings: WebhookSettings, sender: WebhookSender) -> Self {
        Self {
            db,
            sender,
            settings,
        }
    }

    /// How long a claim is leased: longer than any attempt can take.
    fn lease_ms(&self) -> i64 {
        let timeout = self.sender.policy().attempt_timeout;
        i64::try_from(timeout.as_millis())
            .unwrap_or(i64::MAX / 4)
            .saturating_mul(2)
            .saturating_add(60_000)
    }

    /// One round: claims what is due at `now` and makes one attempt at each, concurrently.
    pub async fn run_once(&self, now: Timestamp) -> WebhookReport {
        let mut report = WebhookReport::default();
        let now_ms = now.timestamp_millis();
        let concurrency = self.settings.concurrency.max(1);
        let claimed = self
            .db
            .claim_deliveries(
                now_ms,
                now_ms.saturating_add(self.lease_ms()),
                concurrency,
                self.settings.per_receiver,
            )
            .await;
        let deliveries = match claimed {
            Ok(deliveries) => deliveries,
            Err(error) => {
                tracing::error!(%error, "claiming webhook deliveries failed");
                report.errors += 1;
                return report;
            }
        };
        report.claimed = deliveries.len();
        let results: Vec<_> = stream::iter(deliveries)
            .map(|delivery| self.attempt(delivery, now_ms))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for result in results {
            match result {
                Ok(AfterAttempt::Delivered) => report.delivered += 1,
                Ok(AfterAttempt::RetryAt(_)) => report.retried += 1,
                Ok(_) => report.failed += 1,
                Err(error) => {
                    tracing::error!(%error, "cannot record a webhook attempt");
                    report.errors += 1;
                }
            }
        }
        report
    }

    /// One attempt at one delivery, recorded.
    async fn attempt(
        &self,
        delivery: PendingDelivery,
        now_ms: i64,
    ) -> Result<AfterAttempt, crate::storage::StorageError> {
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
        let number = u32::try_from(delivery.attempts.saturating_add(1)).unwrap_or(u32::MAX);
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let delivery_id = format!("polder-delivery-{}", delivery.id);
        let outcome = if body.is_empty() || body.len() > MAX_PAYLOAD_BYTES {
            tracing::warn!(
                delivery = delivery.id,
                bytes = body.len(),
                "webhook payload too large; not sent"
            );
            None
        } else {
            match self
                .sender
                .attempt(&endpoint, &delivery_id, &body, number)
                .await
            {
                Ok(outcome) => Some(outcome),
                Err(error) => {
                    tracing::warn!(%error, delivery = delivery.id, "webhook cannot be sent");
                    None
                }
            }
        };
        let (log, after) = match outcome {
            Some((attempt, verdict)) => {
                let after = match verdict {
                    AttemptVerdict::Delivered => AfterAttempt::Delivered,
                    AttemptVerdict::Rejected => AfterAttempt::Rejected,
                    AttemptVerdict::Refused => AfterAttempt::Refused,
                    AttemptVerdict::Retry if number >= self.sender.policy().attempts() => {
                        AfterAttempt::GaveUp
                    }
                    AttemptVerdict::Retry => {
                        let wait = self.sender.policy().backoff(number);
                        let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 4);
                        AfterAttempt::RetryAt(now_ms.saturating_add(wait_ms))
                    }
                };
                if !matches!(after, AfterAttempt::Delivered) {
                    tracing::warn!(
                        delivery = delivery.id,
                        webhook = delivery.webhook_id,
                        attempt = number,
                        status = ?attempt.status,
                        error = ?attempt.error,
                        "webhook attempt failed"
                    );
                }
                (
                    AttemptLog {
                        attempt: i64::from(attempt.attempt),
                        status: attempt.status.map(i64::from),
                        error: attempt.error,
                        at: attempt.at.timestamp_millis(),
                    },
                    after,
                )
            }
            None => (
                AttemptLog {
                    attempt: i64::from(number),
                    status: None,
                    error: Some("not sendable".to_owned()),
                    at: now_ms,
                },
                AfterAttempt::Rejected,
            ),
        };
        self.db
            .record_attempt(delivery.id, &log, after, now_ms)
            .await?;
        Ok(after)
    }
}

/// Starts the worker's background task on `tracker`: a round every poll interval, until
/// `shutdown` fires.
pub fn spawn(
    worker: WebhookWorker,
    clock: Arc<dyn Clock>,
    shutdown: CancellationToken,
    tracker: &TaskTracker,
) {
    let interval = worker
        .settings
        .poll_interval
        .max(Duration::from_millis(100));
    tracker.spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => {
                    let round = worker.run_once(clock.now());
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        report = round => {
                            if report.claimed > 0 {
                                tracing::info!(
                                    delivered = report.delivered,
                                    failed = report.failed,
                                    retried = report.retried,
                                    errors = report.errors,
                                    "webhook round"
                                );
                            }
                        }
                    }
                }
            }
        }
        tracing::debug!("webhook worker stopped");
    });
}
