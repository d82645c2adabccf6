//! `polder migrate`: applies the database migrations (opening the database does) and exits.

/// Opens the database at `database_url`, which applies pending migrations.
///
/// # Errors
/// When the database cannot be opened or migrated.
pub async fn run(database_url: &str) -> anyhow::Result<()> {
    super::open(database_url).await?;
    eprintln!("migrations applied");
    Ok(())
}
