//! Durable storage: one database handle, [`SqlStorage`], and the narrow [`DocStore`] the
//! document hub sees.
//!
//! # Layout
//! - [`sql::SqlStorage`]: the one handle, over sqlx, for SQLite (embedded default, WAL mode) and
//!   PostgreSQL (multi-node), sharing one set of queries: the pool, connecting, migrating and
//!   the helpers the resource files share.
//! - [`DocStore`]: only the document operations the hub and the [`Persister`] use (load, append,
//!   compact, client claims), so their unit tests run on an in-memory or failing store.
//!   [`SqlStorage`] implements it in [`documents`].
//! - [`persister::Persister`]: the group-commit writer that stores document updates from every
//!   document in few, large transactions.
//! - one file per resource, as inherent methods of [`SqlStorage`]: [`documents`], [`users`],
//!   [`tokens`], [`sessions`], [`grants`], and the working group's [`parties`], [`people`],
//!   [`bodies`], [`drafts`], [`audit`], [`governance`], [`escalation`] and the rest.

pub mod access_epoch;
mod append_sql;
pub mod attribution;
pub mod audit;
pub mod audit_rechain;
pub mod bodies;
pub mod comments;
pub mod consent;
pub mod decisions;
pub mod documents;
pub mod drafts;
pub mod escalation;
pub mod events;
pub mod governance;
pub mod grants;
mod log_append;
pub mod meetings;
pub mod parties;
pub mod people;
pub mod persister;
pub mod person_removal;
pub mod personal_data;
pub mod sessions;
pub mod single_process;
pub mod sql;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod version_quota;

use async_trait::async_trait;
use bytes::Bytes;
use polder_shared::DocId;

pub use crate::clock::now_ms;
pub use grants::DocRole;
pub use persister::Persister;
pub use sql::{yjs_client_from_i64, yjs_client_to_i64};
pub use sql::{Backend, SqlStorage};
pub use tokens::TokenRecord;
pub use users::UserRecord;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A unique value (an e-mail address, a token) already exists.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// The database URL names a backend Polder does not support.
    #[error("unsupported database URL: use sqlite://PATH or postgres://...")]
    UnsupportedUrl,
    /// The group-commit writer has stopped (the server is shutting down).
    #[error("the storage writer has stopped")]
    WriterStopped,
    /// Creating the data directory failed.
    #[error("cannot create data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The audit log does not verify, so it was not re-chained (see `audit_rechain`).
    #[error("the audit log does not verify at entry {0}; it was not moved to the new hash scheme (run `polder audit verify`)")]
    AuditChainBroken(i64),
    /// A stored row holds a value Polder does not know (e.g. an unknown status): the row is
    /// corrupt or was written by a newer version.
    #[error("corrupt row: unknown {column} {value:?}")]
    Corrupt {
        /// The column.
        column: &'static str,
        /// The stored value.
        value: String,
    },
}

/// Decodes a stored name (a status, role or kind) with `parse`.
///
/// # Errors
/// [`StorageError::Corrupt`] when `parse` does not know the value.
pub(crate) fn decode<T>(
    column: &'static str,
    value: String,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StorageError> {
    parse(&value).ok_or(StorageError::Corrupt { column, value })
}

/// Reads the column `column` of `row` and decodes it with `parse`.
///
/// # Errors
/// Storage errors, and [`StorageError::Corrupt`] when `parse` does not know the value.
pub(crate) fn get_decoded<T>(
    row: &sqlx::any::AnyRow,
    column: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StorageError> {
    use sqlx::Row;
    decode(column, row.try_get(column)?, parse)
}

/// A document's stored state: the latest snapshot and the log rows stored after it.
#[derive(Debug, Default)]
pub struct LoadedDocument {
    /// The compacted state (a Yjs v1 update), if the log was ever compacted.
    pub snapshot: Option<Vec<u8>>,
    /// The log sequence number the snapshot covers (0 without a snapshot).
    pub snapshot_upto: i64,
    /// Log rows stored after the snapshot, oldest first, with their sequence numbers.
    pub updates: Vec<(i64, Vec<u8>)>,
    /// The document's head sequence number, read before the rows: every row up to it is in
    /// the snapshot or among `updates`.
    pub head_seq: i64,
    /// Whether the document is read-only for everyone (a draft past `concept`).
    pub frozen: bool,
}

/// What one batch of a group commit came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Stored as the log rows `first_seq..=last_seq` of its document.
    Stored {
        /// Sequence number of the batch's first update.
        first_seq: i64,
        /// Sequence number of its last update.
        last_seq: i64,
    },
    /// Not stored; the other batches of the commit were.
    Refused(AppendRefusal),
}

/// Why the append statement refused a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AppendRefusal {
    /// The document was frozen (by any process) before the batch reached the database.
    #[error("the document is frozen")]
    Frozen,
    /// Another person's connection (on any process) claimed one of the batch's Yjs client ids.
    #[error("Yjs client {0} belongs to someone else")]
    ClientClaimed(u64),
    /// The document does not exist.
    #[error("the document does not exist")]
    NoDocument,
}

/// A document's log after a sequence number, to catch up with what other processes stored.
#[derive(Debug, Default)]
pub struct LogTail {
    /// The head sequence number, read before the rows.
    pub head_seq: i64,
    /// Whether the document is frozen.
    pub frozen: bool,
    /// Rows above the asked-for number, oldest first (at most [`LOG_TAIL_ROWS`]).
    pub updates: Vec<(i64, Vec<u8>)>,
    /// The snapshot with the number it covers, when rows above the asked-for number were
    /// compacted away.
    pub snapshot: Option<(i64, Vec<u8>)>,
}

/// Most rows one [`DocStore::log_after`] call returns; a caller further behind asks again.
pub const LOG_TAIL_ROWS: i64 = 2000;

/// What a compaction came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    /// The snapshot was stored and the rows it covers deleted.
    Written,
    /// A stored snapshot already covers as much or more; nothing changed.
    Superseded,
}

/// A loaded document's head, as the periodic check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocHead {
    /// The document.
    pub doc_id: DocId,
    /// Its head sequence number.
    pub head_seq: i64,
    /// Whether it is frozen.
    pub frozen: bool,
}

/// One document's updates to store in a group commit, with who brought them.
#[derive(Debug, Clone)]
pub struct UpdateBatch {
    /// The document the updates belong to.
    pub doc_id: DocId,
    /// Encoded Yjs v1 updates, in the order they were applied.
    pub updates: Vec<Bytes>,
    /// Yjs client ids first seen in these updates, with the person who sent them.
    pub claims: Vec<ClientClaim>,
    /// Id ranges first deleted by these updates, with the person who deleted them.
    pub deletions: Vec<DeletionRecord>,
}

/// "This Yjs client's content was first sent by this person."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientClaim {
    /// Yjs client id.
    pub client: u64,
    /// The person (none for service tokens).
    pub user_id: Option<i64>,
    /// How to name them if the person is gone (`Name (PARTY)` or `token:NAME`).
    pub label: String,
}

/// "This person's connection first deleted these items."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRecord {
    /// The deleted items' Yjs client id.
    pub client: u64,
    /// First clock.
    pub start: u32,
    /// End clock (exclusive).
    pub end: u32,
    /// The person.
    pub user_id: Option<i64>,
    /// How to name them.
    pub label: String,
}

/// The document operations the hub and the group-commit writer need, and nothing else.
#[async_trait]
pub trait DocStore: Send + Sync + 'static {
    /// Loads a document's snapshot and the rows stored after it, with its head.
    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError>;
    /// Who owns which Yjs client id of a document (recorded on first sight).
    async fn client_claims(&self, doc_id: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError>;
    /// Appends the updates of several documents in one transaction; returns, per batch, the
    /// sequence numbers it got or why it was refused.
    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<Appended>, StorageError>;
    /// Replaces the rows up to `upto_seq` by `snapshot`, which must contain all of them. Only a
    /// snapshot covering more than the stored one is written, so any number of processes may
    /// compact the same document.
    async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<Compaction, StorageError>;
    /// The rows stored after `after_seq` (and the snapshot, when some were compacted away).
    async fn log_after(&self, doc_id: &DocId, after_seq: i64) -> Result<LogTail, StorageError>;
    /// Freezes or unfreezes a document for every process; returns its head sequence number,
    /// after which no update is stored while it stays frozen.
    async fn set_frozen(&self, doc_id: &DocId, frozen: bool) -> Result<i64, StorageError>;
    /// The heads of these documents (those that exist).
    async fn heads(&self, doc_ids: &[DocId]) -> Result<Vec<DocHead>, StorageError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::BodyRole;

    #[test]
    fn an_unknown_stored_name_is_a_corrupt_row() {
        assert_eq!(
            decode("role", "chair".to_owned(), BodyRole::parse).ok(),
            Some(BodyRole::Chair)
        );
        match decode("role", "admin".to_owned(), BodyRole::parse) {
            Err(StorageError::Corrupt { column, value }) => {
                assert_eq!((column, value.as_str()), ("role", "admin"));
            }
            other => panic!("expected a corrupt row, got {other:?}"),
        }
    }
}
