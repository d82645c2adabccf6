//! People who can sign in: creating them and finding them by e-mail address or id.

use sqlx::Row;

use super::sql::is_unique_violation;
use super::{now_ms, SqlStorage, StorageError};

/// A person who can sign in.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// Database id.
    pub id: i64,
    /// Sign-in address, unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Whether the person administers this Polder instance.
    pub is_admin: bool,
    /// Whether this is a guest account, which reaches only the consultations it was invited
    /// to (docs/DOMAIN.md §16).
    pub is_guest: bool,
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        is_guest: row.try_get::<i64, _>("is_guest")? != 0,
    })
}

impl SqlStorage {
    /// Creates a person; fails with [`StorageError::AlreadyExists`] on a taken e-mail address.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<i64, StorageError> {
        let result = sqlx::query(
            "INSERT INTO users (email, name, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.to_lowercase())
        .bind(name)
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(now_ms())
        .fetch_one(self.pool())
        .await;
        match result {
            Ok(row) => Ok(row.try_get("id")?),
            Err(err) if is_unique_violation(&err) => {
                Err(StorageError::AlreadyExists("e-mail address"))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Finds a person by e-mail address (case-insensitive).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<UserRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, email, name, password_hash, is_admin, is_guest FROM users WHERE email = $1",
        )
        .bind(email.to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    /// Finds a person by id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_user(&self, id: i64) -> Result<Option<UserRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, email, name, password_hash, is_admin, is_guest FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }
}
