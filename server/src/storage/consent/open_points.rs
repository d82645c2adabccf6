//! Open points of a draft.

use sqlx::Row;

use crate::storage::{SqlStorage, StorageError};

impl SqlStorage {
    /// How many open points of the draft are open (accepted and not closed).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn count_open_points(&self, draft_id: i64) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM open_points WHERE draft_id = $1 AND status = 'open'",
        )
        .bind(draft_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }
}

/// The demo's part of this module (see [`super::demo`]).
///
/// # Errors
/// Storage errors.
pub async fn demo_seed(_db: &SqlStorage) -> Result<(), StorageError> {
    Ok(())
}
