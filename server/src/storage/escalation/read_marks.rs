//! The inbox's read marks and a person's notification settings: each change with its audit
//! entry in one transaction.

use super::notifications::NotificationSettings;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{SqlStorage, StorageError};

impl SqlStorage {
    /// Marks one of a person's items read or unread; `false` when it is not theirs.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn set_read(
        &self,
        person: i64,
        item: i64,
        read: bool,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE inbox_items SET read_at = $1 WHERE id = $2 AND person_id = $3")
                .bind(read.then(crate::storage::now_ms))
                .bind(item)
                .bind(person)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let action = if read {
            "notification.read"
        } else {
            "notification.unread"
        };
        let subject = serde_json::json!({ "item": item });
        append_in(&mut tx, self.backend(), by, action, &subject).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks all of a person's items read; returns how many changed.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn mark_all_read(&self, person: i64, by: &Actor) -> Result<u64, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE inbox_items SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL",
        )
        .bind(crate::storage::now_ms())
        .bind(person)
        .execute(&mut *tx)
        .await?;
        let subject = serde_json::json!({ "person": person });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "notification.read_all",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Stores a person's notification settings.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn put_notification_settings(
        &self,
        person: i64,
        settings: NotificationSettings,
        by: &Actor,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO notification_settings (person_id, email, language) VALUES ($1, $2, $3) \
             ON CONFLICT (person_id) DO UPDATE SET email = excluded.email, language = excluded.language",
        )
        .bind(person)
        .bind(settings.email.as_str())
        .bind(settings.language.tag())
        .execute(&mut *tx)
        .await?;
        let subject = serde_json::json!({ "person": person, "email": settings.email.as_str(), "language": settings.language.tag() });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "notification_settings.put",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
