//! API tokens, stored only by their hash: creating, finding, listing and revoking.

use serde::Serialize;
use sqlx::Row;

use super::audit::{append_in, Actor};
use super::{now_ms, SqlStorage, StorageError};

/// A stored API token (the token itself is never stored, only its hash).
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// Database id.
    pub id: i64,
    /// Human name given at creation.
    pub name: String,
    /// Space-separated scopes, e.g. `admin`.
    pub scope: String,
    /// The person the token acts for, if any (service tokens have none).
    pub user_id: Option<i64>,
}

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
    /// Stores a new API token by its hash.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_token(
        &self,
        name: &str,
        scope: &str,
        token_hash: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (name, scope, token_hash, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(scope)
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Stores a new API token (of a person, or a service token) by its hash with the
    /// `token.create` audit entry in one transaction; returns its id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_token_by(
        &self,
        name: &str,
        scope: &str,
        token_hash: &str,
        user_id: Option<i64>,
        by: &Actor,
    ) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (name, scope, token_hash, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(scope)
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "token": id, "scope": scope });
        append_in(&mut tx, self.backend(), by, "token.create", &subject).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Finds a live (not revoked) token by its hash.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, name, scope, user_id FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TokenRecord {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            scope: row.try_get("scope")?,
            user_id: row.try_get("user_id")?,
        }))
    }

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

    /// Revokes one of a person's tokens with the `token.revoke` audit entry in one
    /// transaction; returns whether it was theirs and live (when not, nothing is written).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn revoke_token(
        &self,
        id: i64,
        user_id: i64,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let subject = serde_json::json!({ "token": id });
        append_in(&mut tx, self.backend(), by, "token.revoke", &subject).await?;
        tx.commit().await?;
        Ok(true)
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
