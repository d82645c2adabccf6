//! Sign-in sessions, stored by the hash of their cookie value.

use sqlx::Row;

use super::{now_ms, SqlStorage, StorageError};

impl SqlStorage {
    /// Stores a session by the hash of its cookie value.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores a new session of a person who signed in from `address`, with the
    /// `session.create` audit entry, in one transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_session_by(
        &self,
        id_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
        address: &str,
        by: &super::audit::Actor,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        let subject = serde_json::json!({ "person": user_id, "address": address });
        super::audit::append_in(&mut tx, self.backend(), by, "session.create", &subject).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finds the person behind an unexpired session.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_session_user(
        &self,
        id_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError> {
        let row =
            sqlx::query("SELECT user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash)
                .bind(now_ms)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }

    /// Ends a session.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
