//! `polder import milestones FILE [--dry-run] [--body NAME]`: reads a milestone table, prints
//! every flagged or unreadable row with its line number and reason, stores it (unless
//! `--dry-run`) into the body, and ends with exactly one summary line
//! `rows: N, milestones: M, flagged: F, errors: E`.
//!
//! Without `--body` the table goes to the only working group; with several, `--body` is needed.
//! Flagged rows do not make the command fail; an unreadable file does, and so does a file
//! larger than [`MAX_FILE_BYTES`] or a table over the reader's limits
//! ([`crate::import::limits`]).

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

use crate::domain::bodies::BodyKind;
use crate::domain::fuzzy_date::ParseContext;
use crate::import::{self, Format};
use crate::storage::SqlStorage;

/// Largest file the command reads: 64 MiB, far more than any milestone table needs.
pub const MAX_FILE_BYTES: u64 = crate::import::limits::MAX_UNPACKED_BYTES;

/// Reads at most [`MAX_FILE_BYTES`] of `file`.
fn read_bounded(file: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let opened = std::fs::File::open(file).with_context(|| format!("cannot read {name}"))?;
    let mut bytes = Vec::new();
    opened
        .take(MAX_FILE_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        bail!("{name}: the file is larger than {MAX_FILE_BYTES} bytes; split the table into smaller files");
    }
    Ok(bytes)
}

async fn find_body(storage: &SqlStorage, name: Option<&str>) -> anyhow::Result<i64> {
    if let Some(name) = name {
        return storage
            .find_body_by_name(name)
            .await?
            .map(|b| b.id)
            .with_context(|| format!("no body named {name:?}"));
    }
    let bodies = storage.list_bodies(None).await?;
    let groups: Vec<_> = bodies
        .iter()
        .filter(|b| b.kind == BodyKind::WorkingGroup)
        .collect();
    match groups.as_slice() {
        [only] => Ok(only.id),
        [] => bail!("there is no working group to import into; create one or pass --body NAME"),
        _ => bail!("there are several working groups; say which one with --body NAME"),
    }
}

/// Opens the database at `database_url` and runs [`import_milestones`].
///
/// # Errors
/// When the database cannot be opened, the file cannot be read or storage fails.
pub async fn run(
    database_url: &str,
    file: &Path,
    dry_run: bool,
    body: Option<&str>,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    import_milestones(&storage, file, dry_run, body).await
}

/// Imports a milestone table; prints every flagged or unreadable row and a summary line.
///
/// # Errors
/// When the file cannot be read or storage fails.
pub async fn import_milestones(
    storage: &SqlStorage,
    file: &Path,
    dry_run: bool,
    body: Option<&str>,
) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let format = Format::from_file_name(&name)
        .with_context(|| format!("{name}: unknown file type; use .csv, .tsv or .xlsx"))?;
    let bytes = read_bounded(file, &name)?;
    let rows = import::read_table(&bytes, format)
        .with_context(|| format!("{name}: the table cannot be read"))?;
    let body_id = find_body(storage, body).await?;
    let (directory, ids) = storage.party_directory().await?;
    let plan = import::interpret(&rows, &directory, &ParseContext::default());
    let mut issues: Vec<(usize, &str, &str)> = plan
        .flagged
        .iter()
        .map(|i| (i.line, "flagged", i.reason.as_str()))
        .chain(
            plan.errors
                .iter()
                .map(|i| (i.line, "error", i.reason.as_str())),
        )
        .collect();
    issues.sort_by_key(|(line, _, _)| *line);
    for (line, kind, reason) in issues {
        println!("line {line}: {kind}: {reason}");
    }
    if !dry_run {
        let source = file
            .file_name()
            .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
        let outcome = storage
            .apply_import(body_id, &plan, &ids, &source, None, &super::cli_actor())
            .await?;
        eprintln!(
            "stored: {} milestones created, {} updated; {} action lines created, {} updated",
            outcome.milestones_created,
            outcome.milestones_updated,
            outcome.action_lines_created,
            outcome.action_lines_updated
        );
    }
    println!("{}", plan.summary_line());
    Ok(())
}
