//! The audit log's hash chain: each entry carries the hash of the one before it, so changing,
//! removing or reordering any entry breaks every link after it.
//!
//! Two schemes (stored per entry): [`SCHEME_NAMED`] entries, written before person removal
//! existed, hash the actor text with the name in it ([`entry_hash`]); [`SCHEME_COMMITTED`]
//! entries hash the actor's stable identity and a salted commitment to the name
//! ([`entry_hash_v2`], [`name_commitment`]), so that erasing a removed person's name and salt
//! changes no hash. `docs/SECURITY.md` ("The audit chain and removal") explains the design.

use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a scheme-1 audit entry that its hash covers.
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

/// The hash of a scheme-1 entry given the previous entry's hash: hex SHA-256 over the fields,
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

/// Entries written before person removal existed: the hash covers the actor text with the
/// name in it (`person:ID (Name)`).
pub const SCHEME_NAMED: i64 = 1;
/// Entries from migration 0015 on: the hash covers the actor's stable identity (`person:ID`)
/// and a salted commitment to their display name, which is stored beside the hash.
pub const SCHEME_COMMITTED: i64 = 2;

/// Domain tag that keeps scheme-2 hashes apart from scheme-1 hashes of the same fields.
const V2_TAG: &str = "polder-audit-v2";
/// Domain tag of a name commitment.
const NAME_TAG: &str = "polder-audit-name";

fn hash_parts(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The commitment to a display name: hex SHA-256 over a tag, the entry's own random salt and
/// the name. Once salt and name are erased, the commitment links to nobody.
pub fn name_commitment(salt: &str, name: &str) -> String {
    hash_parts(&[NAME_TAG, salt, name])
}

/// The fields of a scheme-2 entry that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedFields<'a> {
    /// Unix milliseconds.
    pub at: i64,
    /// The actor's stable identity: `person:ID`, `token:NAME` or `polder`.
    pub actor: &'a str,
    /// [`name_commitment`] of the actor's display name, if they have one.
    pub name_commitment: Option<&'a str>,
    /// Their party code, if any.
    pub actor_party: Option<&'a str>,
    /// What happened.
    pub action: &'a str,
    /// The ids involved, as JSON.
    pub subject: &'a str,
}

/// The hash of a scheme-2 entry given the previous entry's hash.
pub fn entry_hash_v2(prev_hash: &str, fields: &CommittedFields<'_>) -> String {
    let at = fields.at.to_string();
    hash_parts(&[
        V2_TAG,
        prev_hash,
        at.as_str(),
        fields.actor,
        fields.name_commitment.unwrap_or(""),
        fields.actor_party.unwrap_or(""),
        fields.action,
        fields.subject,
    ])
}

/// Splits an actor as the code names it (`person:12 (Anna de Vries)`) into its stable
/// identity (`person:12`) and display name; other actors have no name.
pub fn split_actor(actor: &str) -> (&str, Option<&str>) {
    if actor.starts_with("person:") {
        if let Some(open) = actor.find(" (") {
            if let Some(name) = actor[open + 2..].strip_suffix(')') {
                return (&actor[..open], Some(name));
            }
        }
    }
    (actor, None)
}

/// How a removed person is named from their removal on: `voormalig lid, ZIN` with their
/// party's code, `voormalig lid` without a party.
pub fn pseudonym(party: Option<&str>) -> String {
    match party {
        Some(party) if !party.trim().is_empty() => format!("voormalig lid, {}", party.trim()),
        _ => "voormalig lid".to_owned(),
    }
}

/// The action of the entry that removes a person (its subject is `{"person": ID}`).
pub const PERSON_REMOVE: &str = "person.remove";

/// A stored entry, as read back for verification.
#[derive(Debug, Clone, Default)]
pub struct StoredEntry {
    /// Log id.
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// Who acted: scheme 1 `person:ID (Name)`, scheme 2 `person:ID`.
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
    /// [`SCHEME_NAMED`] or [`SCHEME_COMMITTED`].
    pub scheme: i64,
    /// Scheme 2: the display name (the pseudonym once erased), outside the hash.
    pub actor_name: Option<String>,
    /// Scheme 2: the salt of the name commitment; `None` once erased.
    pub name_salt: Option<String>,
    /// Scheme 2: the commitment the hash covers.
    pub name_commitment: Option<String>,
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
    /// The entry's actor name was erased, but no `person.remove` entry removes that actor.
    #[error("audit entry {id}: its actor's name was erased, but the log holds no removal of that person")]
    ErasedWithoutRemoval {
        /// The entry's id.
        id: i64,
    },
    /// A scheme-1 entry follows a scheme-2 entry, or the scheme is unknown.
    #[error("audit entry {id}: its hash scheme is unknown or older than an entry before it")]
    Scheme {
        /// The entry's id.
        id: i64,
    },
}

/// Whether an entry's recorded hash is the hash of its fields under its own scheme (links and
/// name commitments are not checked here).
pub fn hash_matches(entry: &StoredEntry) -> bool {
    match entry.scheme {
        SCHEME_NAMED => {
            let fields = AuditFields {
                at: entry.at,
                actor: &entry.actor,
                actor_party: entry.actor_party.as_deref(),
                action: &entry.action,
                subject: &entry.subject,
            };
            entry_hash(&entry.prev_hash, &fields) == entry.hash
        }
        SCHEME_COMMITTED => {
            let fields = CommittedFields {
                at: entry.at,
                actor: &entry.actor,
                name_commitment: entry.name_commitment.as_deref(),
                actor_party: entry.actor_party.as_deref(),
                action: &entry.action,
                subject: &entry.subject,
            };
            entry_hash_v2(&entry.prev_hash, &fields) == entry.hash
        }
        _ => false,
    }
}

/// The people whose removal the log records.
fn removed_people(entries: &[StoredEntry]) -> std::collections::HashSet<String> {
    entries
        .iter()
        .filter(|e| e.action == PERSON_REMOVE)
        .filter_map(|e| {
            let subject: serde_json::Value = serde_json::from_str(&e.subject).ok()?;
            Some(format!("person:{}", subject.get("person")?.as_i64()?))
        })
        .collect()
}

/// Checks one scheme-2 entry's hash and its name commitment.
fn check_committed(
    entry: &StoredEntry,
    removed: &std::collections::HashSet<String>,
) -> Result<(), ChainBreak> {
    let altered = ChainBreak::Altered { id: entry.id };
    if !hash_matches(entry) {
        return Err(altered);
    }
    match (&entry.actor_name, &entry.name_salt, &entry.name_commitment) {
        (None, None, None) => Ok(()),
        (Some(name), Some(salt), Some(commitment))
            if &name_commitment(salt, name) == commitment =>
        {
            Ok(())
        }
        (Some(_), Some(_), Some(_)) => Err(altered),
        // erased: only allowed for a person whose removal is on the record
        (_, None, Some(_)) if removed.contains(&entry.actor) => Ok(()),
        (_, None, Some(_)) => Err(ChainBreak::ErasedWithoutRemoval { id: entry.id }),
        _ => Err(altered),
    }
}

/// Checks a whole chain, oldest first. Scheme-1 entries are checked with [`entry_hash`],
/// scheme-2 entries with [`entry_hash_v2`] and their name commitment; once a scheme-2 entry
/// has been seen, a scheme-1 entry is a break. A scheme-2 entry whose name and salt are
/// erased verifies only when the log also holds the removal of that person.
///
/// # Errors
/// The first [`ChainBreak`].
pub fn verify(entries: &[StoredEntry]) -> Result<usize, ChainBreak> {
    let removed = removed_people(entries);
    let mut prev = GENESIS.to_owned();
    let mut committed_seen = false;
    for entry in entries {
        if entry.prev_hash != prev {
            return Err(ChainBreak::BrokenLink { id: entry.id });
        }
        match entry.scheme {
            SCHEME_NAMED if !committed_seen => {
                if !hash_matches(entry) {
                    return Err(ChainBreak::Altered { id: entry.id });
                }
            }
            SCHEME_COMMITTED => {
                committed_seen = true;
                check_committed(entry, &removed)?;
            }
            _ => return Err(ChainBreak::Scheme { id: entry.id }),
        }
        prev.clone_from(&entry.hash);
    }
    Ok(entries.len())
}

#[cfg(test)]
#[path = "audit_chain_tests.rs"]
mod v2_tests;

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
                    scheme: SCHEME_NAMED,
                    ..StoredEntry::default()
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
