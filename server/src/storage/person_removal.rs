//! Removing a person (the right to erasure): their account and contact data are erased, what
//! they did stays on the record under a pseudonym (`voormalig lid, ZIN`). See
//! `docs/SECURITY.md`, "Removing a person", for what is erased and what remains.
//!
//! Everything happens in one write transaction that ends with the `person.remove` audit entry
//! (actor: who removed, subject: the id only):
//! - the `users` row stays as a tombstone so every reference to it holds: the e-mail becomes a
//!   unique placeholder without an `@` (`verwijderd:ID`), the name the pseudonym, the password
//!   hash one that never matches, no administrator flag, `removed_at` set;
//! - sessions, API tokens, notification settings, calendar feeds of their own, follows, inbox,
//!   notifications and digests addressed to them, memberships and document grants are deleted;
//!   guest links to consultations are cleared (the invitation and its answers stay);
//! - the audit entries they made keep `person:ID` and the name commitment the hash covers;
//!   their name and salt are erased and the pseudonym is shown instead (the chain still
//!   verifies, [`crate::domain::audit_chain`]);
//! - every other text column of every table is searched for their label
//!   (`person:ID (Name)`), e-mail address and name, which are replaced by the pseudonym and
//!   placeholder. A name shorter than [`MIN_FREE_TEXT_NAME`] characters is only replaced
//!   inside the label, so that short names do not rewrite unrelated words.

use sqlx::{Any, Row, Transaction};

use super::audit::{append_in, Actor};
use super::sql::Backend;
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::audit_chain::{pseudonym, PERSON_REMOVE};

/// Shortest name that is also replaced in free text (shorter names only inside labels).
pub const MIN_FREE_TEXT_NAME: usize = 4;

/// Why a removal was refused.
#[derive(Debug, thiserror::Error)]
pub enum RemovalError {
    /// There is no such person.
    #[error("there is no person with this id")]
    NotFound,
    /// The person was removed before.
    #[error("this person has already been removed")]
    AlreadyRemoved,
    /// They are the last administrator: nobody could administer the instance afterwards.
    #[error("this person is the last administrator; make someone else administrator first")]
    LastAdministrator,
    /// The audit log still holds entries of the old hash scheme (it did not verify when the
    /// database was opened, so it was not re-chained): names in it could not be erased.
    #[error("the audit log has not been moved to the new hash scheme because it does not verify; run `polder audit verify` and repair it first")]
    AuditNotMigrated,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for RemovalError {
    fn from(err: sqlx::Error) -> Self {
        Self::Storage(err.into())
    }
}

/// What a removal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The person's id (the tombstone keeps it).
    pub id: i64,
    /// How they are named from now on.
    pub pseudonym: String,
    /// The `person.remove` audit entry.
    pub audit_id: i64,
}

/// Tables whose rows exist only for the person: deleted on removal (table, column).
const DELETED: &[(&str, &str)] = &[
    ("sessions", "user_id"),
    ("api_tokens", "user_id"),
    ("notification_settings", "person_id"),
    ("calendar_feeds", "person_id"),
    ("follows", "person_id"),
    ("inbox_items", "person_id"),
    ("inbox_heads", "person_id"),
    ("email_digests", "person_id"),
    ("notification_events", "person_id"),
    ("memberships", "user_id"),
    ("document_members", "user_id"),
];

/// Tables never searched for free text: `users` is handled row by row, the audit log by its
/// own columns, the migration bookkeeping holds no personal data.
const NOT_SCANNED: &[&str] = &["users", "audit_log", "_sqlx_migrations"];

/// Every text column of every table of this database (table, column).
pub(crate) async fn text_columns(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = match backend {
        Backend::Sqlite => {
            sqlx::query(
                "SELECT m.name AS table_name, c.name AS column_name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND UPPER(c.type) = 'TEXT' \
                 ORDER BY m.name, c.cid",
            )
            .fetch_all(&mut **tx)
            .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT c.table_name::TEXT AS table_name, c.column_name::TEXT AS column_name \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.data_type IN ('text', 'character varying') \
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(&mut **tx)
            .await?
        }
    };
    rows.iter()
        .map(|row| Ok((row.try_get("table_name")?, row.try_get("column_name")?)))
        .collect()
}

/// Whether a schema name can be put into a query as it is (letters, digits, underscores).
fn plain_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl SqlStorage {
    /// Removes person `id` (see the module documentation), recorded as `person.remove` by
    /// `by`, in one transaction.
    ///
    /// # Errors
    /// [`RemovalError::NotFound`], [`RemovalError::AlreadyRemoved`],
    /// [`RemovalError::LastAdministrator`], [`RemovalError::AuditNotMigrated`], or storage
    /// errors (nothing is changed then).
    pub async fn remove_person(&self, id: i64, by: &Actor) -> Result<Removed, RemovalError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT u.email, u.name, u.is_admin, u.removed_at, p.code AS party \
             FROM users u LEFT JOIN parties p ON p.id = u.party_id WHERE u.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(RemovalError::NotFound);
        };
        if row.try_get::<Option<i64>, _>("removed_at")?.is_some() {
            return Err(RemovalError::AlreadyRemoved);
        }
        let email: String = row.try_get("email")?;
        let name: String = row.try_get("name")?;
        let party: Option<String> = row.try_get("party")?;
        if row.try_get::<i64, _>("is_admin")? != 0 {
            let others: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE is_admin <> 0 AND removed_at IS NULL AND id <> $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if others == 0 {
                return Err(RemovalError::LastAdministrator);
            }
        }
        if sqlx::query("SELECT id FROM audit_log WHERE scheme = 1 LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(RemovalError::AuditNotMigrated);
        }
        let pseudonym = pseudonym(party.as_deref());
        let placeholder = format!("verwijderd:{id}");
        for (table, column) in DELETED {
            // table and column come from the constant list above, never from input
            sqlx::query(&format!("DELETE FROM {table} WHERE {column} = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE consultation_invitees SET link_hash = NULL, link_expires_at = NULL \
             WHERE user_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET email = $1, name = $2, password_hash = '!removed', is_admin = 0, \
             removed_at = $3 WHERE id = $4",
        )
        .bind(&placeholder)
        .bind(&pseudonym)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // the hash covers `person:ID` and the name commitment, not the name or its salt
        sqlx::query(
            "UPDATE audit_log SET actor_name = $1, name_salt = NULL \
             WHERE actor = $2 AND scheme = 2 AND name_commitment IS NOT NULL",
        )
        .bind(&pseudonym)
        .bind(format!("person:{id}"))
        .execute(&mut *tx)
        .await?;
        self.scrub_free_text(&mut tx, id, &email, &name, &pseudonym, &placeholder)
            .await?;
        let subject = serde_json::json!({ "person": id });
        let audit_id = append_in(&mut tx, self.backend(), by, PERSON_REMOVE, &subject).await?;
        tx.commit().await?;
        Ok(Removed {
            id,
            pseudonym,
            audit_id,
        })
    }

    /// Replaces the person's label, e-mail address and name in every text column of every
    /// table but [`NOT_SCANNED`].
    async fn scrub_free_text(
        &self,
        tx: &mut Transaction<'_, Any>,
        id: i64,
        email: &str,
        name: &str,
        pseudonym: &str,
        placeholder: &str,
    ) -> Result<(), RemovalError> {
        let mut replacements = vec![
            (
                format!("person:{id} ({name})"),
                format!("person:{id} ({pseudonym})"),
            ),
            (email.to_owned(), placeholder.to_owned()),
        ];
        if name.trim().chars().count() >= MIN_FREE_TEXT_NAME {
            replacements.push((name.trim().to_owned(), pseudonym.to_owned()));
        }
        for (table, column) in text_columns(tx, self.backend()).await? {
            if NOT_SCANNED.contains(&table.as_str())
                || !plain_identifier(&table)
                || !plain_identifier(&column)
            {
                continue;
            }
            for (from, to) in &replacements {
                if from.is_empty() {
                    continue;
                }
                // the names come from the schema and are plain identifiers (checked above)
                sqlx::query(&format!(
                    "UPDATE {table} SET {column} = REPLACE({column}, $1, $2) \
                     WHERE {column} LIKE '%' || $3 || '%'"
                ))
                .bind(from)
                .bind(to)
                .bind(from)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }
}
