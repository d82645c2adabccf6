//! How many versions a draft may gain per hour: counting a draft's recent versions, and
//! storing a snapshot only while the draft is under its quota, in one transaction.

use sqlx::Row;

use super::audit::{append_in, Actor};
use super::drafts::{version_from_row, NewVersion, VersionInfo};
use super::sql::Backend;
use super::{SqlStorage, StorageError};
use crate::domain::draft_status::DraftStatus;

/// A sliding window: at most `max` versions per draft in the `window_ms` before `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionQuota {
    /// Most versions in the window.
    pub max: u32,
    /// Length of the window in milliseconds.
    pub window_ms: i64,
    /// The moment the window ends (now).
    pub now_ms: i64,
}

impl VersionQuota {
    /// `max` versions per hour, ending now.
    pub fn per_hour(max: u32) -> Self {
        Self {
            max,
            window_ms: 60 * 60 * 1000,
            now_ms: super::now_ms(),
        }
    }
}

/// The draft has used its quota; a new version fits again after `retry_after_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// Milliseconds until the oldest version that counts leaves the window (at least 1).
    pub retry_after_ms: i64,
}

impl QuotaExceeded {
    /// [`Self::retry_after_ms`] rounded up to whole seconds.
    pub fn retry_after_secs(&self) -> u64 {
        let ms = u64::try_from(self.retry_after_ms.max(1)).unwrap_or(1);
        ms.div_ceil(1000)
    }
}

impl SqlStorage {
    /// Whether `draft_id` is still under `quota`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn version_quota(
        &self,
        draft_id: i64,
        quota: VersionQuota,
    ) -> Result<Result<(), QuotaExceeded>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        check_quota(&mut conn, draft_id, quota).await
    }

    /// Stores a named version outside the status flow, unless the draft has already gained
    /// `quota.max` versions in the window. Count and insert share one write transaction (on
    /// PostgreSQL the draft's row is locked), so concurrent requests cannot both take the
    /// last place.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_version_within(
        &self,
        draft_id: i64,
        status: DraftStatus,
        version: NewVersion<'_>,
        by: i64,
        quota: VersionQuota,
        actor: &Actor,
    ) -> Result<Result<VersionInfo, QuotaExceeded>, StorageError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT id FROM drafts WHERE id = $1 FOR UPDATE")
                .bind(draft_id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        if let Err(exceeded) = check_quota(&mut tx, draft_id, quota).await? {
            tx.rollback().await?;
            return Ok(Err(exceeded));
        }
        let row = sqlx::query(
            "INSERT INTO versions (draft_id, name, status, state, content_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id, draft_id, name, status, content_hash, created_by, created_at",
        )
        .bind(draft_id)
        .bind(version.name)
        .bind(status.as_str())
        .bind(version.state)
        .bind(version.content_hash)
        .bind(by)
        .bind(quota.now_ms)
        .fetch_one(&mut *tx)
        .await?;
        let created = version_from_row(&row)?;
        let consent_audit = super::consent::rounds::hooks::on_version(
            &mut tx,
            draft_id,
            created.id,
            version.content_hash,
            version.supersede,
            None,
            by,
        )
        .await?
        .unwrap_or_default();
        for (action, subject) in &consent_audit {
            append_in(&mut tx, self.backend(), actor, action, subject).await?;
        }
        let subject = serde_json::json!({ "draft": draft_id, "version": created.id });
        append_in(&mut tx, self.backend(), actor, "version.create", &subject).await?;
        tx.commit().await?;
        Ok(Ok(created))
    }
}

async fn check_quota(
    conn: &mut sqlx::AnyConnection,
    draft_id: i64,
    quota: VersionQuota,
) -> Result<Result<(), QuotaExceeded>, StorageError> {
    let since = quota.now_ms.saturating_sub(quota.window_ms);
    let count: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM versions WHERE draft_id = $1 AND created_at > $2")
            .bind(draft_id)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
    let max = i64::from(quota.max);
    if count < max {
        return Ok(Ok(()));
    }
    // A place frees when the version `count - max` places after the oldest one in the window
    // leaves it.
    let freeing: Option<i64> = sqlx::query(
        "SELECT created_at FROM versions WHERE draft_id = $1 AND created_at > $2 \
         ORDER BY created_at, id LIMIT 1 OFFSET $3",
    )
    .bind(draft_id)
    .bind(since)
    .bind(count - max)
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| row.try_get("created_at"))
    .transpose()?;
    let frees_at = freeing.map_or(quota.now_ms, |at| at.saturating_add(quota.window_ms));
    Ok(Err(QuotaExceeded {
        retry_after_ms: frees_at.saturating_sub(quota.now_ms).max(1),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let secs = |ms| QuotaExceeded { retry_after_ms: ms }.retry_after_secs();
        assert_eq!(secs(1), 1);
        assert_eq!(secs(1000), 1);
        assert_eq!(secs(1001), 2);
        assert_eq!(secs(0), 1);
        assert_eq!(secs(-5), 1);
    }
}
