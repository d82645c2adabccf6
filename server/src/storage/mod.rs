//! Durable storage: the [`Storage`] trait and its SQL implementation.
//!
//! # Layout
//! - [`Storage`]: everything the server persists, as one async trait, so the hub and the HTTP
//!   layer never see SQL and tests can put a failing store in its place.
//! - [`sql::SqlStorage`]: the sqlx implementation for SQLite (embedded default, WAL mode) and
//!   PostgreSQL (multi-node), sharing one set of queries.
//! - [`persister::Persister`]: the group-commit writer that stores document updates from every
//!   document in few, large transactions.
//! - one file per working-group resource, as inherent methods of [`SqlStorage`]: [`parties`],
//!   [`people`], [`bodies`], [`drafts`], [`audit`].

pub mod access_epoch;
pub mod attribution;
pub mod audit;
pub mod bodies;
pub mod comments;
pub mod drafts;
pub mod escalation;
pub mod governance;
pub mod parties;
pub mod people;
pub mod persister;
pub mod sql;
pub mod throttle;
pub mod tokens;
pub mod version_quota;

use async_trait::async_trait;
use bytes::Bytes;
use polder_shared::DocId;

pub use crate::clock::now_ms;
pub use persister::Persister;
pub use sql::SqlStorage;
pub use sql::{yjs_client_from_i64, yjs_client_to_i64};

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
}

/// A document's stored state: the latest snapshot and the updates stored after it.
#[derive(Debug, Default)]
pub struct LoadedDocument {
    /// The compacted state (a Yjs v1 update), if the log was ever compacted.
    pub snapshot: Option<Vec<u8>>,
    /// The log id the snapshot covers (0 without a snapshot).
    pub snapshot_upto: i64,
    /// Updates stored after the snapshot, oldest first, with their log ids.
    pub updates: Vec<(i64, Vec<u8>)>,
    /// Whether the document is read-only for everyone (a draft past `concept`).
    pub frozen: bool,
}

impl LoadedDocument {
    /// The id of the newest log entry this state includes (0 for a document never written).
    pub fn last_id(&self) -> i64 {
        self.updates
            .last()
            .map_or(self.snapshot_upto, |(id, _)| *id)
    }
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
}

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

/// The role a person has on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocRole {
    /// May read and follow the document.
    Reader,
    /// May also change it.
    Writer,
}

impl DocRole {
    /// The role's name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocRole::Reader => "reader",
            DocRole::Writer => "writer",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "reader" => Some(DocRole::Reader),
            "writer" => Some(DocRole::Writer),
            _ => None,
        }
    }
}

/// Everything Polder keeps durably.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StorageError>;

    // --- documents ---

    /// Whether a document with this id exists.
    async fn document_exists(&self, doc_id: &DocId) -> Result<bool, StorageError>;
    /// Creates a document if it does not exist yet; returns whether it was created.
    async fn create_document(&self, doc_id: &DocId, created_by: &str)
        -> Result<bool, StorageError>;
    /// Loads a document's snapshot and the updates stored after it.
    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError>;
    /// Appends the updates of several documents in one transaction; returns, per batch, the log
    /// id of its last update.
    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<i64>, StorageError>;
    /// Replaces the log up to `upto_id` by `snapshot`, which must contain all of it. A snapshot
    /// covering less than the stored one is ignored, so compactions may race safely.
    async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_id: i64,
    ) -> Result<(), StorageError>;
    /// Who owns which Yjs client id of a document (recorded on first sight).
    async fn client_claims(&self, doc_id: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError>;
    /// Number of log entries (not snapshots) stored for a document.
    async fn update_count(&self, doc_id: &DocId) -> Result<i64, StorageError>;

    // --- people and access ---

    /// Creates a person; fails with [`StorageError::AlreadyExists`] on a taken e-mail address.
    async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<i64, StorageError>;
    /// Finds a person by e-mail address (case-insensitive).
    async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StorageError>;
    /// Finds a person by id.
    async fn find_user(&self, id: i64) -> Result<Option<UserRecord>, StorageError>;
    /// Stores a new API token by its hash.
    async fn create_token(
        &self,
        name: &str,
        scope: &str,
        token_hash: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StorageError>;
    /// Finds a live (not revoked) token by its hash.
    async fn find_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StorageError>;
    /// Stores a session by the hash of its cookie value.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<(), StorageError>;
    /// Finds the person behind an unexpired session.
    async fn find_session_user(
        &self,
        id_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StorageError>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> Result<(), StorageError>;
    /// Gives a person a role on a document (replacing any earlier role).
    async fn grant_document(
        &self,
        doc_id: &DocId,
        user_id: i64,
        role: DocRole,
    ) -> Result<(), StorageError>;
    /// The role a person has on a document, if any.
    async fn document_role(
        &self,
        doc_id: &DocId,
        user_id: i64,
    ) -> Result<Option<DocRole>, StorageError>;
}
