//! A person's API tokens: listing and revoking (creation is in the [`super::Storage`] trait).

use serde::Serialize;
use sqlx::Row;

use super::{now_ms, SqlStorage, StorageError};

/// A token as its owner sees it (never the token itself).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct TokenInfo {
    /// Database id.
    pub id: i64,
    /// Name given at creation.
    pub name: String,
    /// Scopes.
    pub scope: String,
    /// Unix ms.
    pub created_at: i64,
}

impl SqlStorage {
    /// A person's live tokens.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<TokenInfo>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, name, scope, created_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    scope: row.try_get("scope")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of a person's tokens; returns whether it was theirs and live.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn revoke_token(&self, id: i64, user_id: i64) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// Revokes every live token of a person, inside the caller's transaction (a password change).
///
/// # Errors
/// Storage errors.
pub async fn revoke_all_tokens(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
