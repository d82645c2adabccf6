//! `manifest.json`, the archive's table of contents, and [`verify`], the check of an archive
//! against it.
//!
//! The manifest names the format version, the body, when and by which Polder version the
//! archive was made, every other file with its size in bytes and hex SHA-256, and the audit
//! chain's head: the hash of the newest entry (which covers the whole chain before it) and
//! whether the chain verified when the archive was made.
//!
//! [`verify`] reads an archive as hostile input: it refuses more than
//! [`Limits::max_entries`] files, a file larger than [`Limits::max_entry_bytes`] (counted
//! while decompressing, so a file that claims to be small cannot expand without bound),
//! more than [`Limits::max_total_bytes`] together, and any name that fails
//! [`super::names::check`]. It then requires every listed file to be present with the listed
//! size and hash and no file to be present that is not listed, and names the first problem.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::names;

/// The manifest's own name; it is the one file it does not list.
pub const MANIFEST_NAME: &str = "manifest.json";

/// The archive format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Largest manifest read, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// The body an archive is of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodyRef {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind (`working_group`, …).
    pub kind: String,
}

/// The audit chain when the archive was made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditHead {
    /// Hash of the newest entry of the whole chain (not only the body's entries); `None` for
    /// an empty log.
    pub head_hash: Option<String>,
    /// Id of that entry.
    pub head_id: Option<i64>,
    /// Entries in the whole chain.
    pub entries: usize,
    /// Whether the whole chain verified.
    pub verified: bool,
    /// The first broken entry, when it did not.
    pub problem: Option<String>,
}

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Its name inside the zip.
    pub name: String,
    /// Its size in bytes (uncompressed).
    pub bytes: u64,
    /// Hex SHA-256 of its content.
    pub sha256: String,
}

/// A document that could not be rendered, so the archive holds its JSON only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Skipped {
    /// The file that is missing.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The body.
    pub body: BodyRef,
    /// When it was made, Unix ms.
    pub generated_at: i64,
    /// The same moment, RFC 3339 UTC.
    pub generated_at_utc: String,
    /// The Polder version that made it.
    pub polder_version: String,
    /// The audit chain's head.
    pub audit: AuditHead,
    /// Every other file, in the order written.
    pub files: Vec<FileEntry>,
    /// Documents that could not be rendered.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bounds [`verify`] reads an archive within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most files.
    pub max_entries: usize,
    /// Largest file, uncompressed.
    pub max_entry_bytes: u64,
    /// Most bytes together, uncompressed.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: super::MAX_ENTRIES,
            max_entry_bytes: super::MAX_ENTRY_BYTES,
            max_total_bytes: super::MAX_ARCHIVE_BYTES,
        }
    }
}

/// The first problem [`verify`] found.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a zip file, or a damaged one.
    #[error("not a readable zip file: {0}")]
    Unreadable(String),
    /// More files than allowed.
    #[error("the archive holds {found} files, more than the limit of {limit}")]
    TooManyEntries {
        /// Files found.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A name that could escape the folder it is unpacked in, or is otherwise unsafe.
    #[error("unsafe file name {name:?}: {reason}")]
    UnsafeName {
        /// The name (lossy).
        name: String,
        /// What is wrong with it.
        reason: names::BadName,
    },
    /// The same name twice.
    #[error("file {0:?} appears twice in the archive")]
    Duplicate(String),
    /// A file larger than allowed.
    #[error("file {name:?} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        name: String,
        /// The limit.
        limit: u64,
    },
    /// No manifest.
    #[error("the archive has no {MANIFEST_NAME}")]
    NoManifest,
    /// The manifest is not valid.
    #[error("{MANIFEST_NAME} is not valid: {0}")]
    BadManifest(String),
    /// A listed file is absent.
    #[error("file {0:?} is listed in the manifest but missing from the archive")]
    Missing(String),
    /// A file that the manifest does not list.
    #[error("file {0:?} is in the archive but not listed in the manifest")]
    Unlisted(String),
    /// A file whose size or hash differs from the manifest.
    #[error("file {name:?} differs from the manifest ({what}): it was changed after export")]
    Tampered {
        /// The file.
        name: String,
        /// `size` or `SHA-256`.
        what: &'static str,
    },
}

/// What a verified archive holds.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The manifest.
    pub manifest: Manifest,
    /// Files checked (the manifest not counted).
    pub files: usize,
    /// Their bytes together.
    pub bytes: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = &self.manifest;
        writeln!(
            f,
            "archive intact: {} files, {} bytes",
            self.files, self.bytes
        )?;
        writeln!(
            f,
            "body: {} (id {}, {})",
            m.body.name, m.body.id, m.body.kind
        )?;
        writeln!(
            f,
            "made: {} by Polder {}, format {}",
            m.generated_at_utc, m.polder_version, m.format_version
        )?;
        let head = m.audit.head_hash.as_deref().unwrap_or("(empty log)");
        let state = if m.audit.verified {
            "verified at export"
        } else {
            "NOT verified at export"
        };
        write!(
            f,
            "audit chain: {} entries, head {head}, {state}",
            m.audit.entries
        )?;
        if !m.skipped.is_empty() {
            write!(
                f,
                "\nnot rendered: {} documents (see the manifest)",
                m.skipped.len()
            )?;
        }
        Ok(())
    }
}

fn unreadable(error: impl std::fmt::Display) -> VerifyError {
    VerifyError::Unreadable(error.to_string())
}

/// Reads entry `index` fully, refusing more than `limit` bytes; returns its bytes.
fn read_bounded<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, VerifyError> {
    let file = archive.by_index(index).map_err(unreadable)?;
    if file.size() > limit {
        return Err(VerifyError::TooLarge {
            name: name.to_owned(),
            limit,
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(VerifyError::TooLarge {
            name: name.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// Hashes entry `index` as it is decompressed, refusing more than `limit` bytes; returns its
/// size and hex SHA-256.
fn hash_bounded<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    name: &str,
    limit: u64,
) -> Result<(u64, String), VerifyError> {
    let file = archive.by_index(index).map_err(unreadable)?;
    if file.size() > limit {
        return Err(VerifyError::TooLarge {
            name: name.to_owned(),
            limit,
        });
    }
    let mut reader = file.take(limit.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(VerifyError::TooLarge {
                name: name.to_owned(),
                limit,
            });
        }
        hasher.update(&buffer[..n]);
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// Checks the archive read from `reader` against its manifest, within `limits`.
///
/// # Errors
/// The first problem found, as a [`VerifyError`].
pub fn verify<R: Read + Seek>(reader: R, limits: &Limits) -> Result<Summary, VerifyError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(unreadable)?;
    if archive.len() > limits.max_entries {
        return Err(VerifyError::TooManyEntries {
            found: archive.len(),
            limit: limits.max_entries,
        });
    }
    // every name first, before anything is decompressed
    let mut entry_names = Vec::with_capacity(archive.len());
    let mut seen = BTreeSet::new();
    for index in 0..archive.len() {
        let name = match archive.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            Some(Err(error)) => return Err(unreadable(error)),
            None => return Err(unreadable(format!("entry {index} has no name"))),
        };
        names::check(&name).map_err(|reason| VerifyError::UnsafeName {
            name: name.clone(),
            reason,
        })?;
        if !seen.insert(name.clone()) {
            return Err(VerifyError::Duplicate(name));
        }
        entry_names.push(name);
    }
    let manifest_index = entry_names
        .iter()
        .position(|name| name == MANIFEST_NAME)
        .ok_or(VerifyError::NoManifest)?;
    let manifest_bytes = read_bounded(
        &mut archive,
        manifest_index,
        MANIFEST_NAME,
        MAX_MANIFEST_BYTES.min(limits.max_entry_bytes),
    )?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| VerifyError::BadManifest(e.to_string()))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(VerifyError::BadManifest(format!(
            "format version {} is not the supported {FORMAT_VERSION}",
            manifest.format_version
        )));
    }
    let mut listed: BTreeMap<&str, &FileEntry> = BTreeMap::new();
    for file in &manifest.files {
        if listed.insert(file.name.as_str(), file).is_some() {
            return Err(VerifyError::BadManifest(format!(
                "file {:?} is listed twice",
                file.name
            )));
        }
    }
    let mut total = 0u64;
    for (index, name) in entry_names.iter().enumerate() {
        if index == manifest_index {
            continue;
        }
        let Some(expected) = listed.get(name.as_str()) else {
            return Err(VerifyError::Unlisted(name.clone()));
        };
        let (size, hash) = hash_bounded(&mut archive, index, name, limits.max_entry_bytes)?;
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(VerifyError::TooLarge {
                name: name.clone(),
                limit: limits.max_total_bytes,
            });
        }
        if size != expected.bytes {
            return Err(VerifyError::Tampered {
                name: name.clone(),
                what: "size",
            });
        }
        if hash != expected.sha256 {
            return Err(VerifyError::Tampered {
                name: name.clone(),
                what: "SHA-256",
            });
        }
    }
    if let Some(missing) = manifest.files.iter().find(|f| !seen.contains(&f.name)) {
        return Err(VerifyError::Missing(missing.name.clone()));
    }
    Ok(Summary {
        files: manifest.files.len(),
        bytes: total,
        manifest,
    })
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
