//! `polder token create`: creates an API token, prints it once and stores only its hash.

use anyhow::{bail, Context};

use crate::auth::secret;

/// Creates a token named `name` with the space-separated `scope` (`admin`, `write`, `read`),
/// acting for the person with e-mail address `user` (none for a service token).
///
/// # Errors
/// On an unknown scope or person, or when storage fails.
pub async fn create(
    database_url: &str,
    name: &str,
    scope: &str,
    user: Option<&str>,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    for part in scope.split_whitespace() {
        if !matches!(part, "admin" | "write" | "read") {
            bail!("unknown scope {part:?}: use admin, write or read");
        }
    }
    let user_id = match user {
        Some(email) => Some(
            storage
                .find_user_by_email(email)
                .await?
                .with_context(|| format!("no person with e-mail address {email}"))?
                .id,
        ),
        None => None,
    };
    let token = secret::new_token();
    storage
        .create_token_by(
            name,
            scope,
            &secret::hash(&token),
            user_id,
            &super::cli_actor(),
        )
        .await?;
    eprintln!("token {name:?} created with scope {scope:?}; it is shown only this once:");
    println!("{token}");
    Ok(())
}
