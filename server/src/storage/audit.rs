//! The append-only audit log, hash-chained (see [`crate::domain::audit_chain`]).
//!
//! Appends are serialised so the chain never forks: in-process by a mutex (enough for SQLite,
//! which has one server process), across processes on PostgreSQL by a transaction-scoped
//! advisory lock.

use serde::Serialize;
use sqlx::Row;

use super::sql::Backend;
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::audit_chain::{self, AuditFields, StoredEntry, GENESIS};

/// Advisory-lock key that serialises audit appends on PostgreSQL.
const AUDIT_LOCK_KEY: i64 = 0x706f_6c64_6175_6469; // "poldaudi"

/// An audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Log id.
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    /// Who acted.
    pub actor: String,
    /// Their party.
    pub actor_party: Option<String>,
    /// What happened.
    pub action: String,
    /// The ids involved.
    #[schema(value_type = Object)]
    pub subject: serde_json::Value,
    /// This entry's hash.
    pub hash: String,
}

impl SqlStorage {
    /// Appends an entry to the chain.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn append_audit(
        &self,
        actor: &str,
        actor_party: Option<&str>,
        action: &str,
        subject: &serde_json::Value,
    ) -> Result<i64, StorageError> {
        let _serialised = self.audit_lock().lock().await;
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(AUDIT_LOCK_KEY)
                .execute(&mut *tx)
                .await?;
        }
        let prev: String = sqlx::query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get("hash"))
            .transpose()?
            .unwrap_or_else(|| GENESIS.to_owned());
        let subject = subject.to_string();
        let at = now_ms();
        let hash = audit_chain::entry_hash(
            &prev,
            &AuditFields {
                at,
                actor,
                actor_party,
                action,
                subject: &subject,
            },
        );
        let row = sqlx::query(
            "INSERT INTO audit_log (at, actor, actor_party, action, subject, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(at)
        .bind(actor)
        .bind(actor_party)
        .bind(action)
        .bind(&subject)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.try_get("id")?)
    }

    /// Entries newest first, `limit` from `offset`, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_audit(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, i64), StorageError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_party, action, subject, hash FROM audit_log \
             ORDER BY id DESC LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let entries = rows
            .iter()
            .map(|row| {
                let subject: String = row.try_get("subject")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    actor_party: row.try_get("actor_party")?,
                    action: row.try_get("action")?,
                    subject: serde_json::from_str(&subject)
                        .unwrap_or(serde_json::Value::String(subject)),
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<_, StorageError>>()?;
        Ok((entries, total))
    }

    /// Reads the whole chain, oldest first, for verification.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn audit_chain(&self) -> Result<Vec<StoredEntry>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_party, action, subject, prev_hash, hash FROM audit_log ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    actor_party: row.try_get("actor_party")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }
}
