//! `polder party create`: creates a party, or a collective of member parties.

use anyhow::Context;

use crate::domain::validate;
use crate::storage::parties::NewParty;

/// Creates the party `code` named `name` in `colour` (`#rrggbb`), with other names `aliases`
/// and, for a collective, the member parties `members` (codes or aliases).
///
/// # Errors
/// On an invalid code, name or colour, an unknown member, or when storage fails.
pub async fn create(
    database_url: &str,
    code: &str,
    name: &str,
    colour: &str,
    aliases: Vec<String>,
    members: &[String],
) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let mut member_ids = Vec::new();
    for member in members {
        member_ids.push(
            storage
                .resolve_party(member)
                .await?
                .with_context(|| format!("no party {member:?}"))?,
        );
    }
    let party = NewParty {
        code: validate::party_code("code", code)?,
        name: validate::text("name", name, 1, 200)?,
        colour: validate::colour("colour", colour)?,
        aliases,
        members: member_ids,
    };
    let id = storage
        .create_party_by(&party, &super::cli_actor())
        .await?
        .id;
    eprintln!("created party {} ({id})", party.code);
    Ok(())
}
