//! Webhooks per body, their deliveries (one per webhook and notification, unique) and the
//! delivery log of every attempt.

use serde::Serialize;
use sqlx::Row;

use crate::storage::{SqlStorage, StorageError};

/// A webhook as its managers see it (the secret is shown once, at creation).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
}

/// One delivery with its attempts, for the log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeliveryLog {
    /// Delivery id.
    pub id: i64,
    /// The event's key.
    pub event_key: String,
    /// `pending`, `delivered`, `rejected` or `gave_up`.
    pub status: String,
    /// Attempts made.
    pub attempts: Vec<AttemptLog>,
}

/// One attempt.
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
    ) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "INSERT INTO webhooks (body_id, url, secret, active, created_by, created_at) \
             VALUES ($1, $2, $3, 1, $4, $5) RETURNING id",
        )
        .bind(body)
        .bind(url)
        .bind(secret)
        .bind(created_by)
        .bind(crate::storage::now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
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

    /// Switches a webhook off (its log is kept); `false` when it was off already.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn deactivate_webhook(&self, id: i64) -> Result<bool, StorageError> {
        let done = sqlx::query("UPDATE webhooks SET active = 0 WHERE id = $1 AND active = 1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Claims pending deliveries, leased until `lease_until`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<PendingDelivery>, StorageError> {
        let lock = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE webhook_deliveries SET locked_until = $1 WHERE id IN \
             (SELECT id FROM webhook_deliveries WHERE status = 'pending' \
             AND (locked_until IS NULL OR locked_until < $2) ORDER BY id LIMIT $3{lock}) RETURNING id"
        ))
        .bind(lease_until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut deliveries = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let row = sqlx::query(
                "SELECT d.id, w.url, w.secret, e.event_key, w.body_id, e.payload, e.created_at \
                 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 JOIN notification_events e ON e.id = d.event_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(self.pool())
            .await?;
            let payload: String = row.try_get("payload")?;
            deliveries.push(PendingDelivery {
                id,
                url: row.try_get("url")?,
                secret: row.try_get("secret")?,
                event_key: row.try_get("event_key")?,
                body_id: row.try_get("body_id")?,
                payload: serde_json::from_str(&payload).unwrap_or_default(),
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(deliveries)
    }

    /// Records a delivery's attempts and its outcome.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish_delivery(
        &self,
        id: i64,
        status: &str,
        attempts: &[AttemptLog],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let offset: i64 = sqlx::query("SELECT attempts FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("attempts")?;
        for attempt in attempts {
            sqlx::query(
                "INSERT INTO webhook_attempts (delivery_id, attempt, status, error, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(offset + attempt.attempt)
            .bind(attempt.status)
            .bind(&attempt.error)
            .bind(attempt.at)
            .execute(&mut *tx)
            .await?;
        }
        let count = i64::try_from(attempts.len()).unwrap_or(0);
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + $2, \
             last_status = $3, finished_at = $4, locked_until = NULL WHERE id = $5",
        )
        .bind(status)
        .bind(count)
        .bind(attempts.last().and_then(|a| a.status))
        .bind((status != "pending").then_some(now_ms))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A webhook's deliveries, newest first, with their attempts.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn delivery_log(
        &self,
        webhook: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryLog>, StorageError> {
        let rows = sqlx::query(
            "SELECT d.id, e.event_key, d.status FROM webhook_deliveries d \
             JOIN notification_events e ON e.id = d.event_id WHERE d.webhook_id = $1 \
             ORDER BY d.id DESC LIMIT $2",
        )
        .bind(webhook)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut log = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let attempts = sqlx::query(
                "SELECT attempt, status, error, at FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(AttemptLog {
                    attempt: r.try_get("attempt")?,
                    status: r.try_get("status")?,
                    error: r.try_get("error")?,
                    at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
            log.push(DeliveryLog {
                id,
                event_key: row.try_get("event_key")?,
                status: row.try_get("status")?,
                attempts,
            });
        }
        Ok(log)
    }
}
