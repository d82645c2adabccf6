//! `polder import milestones FILE [--dry-run]` (being written).

use std::path::Path;

use crate::storage::SqlStorage;

/// Imports a milestone table; prints every flagged or unreadable row and a summary line.
///
/// # Errors
/// When the file cannot be read or storage fails.
pub async fn import_milestones(_storage: &SqlStorage, _file: &Path, _dry_run: bool) -> anyhow::Result<()> {
    anyhow::bail!("importing milestones is not available yet")
}
