//! The audit log's hash chain: each entry carries the hash of the one before it, so changing,
//! removing or reordering any entry breaks every link after it.

use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    /// Unix milliseconds.
    pub at: i64,
    /// Who acted (`person:ID` or `token:NAME`).
    pub actor: &'a str,
    /// Their party code, if any.
    pub actor_party: Option<&'a str>,
    /// What happened, e.g. `draft.transition`.
    pub action: &'a str,
    /// The ids involved, as JSON.
    pub subject: &'a str,
}

/// The hash of an entry given the previous entry's hash: hex SHA-256 over the fields,
/// length-prefixed so no two field lists hash alike.
pub fn entry_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let at = fields.at.to_string();
    for part in [
        prev_hash,
        at.as_str(),
        fields.actor,
        fields.actor_party.unwrap_or(""),
        fields.action,
        fields.subject,
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A stored entry, as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Log id.
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// Who acted.
    pub actor: String,
    /// Their party code.
    pub actor_party: Option<String>,
    /// What happened.
    pub action: String,
    /// The ids involved, as JSON.
    pub subject: String,
    /// The previous entry's hash as recorded.
    pub prev_hash: String,
    /// This entry's hash as recorded.
    pub hash: String,
}

/// The first entry where the chain breaks, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// The entry's recorded previous hash is not the hash of the entry before it (an entry was
    /// removed, inserted or reordered).
    #[error("audit entry {id}: its link to the previous entry is broken (an entry before it was removed, inserted or reordered)")]
    BrokenLink {
        /// The entry's id.
        id: i64,
    },
    /// The entry's content does not match its hash (it was changed).
    #[error("audit entry {id}: its content does not match its hash (it was changed)")]
    Altered {
        /// The entry's id.
        id: i64,
    },
}

/// Checks a whole chain, oldest first.
///
/// # Errors
/// The first [`ChainBreak`].
pub fn verify(entries: &[StoredEntry]) -> Result<usize, ChainBreak> {
    let mut prev = GENESIS.to_owned();
    for entry in entries {
        if entry.prev_hash != prev {
            return Err(ChainBreak::BrokenLink { id: entry.id });
        }
        let fields = AuditFields {
            at: entry.at,
            actor: &entry.actor,
            actor_party: entry.actor_party.as_deref(),
            action: &entry.action,
            subject: &entry.subject,
        };
        if entry_hash(&entry.prev_hash, &fields) != entry.hash {
            return Err(ChainBreak::Altered { id: entry.id });
        }
        prev.clone_from(&entry.hash);
    }
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_owned();
        (0..n)
            .map(|i| {
                let subject = format!("{{\"draft\":{i}}}");
                let fields = AuditFields {
                    at: i as i64,
                    actor: "person:1",
                    actor_party: Some("VWS"),
                    action: "draft.update",
                    subject: &subject,
                };
                let hash = entry_hash(&prev, &fields);
                let entry = StoredEntry {
                    id: i as i64 + 1,
                    at: i as i64,
                    actor: "person:1".into(),
                    actor_party: Some("VWS".into()),
                    action: "draft.update".into(),
                    subject: subject.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn tampering_names_the_first_bad_entry() {
        let mut altered = chain(5);
        altered[2].actor = "person:2".into();
        assert_eq!(verify(&altered), Err(ChainBreak::Altered { id: 3 }));
        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify(&removed), Err(ChainBreak::BrokenLink { id: 3 }));
        let mut rehashed = chain(5);
        rehashed[2].subject = "{}".into();
        let fields = AuditFields {
            at: rehashed[2].at,
            actor: &rehashed[2].actor.clone(),
            actor_party: Some("VWS"),
            action: "draft.update",
            subject: "{}",
        };
        rehashed[2].hash = entry_hash(&rehashed[2].prev_hash, &fields);
        assert_eq!(verify(&rehashed), Err(ChainBreak::BrokenLink { id: 4 }));
    }
}
