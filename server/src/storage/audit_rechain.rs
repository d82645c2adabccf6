//! The one-time move of the audit log to the committed hash scheme (scheme 2, see
//! [`crate::domain::audit_chain`]), run when the database is opened after migration 0015.
//!
//! Entries written before 0015 (scheme 1) hash the actor text with the person's name in it,
//! so a name could not be erased without breaking the chain. Re-chaining rewrites every entry
//! once, oldest first: the actor becomes its stable identity (`person:ID`), the name moves
//! beside the hash with a fresh salt and commitment, and every hash is recomputed; actions,
//! subjects, times and parties are not changed. The step then appends `audit.rechain`, whose subject records the
//! old chain head's id and hash: anyone who kept that head can see when and how the chain
//! changed scheme, and the change is itself covered by the new chain.
//!
//! It runs in one write transaction holding the lock that serialises appends, so no entry can
//! be appended in between, and a second server starting at the same time finds nothing left.

use sqlx::Row;

use super::audit::{append_in, new_salt, Actor, AUDIT_LOCK_KEY};
use super::sql::Backend;
use super::{SqlStorage, StorageError};
use crate::domain::audit_chain::{self, CommittedFields, StoredEntry, GENESIS, SCHEME_COMMITTED};

/// Entries read at a time while re-chaining (memory stays bounded on a long log).
const BATCH: i64 = 500;

/// What a re-chaining did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rechained {
    /// Entries rewritten.
    pub entries: i64,
    /// The old chain head's hash, as recorded in the `audit.rechain` entry.
    pub old_head: String,
    /// The `audit.rechain` entry's id.
    pub entry: i64,
}

impl SqlStorage {
    /// Moves scheme-1 entries to scheme 2 and records it (see the module documentation);
    /// `None` when there was nothing to move.
    ///
    /// # Errors
    /// [`StorageError::AuditChainBroken`] when the stored chain does not verify (it is left
    /// as it is, for `polder audit verify` to report), or storage errors; nothing is changed
    /// then.
    pub async fn rechain_legacy_audit(&self) -> Result<Option<Rechained>, StorageError> {
        let legacy = sqlx::query("SELECT id FROM audit_log WHERE scheme = 1 LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        if legacy.is_none() {
            return Ok(None);
        }
        let _serialised = self.audit_lock().lock().await;
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(AUDIT_LOCK_KEY)
                .execute(&mut *tx)
                .await?;
        }
        let legacy = sqlx::query("SELECT id FROM audit_log WHERE scheme = 1 LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        if legacy.is_none() {
            return Ok(None);
        }
        let head = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut *tx)
            .await?;
        let (old_id, old_head): (i64, String) = (head.try_get("id")?, head.try_get("hash")?);
        let mut prev = GENESIS.to_owned();
        // the chain as stored: checked entry by entry before it is rewritten, so that
        // re-chaining never launders a change made before it
        let mut stored_prev = GENESIS.to_owned();
        let mut after = 0_i64;
        let mut entries = 0_i64;
        loop {
            let rows = sqlx::query(
                "SELECT id, at, actor, actor_party, action, subject, scheme, actor_name, \
                 name_salt, name_commitment, prev_hash, hash FROM audit_log \
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let id: i64 = row.try_get("id")?;
                let at: i64 = row.try_get("at")?;
                let actor: String = row.try_get("actor")?;
                let party: Option<String> = row.try_get("actor_party")?;
                let action: String = row.try_get("action")?;
                let subject: String = row.try_get("subject")?;
                let scheme: i64 = row.try_get("scheme")?;
                let stored = StoredEntry {
                    id,
                    at,
                    actor: actor.clone(),
                    actor_party: party.clone(),
                    action: action.clone(),
                    subject: subject.clone(),
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                    scheme,
                    actor_name: None,
                    name_salt: None,
                    name_commitment: row.try_get("name_commitment")?,
                };
                if stored.prev_hash != stored_prev || !audit_chain::hash_matches(&stored) {
                    return Err(StorageError::AuditChainBroken(id));
                }
                stored_prev = stored.hash;
                let (identity, name, salt, commitment, subject) = if scheme == SCHEME_COMMITTED {
                    (
                        actor.clone(),
                        row.try_get::<Option<String>, _>("actor_name")?,
                        row.try_get::<Option<String>, _>("name_salt")?,
                        row.try_get::<Option<String>, _>("name_commitment")?,
                        subject,
                    )
                } else {
                    let (identity, name) = audit_chain::split_actor(&actor);
                    let salt = name.map(|_| new_salt());
                    let commitment = name
                        .zip(salt.as_deref())
                        .map(|(n, s)| audit_chain::name_commitment(s, n));
                    (
                        identity.to_owned(),
                        name.map(str::to_owned),
                        salt,
                        commitment,
                        subject,
                    )
                };
                let hash = audit_chain::entry_hash_v2(
                    &prev,
                    &CommittedFields {
                        at,
                        actor: &identity,
                        name_commitment: commitment.as_deref(),
                        actor_party: party.as_deref(),
                        action: &action,
                        subject: &subject,
                    },
                );
                sqlx::query(
                    "UPDATE audit_log SET actor = $1, actor_name = $2, name_salt = $3, \
                     name_commitment = $4, subject = $5, scheme = $6, prev_hash = $7, hash = $8 \
                     WHERE id = $9",
                )
                .bind(&identity)
                .bind(name.as_deref())
                .bind(salt.as_deref())
                .bind(commitment.as_deref())
                .bind(&subject)
                .bind(SCHEME_COMMITTED)
                .bind(&prev)
                .bind(&hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                prev = hash;
                after = id;
                entries += 1;
            }
        }
        let subject = serde_json::json!({
            "old_head_entry": old_id, "old_head": old_head, "entries": entries,
            "scheme": SCHEME_COMMITTED,
        });
        let actor = Actor {
            name: "polder".to_owned(),
            party: None,
        };
        let entry = append_in(&mut tx, self.backend(), &actor, "audit.rechain", &subject).await?;
        tx.commit().await?;
        tracing::warn!(
            entries,
            old_head = %old_head,
            "audit log moved to hash scheme 2 (recorded as audit entry {entry})"
        );
        Ok(Some(Rechained {
            entries,
            old_head,
            entry,
        }))
    }
}
