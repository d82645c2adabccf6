//! The archive of a body: its complete record as one zip file, written by `polder export
//! archive` and `GET /api/bodies/{id}/archive.zip`, checked by `polder export verify`.
//!
//! # Layout
//! - [`names`]: the file names inside the archive, built from ids and slugs only, and the
//!   check every name passes (no `..`, no absolute path, a short safe alphabet).
//! - [`tables`]: record sets as CSV (a column per top-level field).
//! - [`concerns`]: which audit entries concern the body.
//! - [`manifest`] describes `manifest.json` (every file's size and SHA-256, the audit chain's head)
//!   and [`manifest::verify`], the bounded check of an archive against its manifest.
//! - [`writer`]: [`writer::ArchiveWriter`], which streams entries into a zip and records them
//!   for the manifest.
//! - [`gather`]: the only part doing IO: reads the body's records through the existing
//!   storage loaders, renders the documents with the existing writers and hands each file
//!   to the writer as soon as it is made.
//!
//! Everything but [`gather`] is free of IO beyond the `Read`/`Write` it is given and is
//! unit-tested without a database.

pub mod concerns;
pub mod gather;
pub mod manifest;
pub mod names;
pub mod tables;
pub mod writer;

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A name built for an entry is not safe (a bug, never user input: names are built from
    /// ids and slugs).
    #[error("unsafe file name in the archive: {0:?}")]
    UnsafeName(String),
    /// The same name was written twice.
    #[error("file {0:?} is already in the archive")]
    Duplicate(String),
    /// The archive grew past [`MAX_ARCHIVE_BYTES`] or [`MAX_ENTRIES`].
    #[error("the archive would be larger than its limit ({0}); export a smaller body")]
    TooLarge(String),
    /// The zip writer failed.
    #[error("could not write the zip file: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing failed.
    #[error("could not write the archive: {0}")]
    Io(#[from] std::io::Error),
    /// A record could not be written as JSON or CSV.
    #[error("could not write a record set: {0}")]
    Encode(String),
    /// A storage query failed.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// The body does not exist.
    #[error("no such body")]
    NoBody,
}

impl From<serde_json::Error> for ArchiveError {
    fn from(error: serde_json::Error) -> Self {
        Self::Encode(error.to_string())
    }
}

impl From<csv::Error> for ArchiveError {
    fn from(error: csv::Error) -> Self {
        Self::Encode(error.to_string())
    }
}

/// Most files one archive holds (written or accepted by the verifier).
pub const MAX_ENTRIES: usize = 100_000;

/// Most bytes (uncompressed, all files together) one archive holds.
pub const MAX_ARCHIVE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Largest single file (uncompressed) in an archive.
pub const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
