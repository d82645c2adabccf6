//! `polder demo`: loads the demo working group into an empty database.

/// Seeds the demo working group unless the database already holds people.
///
/// # Errors
/// When the database cannot be opened or seeding fails.
pub async fn run(database_url: &str) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    if crate::demo::seed(&storage).await? {
        eprintln!(
            "demo working group loaded; sign in as anna@vws.demo (chair, VWS) or joost@zin.demo (ZIN) with password {}",
            crate::demo::DEMO_PASSWORD
        );
    } else {
        eprintln!(
            "the database already holds people; the demo is only loaded into an empty database"
        );
    }
    Ok(())
}
