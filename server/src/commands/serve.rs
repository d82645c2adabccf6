//! `polder serve`: runs the server until a shutdown signal, after loading the demo working
//! group into an empty database when asked to.

use crate::app::App;
use crate::config::Config;

/// Runs the server with `config`; with `demo`, seeds the demo working group first.
///
/// # Errors
/// When the database cannot be opened or the server cannot start.
pub async fn run(demo: bool, config: Config) -> anyhow::Result<()> {
    // SQLite serves one process: the lock is held until the server has stopped.
    let _single_process =
        crate::storage::single_process::acquire(&config.effective_database_url())?;
    if demo {
        let storage = super::open(&config.effective_database_url()).await?;
        if crate::demo::seed(&storage).await? {
            tracing::info!(
                "demo working group loaded: sign in as anna@vws.demo with password {}",
                crate::demo::DEMO_PASSWORD
            );
        }
        storage.close().await;
    }
    if config.database_url.is_none() {
        tracing::info!(data_dir = %config.data_dir.display(), "using the embedded SQLite database");
    }
    App::build(config)
        .await?
        .run_until_stopped(crate::shutdown::signal())
        .await
}
