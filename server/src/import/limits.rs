//! How much of a table the readers take in: [`ReadLimits`], and the check of a workbook's
//! unpacked size that runs before anything of it is parsed.
//!
//! A milestone table has at most a few hundred rows and a dozen columns; the limits leave a
//! wide margin and stop spreadsheet bombs (a cell at `XFD1048576`, a 1 kB zip that inflates to
//! gigabytes, a million-row text file) before they cost memory.

use std::io::{Cursor, Read};

use super::ImportError;

/// Most rows a table may have (text records, or spreadsheet rows that hold a value).
pub const MAX_ROWS: usize = 10_000;
/// Most columns a table may span (from its first to its last column that holds a value).
pub const MAX_COLUMNS: usize = 100;
/// Most cells a table may have in all (rows × their columns, as handed to the importer).
pub const MAX_CELLS: usize = 200_000;
/// Longest text of one cell or field, in bytes (Excel itself allows 32,767 characters).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Most bytes a workbook may unpack to, all its files together.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most files a workbook (a zip archive) may contain.
pub const MAX_ZIP_ENTRIES: usize = 1_000;

/// The bounds every reader checks while it reads. [`Default`] gives the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Most rows; default [`MAX_ROWS`].
    pub max_rows: usize,
    /// Most columns; default [`MAX_COLUMNS`].
    pub max_columns: usize,
    /// Most cells; default [`MAX_CELLS`].
    pub max_cells: usize,
    /// Longest cell text in bytes; default [`MAX_FIELD_BYTES`].
    pub max_field_bytes: usize,
    /// Most unpacked workbook bytes; default [`MAX_UNPACKED_BYTES`].
    pub max_unpacked_bytes: u64,
    /// Most files in a workbook; default [`MAX_ZIP_ENTRIES`].
    pub max_zip_entries: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_rows: MAX_ROWS,
            max_columns: MAX_COLUMNS,
            max_cells: MAX_CELLS,
            max_field_bytes: MAX_FIELD_BYTES,
            max_unpacked_bytes: MAX_UNPACKED_BYTES,
            max_zip_entries: MAX_ZIP_ENTRIES,
        }
    }
}

/// Which bound a table went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`ReadLimits::max_rows`].
    Rows,
    /// [`ReadLimits::max_columns`].
    Columns,
    /// [`ReadLimits::max_cells`].
    Cells,
    /// [`ReadLimits::max_field_bytes`].
    FieldBytes,
    /// [`ReadLimits::max_unpacked_bytes`].
    UnpackedBytes,
    /// [`ReadLimits::max_zip_entries`].
    ZipEntries,
}

impl Limit {
    /// What is counted, for the message ("more than 100 columns").
    pub fn describe(self) -> &'static str {
        match self {
            Self::Rows => "rows",
            Self::Columns => "columns from the first to the last filled column",
            Self::Cells => "cells",
            Self::FieldBytes => "bytes of text in one cell",
            Self::UnpackedBytes => "bytes of unpacked spreadsheet data",
            Self::ZipEntries => "files inside the workbook",
        }
    }
}

impl ReadLimits {
    /// The maximum of `limit`.
    pub fn max(&self, limit: Limit) -> u64 {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        match limit {
            Limit::Rows => count(self.max_rows),
            Limit::Columns => count(self.max_columns),
            Limit::Cells => count(self.max_cells),
            Limit::FieldBytes => count(self.max_field_bytes),
            Limit::UnpackedBytes => self.max_unpacked_bytes,
            Limit::ZipEntries => count(self.max_zip_entries),
        }
    }

    /// The error for going over `limit`.
    pub fn exceeded(&self, limit: Limit) -> ImportError {
        ImportError::OverLimit {
            limit,
            max: self.max(limit),
        }
    }

    /// Fails unless `bytes` of text fit in one cell.
    pub(crate) fn check_field(&self, bytes: usize) -> Result<(), ImportError> {
        if bytes > self.max_field_bytes {
            return Err(self.exceeded(Limit::FieldBytes));
        }
        Ok(())
    }
}

/// Inflates every file of the workbook into nothing, counting, and fails as soon as the
/// archive holds too many files or unpacks to more than the limit. The sizes a zip declares
/// may lie, so what is counted is what the decompressor actually produces, and never more
/// than one byte past the limit is produced.
///
/// # Errors
/// [`ImportError::OverLimit`] when over a limit; [`ImportError::Spreadsheet`] when the bytes
/// are not a readable zip archive.
pub(crate) fn check_unpacked_size(bytes: &[u8], limits: &ReadLimits) -> Result<(), ImportError> {
    let unreadable = |e: zip::result::ZipError| ImportError::Spreadsheet(e.into());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > limits.max_zip_entries {
        return Err(limits.exceeded(Limit::ZipEntries));
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(unreadable)?;
        let budget = limits.max_unpacked_bytes.saturating_sub(total);
        let mut bounded = entry.take(budget.saturating_add(1));
        let read = std::io::copy(&mut bounded, &mut std::io::sink())
            .map_err(|e| ImportError::Spreadsheet(e.into()))?;
        total = total.saturating_add(read);
        if total > limits.max_unpacked_bytes {
            return Err(limits.exceeded(Limit::UnpackedBytes));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A zip with one deflated file of `size` zero bytes.
    pub(crate) fn zip_of_zeros(size: usize) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(Cursor::new(&mut out));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            writer.start_file("xl/sharedStrings.xml", options).unwrap();
            let chunk = vec![0u8; 64 * 1024];
            let mut left = size;
            while left > 0 {
                let n = left.min(chunk.len());
                writer.write_all(&chunk[..n]).unwrap();
                left -= n;
            }
            writer.finish().unwrap();
        }
        out
    }

    #[test]
    fn a_small_zip_that_inflates_past_the_limit_is_refused() {
        let limits = ReadLimits {
            max_unpacked_bytes: 1024 * 1024,
            ..ReadLimits::default()
        };
        let bomb = zip_of_zeros(4 * 1024 * 1024);
        assert!(bomb.len() < 64 * 1024, "the bomb is small: {}", bomb.len());
        let err = check_unpacked_size(&bomb, &limits).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::OverLimit {
                    limit: Limit::UnpackedBytes,
                    max: 1_048_576
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("1048576 bytes of unpacked"),
            "{err}"
        );
        check_unpacked_size(&zip_of_zeros(1024 * 1024), &limits).unwrap();
    }

    #[test]
    fn too_many_files_are_refused() {
        let mut out = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(Cursor::new(&mut out));
            for n in 0..5 {
                writer
                    .start_file(format!("f{n}"), zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            writer.finish().unwrap();
        }
        let limits = ReadLimits {
            max_zip_entries: 4,
            ..ReadLimits::default()
        };
        let err = check_unpacked_size(&out, &limits).unwrap_err();
        assert!(matches!(
            err,
            ImportError::OverLimit {
                limit: Limit::ZipEntries,
                ..
            }
        ));
    }
}
