//! `polder user create`: creates a person who can sign in; the password comes from
//! `POLDER_PASSWORD` or standard input, never from the command line. `polder user export`:
//! everything held about a person, as JSON on standard output. `polder user remove`: erases a
//! person, keeping their record under a pseudonym.

use std::io::Read;

use anyhow::{bail, Context};
use secrecy::SecretString;

use crate::auth::password;
use crate::storage::people::NewPerson;

/// Creates the person `email` named `name`, an administrator when `admin`, of the party
/// `party` (code or alias).
///
/// # Errors
/// On an unknown party, a missing or short password, or when storage fails.
pub async fn create(
    database_url: &str,
    email: &str,
    name: &str,
    admin: bool,
    party: Option<&str>,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let party = match party {
        Some(code) => Some(
            storage
                .resolve_party(code)
                .await?
                .with_context(|| format!("no party {code:?}"))?,
        ),
        None => None,
    };
    let password = read_password()?;
    let hash = password::hash_password(password).await?;
    let person = NewPerson {
        email,
        name,
        password_hash: &hash,
        is_admin: admin,
        party,
    };
    let id = storage
        .create_person_by(&person, &super::cli_actor())
        .await?
        .id;
    eprintln!("created person {id} <{email}>");
    Ok(())
}

/// Prints everything held about the person who signs in as `email`, as JSON.
///
/// # Errors
/// When nobody has that address, or when storage fails.
pub async fn export(database_url: &str, email: &str) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let user = storage
        .find_user_by_email(email)
        .await?
        .with_context(|| format!("nobody signs in as {email:?}"))?;
    let data = storage
        .personal_data(user.id)
        .await?
        .with_context(|| format!("nobody signs in as {email:?}"))?;
    println!("{}", serde_json::to_string_pretty(&data)?);
    Ok(())
}

/// Removes the person who signs in as `email` (see `storage::person_removal`), after
/// confirmation on standard input unless `yes`.
///
/// # Errors
/// When nobody has that address, the answer is not "ja"/"yes", the person is the last
/// administrator, or when storage fails.
pub async fn remove(database_url: &str, email: &str, yes: bool) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let user = storage
        .find_user_by_email(&email.to_lowercase())
        .await?
        .with_context(|| format!("nobody signs in as {email:?}"))?;
    if !yes {
        eprintln!(
            "Remove person {} <{}>? Their account, e-mail address, name, password, sessions, \
             tokens, settings, feeds, memberships and grants are erased; what they did stays \
             on the record as \"voormalig lid\". Type yes to continue:",
            user.id, user.email
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("cannot read the confirmation from standard input")?;
        if !matches!(
            answer.trim().to_lowercase().as_str(),
            "yes" | "ja" | "y" | "j"
        ) {
            bail!("not removed: the removal was not confirmed (answer yes, or pass --yes)");
        }
    }
    let removed = storage.remove_person(user.id, &super::cli_actor()).await?;
    eprintln!(
        "removed person {}; the record now names them \"{}\" (audit entry {})",
        removed.id, removed.pseudonym, removed.audit_id
    );
    Ok(())
}

fn read_password() -> anyhow::Result<SecretString> {
    if let Ok(password) = std::env::var("POLDER_PASSWORD") {
        return Ok(SecretString::from(password));
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < 8 {
        bail!("the password must be at least 8 characters long");
    }
    Ok(SecretString::from(password))
}
