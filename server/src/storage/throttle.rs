//! Counters of the sign-in throttle (see [`crate::auth::throttle`]): one row per hashed key,
//! counting attempts in a fixed window.

use sqlx::Row;

use super::{SqlStorage, StorageError};

/// An attempt as counted: its number in the window (this one included) and when the window
/// started (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Attempts in the window, this one included.
    pub attempts: i64,
    /// Start of the window, Unix ms.
    pub window_start: i64,
}

impl SqlStorage {
    /// Counts one attempt for `key_hash` at `now` and returns the count. A window that started
    /// at or before `expired_before` is over: the count starts again at 1 in a new window.
    ///
    /// This is one statement, so every concurrent attempt gets a count of its own: when many
    /// arrive at once, exactly the first ones see a count within the limit.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn count_sign_in_attempt(
        &self,
        key_hash: &str,
        now: i64,
        expired_before: i64,
    ) -> Result<Counted, StorageError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_throttle (key_hash, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key_hash) DO UPDATE SET \
             attempts = CASE WHEN sign_in_throttle.window_start <= $3 THEN 1 \
                             ELSE sign_in_throttle.attempts + 1 END, \
             window_start = CASE WHEN sign_in_throttle.window_start <= $3 THEN excluded.window_start \
                                 ELSE sign_in_throttle.window_start END \
             RETURNING attempts, window_start",
        )
        .bind(key_hash)
        .bind(now)
        .bind(expired_before)
        .fetch_one(self.pool())
        .await?;
        Ok(Counted {
            attempts: row.try_get("attempts")?,
            window_start: row.try_get("window_start")?,
        })
    }

    /// Takes back one counted attempt of `key_hash` (one that turned out not to be a failure).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn uncount_sign_in_attempt(&self, key_hash: &str) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE sign_in_throttle SET attempts = attempts - 1 \
             WHERE key_hash = $1 AND attempts > 0",
        )
        .bind(key_hash)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets every attempt of `key_hash`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn clear_sign_in_attempts(&self, key_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key_hash = $1")
            .bind(key_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Deletes the counters whose window started at or before `expired_before`; they no
    /// longer limit anyone. Keeps the table as small as the attempts of one window.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn prune_sign_in_attempts(&self, expired_before: i64) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE window_start <= $1")
            .bind(expired_before)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
