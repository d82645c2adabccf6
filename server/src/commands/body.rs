//! `polder body create` and `polder body add-member`: bodies (working groups, theme tables,
//! …) and the people in them.

use anyhow::{bail, Context};

use crate::domain::bodies::BodyKind;
use crate::domain::roles::BodyRole;
use crate::storage::bodies::NewBody;
use crate::storage::SqlStorage;

/// Creates the body `name` of `kind` (a [`BodyKind`] name; its ladder order gives its level),
/// reporting to the body named `parent`.
///
/// # Errors
/// On an unknown kind or parent, or when storage fails.
pub async fn create(
    database_url: &str,
    name: &str,
    kind: &str,
    parent: Option<&str>,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let Some(kind) = BodyKind::parse(kind) else {
        bail!("unknown kind {kind:?}: use {}", BodyKind::NAMES.join(", "));
    };
    let parent_id = match parent {
        Some(parent) => Some(find_body(&storage, parent).await?),
        None => None,
    };
    let body = NewBody {
        name,
        kind,
        ladder_level: kind.default_level(),
        parent_id,
        parties: &[],
    };
    let id = storage.create_body_by(&body, &super::cli_actor()).await?.id;
    eprintln!("created body {name:?} ({id})");
    Ok(())
}

/// Gives the person with e-mail address `user` the `role` (chair, secretariat, member or
/// observer) in the body named `body`, holding their party's mandate when `mandate`.
///
/// # Errors
/// On an unknown body, role or person, or when storage fails.
pub async fn add_member(
    database_url: &str,
    body: &str,
    user: &str,
    role: &str,
    mandate: bool,
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let body_id = find_body(&storage, body).await?;
    let role = BodyRole::parse(role).with_context(|| {
        format!("unknown role {role:?}: use chair, secretariat, member or observer")
    })?;
    let person = storage
        .find_user_by_email(user)
        .await?
        .with_context(|| format!("no person with e-mail address {user}"))?;
    storage
        .put_membership_by(body_id, person.id, role, mandate, &super::cli_actor())
        .await?;
    eprintln!("{user} is now {} of {body:?}", role.as_str());
    Ok(())
}

async fn find_body(storage: &SqlStorage, name: &str) -> anyhow::Result<i64> {
    storage
        .find_body_by_name(name)
        .await?
        .map(|b| b.id)
        .with_context(|| format!("no body named {name:?}"))
}
