//! The bodies of the `polder` commands; [`crate::cli`] parses the arguments and calls one of
//! these. Each command opens the database itself from the URL it is given, with [`open`].

pub mod audit;
pub mod body;
pub mod demo;
pub mod doc;
pub mod export;
pub mod import;
pub mod migrate;
pub mod party;
pub mod serve;
pub mod token;
pub mod user;

use anyhow::Context;

use crate::storage::SqlStorage;

/// Opens (and migrates) the database at `database_url`.
///
/// # Errors
/// When the database cannot be opened; the message names the settings to check.
pub async fn open(database_url: &str) -> anyhow::Result<SqlStorage> {
    SqlStorage::connect(database_url).await.context(
        "cannot open the database (check --database-url / POLDER_DATABASE_URL and --data-dir)",
    )
}

/// The command line as the audit log names it.
fn cli_actor() -> crate::storage::audit::Actor {
    crate::storage::audit::Actor {
        name: "cli".to_owned(),
        party: None,
    }
}

/// Appends an audit entry for a change made from the command line.
async fn audit(
    storage: &SqlStorage,
    action: &str,
    detail: &serde_json::Value,
) -> anyhow::Result<()> {
    storage.append_audit("cli", None, action, detail).await?;
    Ok(())
}
