//! The access epoch: one counter that the database itself raises (by triggers, see migration
//! `0007_access_epoch.sql`) whenever something that decides who may open or keep a socket
//! changes: memberships and their roles, document grants, API tokens (revoked, scope), sessions
//! (ended), passwords and administrator flags, and which body a draft belongs to. Changes made
//! by any process, the CLI or plain SQL raise it alike, in the same transaction as the change.
//!
//! Server processes read it about once a second and re-authorise their open sockets when it
//! moved.

use sqlx::Row;

use super::{SqlStorage, StorageError};

impl SqlStorage {
    /// The current access epoch.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn access_epoch(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT value FROM access_epoch WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|row| row.try_get::<i64, _>("value"))
            .transpose()?
            .unwrap_or(0))
    }

    /// When the session with this id hash expires (Unix ms), if it exists.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn session_expiry(&self, id_hash: &str) -> Result<Option<i64>, StorageError> {
        let row = sqlx::query("SELECT expires_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("expires_at")).transpose()?)
    }
}
