//! `polder doc grant`: gives a person a role on a document, creating the document if needed.

use anyhow::{bail, Context};
use polder_shared::DocId;

use crate::storage::DocRole;

/// Gives the person with e-mail address `user` the `role` (`reader` or `writer`) on `doc`.
/// The id and role are checked before the database is opened.
///
/// # Errors
/// On an invalid document id, an unknown role or person, or when storage fails.
pub async fn grant(database_url: &str, doc: &str, user: &str, role: &str) -> anyhow::Result<()> {
    let doc_id = DocId::parse(doc)?;
    let role = match role {
        "reader" => DocRole::Reader,
        "writer" => DocRole::Writer,
        other => bail!("unknown role {other:?}: use reader or writer"),
    };
    let storage = super::open(database_url).await?;
    let person = storage
        .find_user_by_email(user)
        .await?
        .with_context(|| format!("no person with e-mail address {user}"))?;
    storage.create_document(&doc_id, "cli").await?;
    storage.grant_document(&doc_id, person.id, role).await?;
    super::audit(
        &storage,
        "document.grant",
        &serde_json::json!({ "doc": doc_id.as_str(), "person": person.id, "role": role.as_str() }),
    )
    .await?;
    eprintln!("{user} is now {} of {doc_id}", role.as_str());
    Ok(())
}
