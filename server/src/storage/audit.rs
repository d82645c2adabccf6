//! The append-only audit log, hash-chained (see [`crate::domain::audit_chain`]).
//!
//! A state change appends its entry inside its own write transaction with [`append_in`], so the
//! change and its entry are committed together or not at all. [`SqlStorage::append_audit`] is
//! the same append in a transaction of its own, for an entry that is not part of one change
//! made here (the demo seeding's closing entry; the command line's document grant, whose
//! document is created elsewhere).
//!
//! # Why the chain never forks
//! Two appends must never read the same last hash. Every append runs in a write transaction
//! and reads the last hash only once it holds the lock that serialises appends:
//! - SQLite: [`SqlStorage::begin_write`] takes the database write lock at `BEGIN IMMEDIATE`, so
//!   a whole write transaction, its append included, is serialised against every other writer
//!   (in this process and any other).
//! - PostgreSQL: [`append_in`] takes a transaction-scoped advisory lock before it reads the
//!   last hash; it is held until the transaction commits or rolls back.
//!
//! [`SqlStorage::append_audit`] additionally queues its callers on an in-process mutex, which
//! [`append_in`] does not take: a transaction that already holds the SQLite write lock never
//! waits for the mutex, so the mutex holder (waiting for the write lock) and the lock holder
//! cannot wait for each other. On PostgreSQL a change appends its entry as its last write, so
//! a transaction waiting for the advisory lock may hold row locks, but the one holding the
//! advisory lock needs none of them any more.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::sql::Backend;
use super::{now_ms, SqlStorage, StorageError};
use crate::domain::audit_chain::{self, CommittedFields, StoredEntry, GENESIS, SCHEME_COMMITTED};

/// Advisory-lock key that serialises audit appends on PostgreSQL.
pub(crate) const AUDIT_LOCK_KEY: i64 = 0x706f_6c64_6175_6469; // "poldaudi"

/// Who made a change, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `person:ID (name)`, a token's name, or `polder` for the server itself.
    pub name: String,
    /// Their party code, if any.
    pub party: Option<String>,
}

impl Actor {
    /// A person, named as the log names people: `person:ID (name)`.
    pub fn person(id: i64, name: &str, party: Option<String>) -> Self {
        Self {
            name: format!("person:{id} ({name})"),
            party,
        }
    }
}

/// Appends an entry to the chain inside `tx`, a transaction from
/// [`SqlStorage::begin_write`]; it is committed (or rolled back) with the rest of `tx`. Append
/// it as the transaction's last write (see the module documentation). Returns the entry's id.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped, not committed.
pub async fn append_in(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    actor: &Actor,
    action: &str,
    subject: &serde_json::Value,
) -> Result<i64, StorageError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK_KEY)
            .execute(&mut **tx)
            .await?;
    }
    let prev: String = sqlx::query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?
        .map(|row| row.try_get("hash"))
        .transpose()?
        .unwrap_or_else(|| GENESIS.to_owned());
    let subject = subject.to_string();
    let at = now_ms();
    // the hash covers who acted (`person:ID`) and a salted commitment to their name, so a
    // removal can erase the name and salt without touching any hash (docs/SECURITY.md)
    let (identity, name) = audit_chain::split_actor(&actor.name);
    let salt = name.map(|_| new_salt());
    let commitment = name
        .zip(salt.as_deref())
        .map(|(name, salt)| audit_chain::name_commitment(salt, name));
    let hash = audit_chain::entry_hash_v2(
        &prev,
        &CommittedFields {
            at,
            actor: identity,
            name_commitment: commitment.as_deref(),
            actor_party: actor.party.as_deref(),
            action,
            subject: &subject,
        },
    );
    let row = sqlx::query(
        "INSERT INTO audit_log (at, actor, actor_party, action, subject, prev_hash, hash, \
         scheme, actor_name, name_salt, name_commitment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(at)
    .bind(identity)
    .bind(actor.party.as_deref())
    .bind(action)
    .bind(&subject)
    .bind(&prev)
    .bind(&hash)
    .bind(SCHEME_COMMITTED)
    .bind(name)
    .bind(salt.as_deref())
    .bind(commitment.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    let id = row.try_get("id")?;
    // an event (a mention, a status change, …) waits in the outbox, committed with the change
    super::events::record_in(tx, id, action).await?;
    Ok(id)
}

/// A fresh random salt for a name commitment (128 bits, hex).
pub(crate) fn new_salt() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How the API and exports show an entry's actor: `person:ID (name)` when a name is stored
/// beside the stable identity (scheme 2), the actor text as stored otherwise.
pub(crate) fn shown_actor(actor: String, name: Option<String>) -> String {
    match name {
        Some(name) => format!("{actor} ({name})"),
        None => actor,
    }
}

/// An audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Log id.
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    /// Who acted.
    pub actor: String,
    /// Their party.
    pub actor_party: Option<String>,
    /// What happened.
    pub action: String,
    /// The ids involved.
    #[schema(value_type = Object)]
    pub subject: serde_json::Value,
    /// This entry's hash.
    pub hash: String,
}

impl SqlStorage {
    /// Appends an entry to the chain in a transaction of its own.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn append_audit(
        &self,
        actor: &str,
        actor_party: Option<&str>,
        action: &str,
        subject: &serde_json::Value,
    ) -> Result<i64, StorageError> {
        let actor = Actor {
            name: actor.to_owned(),
            party: actor_party.map(str::to_owned),
        };
        let _serialised = self.audit_lock().lock().await;
        let mut tx = self.begin_write().await?;
        let id = append_in(&mut tx, self.backend(), &actor, action, subject).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Entries newest first, `limit` from `offset`, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_audit(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, i64), StorageError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_name, actor_party, action, subject, hash FROM audit_log \
             ORDER BY id DESC LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let entries = rows
            .iter()
            .map(|row| {
                let subject: String = row.try_get("subject")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: shown_actor(row.try_get("actor")?, row.try_get("actor_name")?),
                    actor_party: row.try_get("actor_party")?,
                    action: row.try_get("action")?,
                    subject: serde_json::from_str(&subject)
                        .unwrap_or(serde_json::Value::String(subject)),
                    hash: row.try_get("hash")?,
                })
            })
            .collect::<Result<_, StorageError>>()?;
        Ok((entries, total))
    }

    /// Reads the whole chain, oldest first, for verification.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn audit_chain(&self) -> Result<Vec<StoredEntry>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, actor_party, action, subject, prev_hash, hash, scheme, \
             actor_name, name_salt, name_commitment FROM audit_log ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    actor_party: row.try_get("actor_party")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                    scheme: row.try_get("scheme")?,
                    actor_name: row.try_get("actor_name")?,
                    name_salt: row.try_get("name_salt")?,
                    name_commitment: row.try_get("name_commitment")?,
                })
            })
            .collect()
    }
}
