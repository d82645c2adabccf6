//! Webhooks per body, their deliveries (one per webhook and notification, unique) and the
//! delivery log of every attempt.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::storage::audit::{append_in, Actor};
use crate::storage::{SqlStorage, StorageError};

/// Key of the PostgreSQL advisory lock that serialises delivery claims across processes.
const CLAIM_LOCK: i64 = 0x706f_6c64_6572_7768; // "polderwh"

/// A webhook as its managers see it (the secret is shown once, at creation).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Webhook {
    /// Id.
    pub id: i64,
    /// The body whose notifications it receives.
    pub body_id: i64,
    /// Receiver URL.
    pub url: String,
    /// Whether it receives deliveries.
    pub active: bool,
    /// Unix ms.
    pub created_at: i64,
}

/// A delivery claimed for sending.
#[derive(Debug, Clone)]
pub struct PendingDelivery {
    /// Delivery id.
    pub id: i64,
    /// The webhook (the receiver).
    pub webhook_id: i64,
    /// Receiver URL.
    pub url: String,
    /// Signing secret.
    pub secret: String,
    /// The event's key.
    pub event_key: String,
    /// The body.
    pub body_id: i64,
    /// The stored notification (JSON).
    pub payload: serde_json::Value,
    /// Unix ms of the event.
    pub created_at: i64,
    /// Attempts made so far.
    pub attempts: i64,
}

/// One delivery as the body's chair sees it: whether it arrived, never what the receiver
/// answered (a status code, an error text or a timing would turn the log into a probe of the
/// network behind the server).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct DeliveryLog {
    /// Delivery id.
    pub id: i64,
    /// The event's key.
    pub event_key: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    #[schema(value_type = String)]
    pub status: &'static str,
    /// For a failed delivery, a generic reason.
    #[schema(value_type = Option<String>)]
    pub reason: Option<&'static str>,
    /// Unix ms when the delivery was queued.
    pub created_at: i64,
    /// Attempts made.
    pub attempts: Vec<AttemptView>,
}

/// One attempt as the log shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AttemptView {
    /// 1 for the first.
    pub attempt: i64,
    /// `delivered` or `failed`.
    #[schema(value_type = String)]
    pub result: &'static str,
    /// Unix ms.
    pub at: i64,
}

/// One attempt, as stored (the status and error stay with the operator).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AttemptLog {
    /// 1 for the first.
    pub attempt: i64,
    /// HTTP status, if there was a response.
    pub status: Option<i64>,
    /// Error, if there was no response.
    pub error: Option<String>,
    /// Unix ms.
    pub at: i64,
}

/// Where a delivery stands after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    /// The receiver took it.
    Delivered,
    /// Try again at this Unix ms.
    RetryAt(i64),
    /// The receiver answered with a status retrying does not change.
    Rejected,
    /// Every attempt the policy allows failed.
    GaveUp,
    /// The receiver's address is not allowed.
    Refused,
}

impl AfterAttempt {
    fn status(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::RetryAt(_) => "pending",
            Self::Rejected => "rejected",
            Self::GaveUp => "gave_up",
            Self::Refused => "refused",
        }
    }
}

/// The chair's view of a stored status.
fn shown_status(stored: &str) -> (&'static str, Option<&'static str>) {
    match stored {
        "pending" => ("pending", None),
        "delivered" => ("delivered", None),
        "cancelled" => ("cancelled", None),
        _ => ("failed", Some("the receiver did not accept the delivery")),
    }
}

impl SqlStorage {
    /// Stores a webhook; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_webhook(
        &self,
        body: i64,
        url: &str,
        secret: &str,
        created_by: Option<i64>,
        by: &Actor,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO webhooks (body_id, url, secret, active, created_by, created_at) \
             VALUES ($1, $2, $3, 1, $4, $5) RETURNING id",
        )
        .bind(body)
        .bind(url)
        .bind(secret)
        .bind(created_by)
        .bind(crate::storage::now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "webhook": id, "body": body });
        append_in(&mut tx, self.backend(), by, "webhook.create", &subject).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A body's webhooks.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_webhooks(&self, body: i64) -> Result<Vec<Webhook>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, body_id, url, active, created_at FROM webhooks WHERE body_id = $1 ORDER BY id",
        )
        .bind(body)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Webhook {
                    id: r.try_get("id")?,
                    body_id: r.try_get("body_id")?,
                    url: r.try_get("url")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The body a webhook belongs to.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn webhook_body(&self, id: i64) -> Result<Option<i64>, StorageError> {
        let row = sqlx::query("SELECT body_id FROM webhooks WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("body_id")).transpose()?)
    }

    /// Switches a webhook off (its log is kept) and cancels its deliveries that have not been
    /// made yet; `false` when it was off already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn deactivate_webhook(
        &self,
        id: i64,
        body: i64,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE webhooks SET active = 0 WHERE id = $1 AND active = 1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'cancelled', finished_at = $1, \
             locked_until = NULL WHERE webhook_id = $2 AND status = 'pending'",
        )
        .bind(crate::storage::now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let subject = serde_json::json!({ "webhook": id, "body": body });
        append_in(&mut tx, self.backend(), by, "webhook.deactivate", &subject).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Claims deliveries that are due at `now_ms` (pending, of an active webhook, their next
    /// attempt due, not leased), leased until `lease_until`: at most `limit` in all and at most
    /// `per_receiver` per webhook, counting the ones of that webhook already leased. Claims
    /// run one at a time (SQLite's write lock; a transaction-scoped advisory lock on
    /// PostgreSQL), so two processes never claim one delivery and never exceed the
    /// per-webhook cap together.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: usize,
        per_receiver: usize,
    ) -> Result<Vec<PendingDelivery>, StorageError> {
        let per_receiver = per_receiver.max(1);
        let mut tx = self.begin_write().await?;
        if self.backend() == crate::storage::sql::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CLAIM_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let busy: HashMap<i64, usize> = sqlx::query(
            "SELECT webhook_id, COUNT(*) AS n FROM webhook_deliveries \
             WHERE status = 'pending' AND locked_until >= $1 GROUP BY webhook_id",
        )
        .bind(now_ms)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            let n: i64 = r.try_get("n")?;
            Ok((
                r.try_get("webhook_id")?,
                usize::try_from(n).unwrap_or(usize::MAX),
            ))
        })
        .collect::<Result<_, StorageError>>()?;
        let candidates = sqlx::query(
            "SELECT id, webhook_id FROM (SELECT d.id, d.webhook_id, ROW_NUMBER() OVER \
             (PARTITION BY d.webhook_id ORDER BY d.id) AS rn FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' AND w.active = 1 \
             AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1) \
             AND (d.locked_until IS NULL OR d.locked_until < $1)) c \
             WHERE c.rn <= $2 ORDER BY c.id LIMIT $3",
        )
        .bind(now_ms)
        .bind(i64::try_from(per_receiver).unwrap_or(i64::MAX))
        .bind(i64::try_from(limit.saturating_mul(per_receiver)).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
        let mut taken: HashMap<i64, usize> = HashMap::new();
        let mut chosen = Vec::new();
        for row in &candidates {
            let id: i64 = row.try_get("id")?;
            let webhook: i64 = row.try_get("webhook_id")?;
            let count = taken.entry(webhook).or_insert(0);
            if *count + busy.get(&webhook).copied().unwrap_or(0) < per_receiver
                && chosen.len() < limit
            {
                *count += 1;
                chosen.push(id);
            }
        }
        if chosen.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let list = (0..chosen.len())
            .map(|n| format!("${}", n + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let lock = self.skip_locked();
        let sql = format!(
            "UPDATE webhook_deliveries SET locked_until = $1 WHERE id IN \
             (SELECT id FROM webhook_deliveries WHERE id IN ({list}) AND status = 'pending' \
             AND (locked_until IS NULL OR locked_until < $2){lock}) RETURNING id"
        );
        let mut query = sqlx::query(&sql).bind(lease_until).bind(now_ms);
        for id in &chosen {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut deliveries = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let row = sqlx::query(
                "SELECT d.id, d.webhook_id, d.attempts, w.url, w.secret, e.event_key, w.body_id, \
                 e.payload, e.created_at FROM webhook_deliveries d \
                 JOIN webhooks w ON w.id = d.webhook_id \
                 JOIN notification_events e ON e.id = d.event_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(self.pool())
            .await?;
            let payload: String = row.try_get("payload")?;
            deliveries.push(PendingDelivery {
                id,
                webhook_id: row.try_get("webhook_id")?,
                url: row.try_get("url")?,
                secret: row.try_get("secret")?,
                event_key: row.try_get("event_key")?,
                body_id: row.try_get("body_id")?,
                payload: serde_json::from_str(&payload).unwrap_or_default(),
                created_at: row.try_get("created_at")?,
                attempts: row.try_get("attempts")?,
            });
        }
        deliveries.sort_by_key(|d| d.id);
        Ok(deliveries)
    }

    /// Records one attempt of a claimed delivery and where the delivery stands now, and
    /// releases its lease. A delivery cancelled meanwhile stays cancelled.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn record_attempt(
        &self,
        id: i64,
        attempt: &AttemptLog,
        after: AfterAttempt,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let made: i64 = sqlx::query("SELECT attempts FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("attempts")?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, status, error, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(made + 1)
        .bind(attempt.status)
        .bind(&attempt.error)
        .bind(attempt.at)
        .execute(&mut *tx)
        .await?;
        let next = match after {
            AfterAttempt::RetryAt(at) => Some(at),
            _ => None,
        };
        let finished = (!matches!(after, AfterAttempt::RetryAt(_))).then_some(now_ms);
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $1, \
             locked_until = NULL, next_attempt_at = $2, finished_at = $3, \
             status = CASE WHEN status = 'pending' THEN $4 ELSE status END WHERE id = $5",
        )
        .bind(attempt.status)
        .bind(next)
        .bind(finished)
        .bind(after.status())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of a webhook's deliveries, newest first, as the chair sees them, and how many
    /// deliveries it has in all.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn delivery_log(
        &self,
        webhook: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DeliveryLog>, i64), StorageError> {
        let total: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1")
                .bind(webhook)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        let rows = sqlx::query(
            "SELECT d.id, e.event_key, d.status, d.created_at FROM webhook_deliveries d \
             JOIN notification_events e ON e.id = d.event_id WHERE d.webhook_id = $1 \
             ORDER BY d.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(webhook)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let mut log = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let stored: String = row.try_get("status")?;
            let (status, reason) = shown_status(&stored);
            let attempts = sqlx::query(
                "SELECT attempt, status, at FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let code: Option<i64> = r.try_get("status")?;
                Ok(AttemptView {
                    attempt: r.try_get("attempt")?,
                    result: if code.is_some_and(|c| (200..300).contains(&c)) {
                        "delivered"
                    } else {
                        "failed"
                    },
                    at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
            log.push(DeliveryLog {
                id,
                event_key: row.try_get("event_key")?,
                status,
                reason,
                created_at: row.try_get("created_at")?,
                attempts,
            });
        }
        Ok((log, total))
    }
}
