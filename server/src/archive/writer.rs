//! [`ArchiveWriter`]: writes files into a zip one by one (each file is compressed into the
//! output as it is added and can be dropped by the caller right after), checks every name,
//! bounds the count and the bytes, and finishes with `manifest.json` listing them all.

use std::collections::BTreeSet;
use std::io::{Seek, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use super::manifest::{self, AuditHead, BodyRef, FileEntry, Manifest, Skipped, MANIFEST_NAME};
use super::{names, tables, ArchiveError, MAX_ARCHIVE_BYTES, MAX_ENTRIES, MAX_ENTRY_BYTES};

/// What the manifest says besides the files.
#[derive(Debug, Clone)]
pub struct Header {
    /// The body.
    pub body: BodyRef,
    /// When, Unix ms.
    pub generated_at: i64,
    /// The audit chain's head.
    pub audit: AuditHead,
}

/// A zip being written, with the manifest's file list so far.
pub struct ArchiveWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    files: Vec<FileEntry>,
    names: BTreeSet<String>,
    skipped: Vec<Skipped>,
    total: u64,
    max_total: u64,
}

impl<W: Write + Seek> ArchiveWriter<W> {
    /// Starts an archive on `out`.
    pub fn new(out: W) -> Self {
        Self::with_limit(out, MAX_ARCHIVE_BYTES)
    }

    /// Starts an archive on `out` that refuses to grow past `max_total` bytes of content.
    pub fn with_limit(out: W, max_total: u64) -> Self {
        Self {
            zip: ZipWriter::new(out),
            files: Vec::new(),
            names: BTreeSet::new(),
            skipped: Vec::new(),
            total: 0,
            max_total,
        }
    }

    /// The files written so far.
    pub fn files(&self) -> &[FileEntry] {
        &self.files
    }

    /// Adds the file `name` holding `bytes`.
    ///
    /// # Errors
    /// An unsafe or repeated name, a limit passed, or a write failure.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), ArchiveError> {
        names::check(name).map_err(|_| ArchiveError::UnsafeName(name.to_owned()))?;
        if name == MANIFEST_NAME || self.names.contains(name) {
            return Err(ArchiveError::Duplicate(name.to_owned()));
        }
        if self.files.len() + 1 >= MAX_ENTRIES {
            return Err(ArchiveError::TooLarge(format!("{MAX_ENTRIES} files")));
        }
        let size = bytes.len() as u64;
        if size > MAX_ENTRY_BYTES {
            return Err(ArchiveError::TooLarge(format!(
                "{name} is larger than {MAX_ENTRY_BYTES} bytes"
            )));
        }
        self.total = self.total.saturating_add(size);
        if self.total > self.max_total {
            return Err(ArchiveError::TooLarge(format!("{} bytes", self.max_total)));
        }
        self.zip.start_file(name, options())?;
        self.zip.write_all(bytes)?;
        self.names.insert(name.to_owned());
        self.files.push(FileEntry {
            name: name.to_owned(),
            bytes: size,
            sha256: manifest::sha256_hex(bytes),
        });
        Ok(())
    }

    /// Adds `value` as pretty-printed JSON.
    ///
    /// # Errors
    /// As [`Self::add`], or when `value` cannot be serialised.
    pub fn add_json<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), ArchiveError> {
        let bytes = serde_json::to_vec_pretty(value)?;
        self.add(name, &bytes)
    }

    /// Adds a record set as `BASE.json` and `BASE.csv`.
    ///
    /// # Errors
    /// As [`Self::add_json`].
    pub fn add_table<T: Serialize>(
        &mut self,
        base: &str,
        records: &[T],
    ) -> Result<(), ArchiveError> {
        let values = tables::to_values(records)?;
        self.add_json(&format!("{base}.json"), &values)?;
        self.add(&format!("{base}.csv"), &tables::csv(&values)?)
    }

    /// Notes that the file `name` could not be made, and why.
    pub fn skip(&mut self, name: &str, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            name: name.to_owned(),
            reason: reason.into(),
        });
    }

    /// Writes `manifest.json` and closes the zip; returns the output and the manifest.
    ///
    /// # Errors
    /// When writing fails.
    pub fn finish(mut self, header: Header) -> Result<(W, Manifest), ArchiveError> {
        let manifest = Manifest {
            format_version: manifest::FORMAT_VERSION,
            body: header.body,
            generated_at: header.generated_at,
            generated_at_utc: utc(header.generated_at),
            polder_version: env!("CARGO_PKG_VERSION").to_owned(),
            audit: header.audit,
            files: std::mem::take(&mut self.files),
            skipped: std::mem::take(&mut self.skipped),
        };
        self.zip.start_file(MANIFEST_NAME, options())?;
        self.zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
        let out = self.zip.finish()?;
        Ok((out, manifest))
    }
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644)
}

/// `ms` as RFC 3339 UTC.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}
