//! Reading back who wrote and who deleted what in a document, for version comparisons.

use std::collections::HashMap;

use sqlx::Row;

use super::people::NO_PARTY_COLOUR;
use super::sql::yjs_client_from_i64;
use super::{SqlStorage, StorageError};
use crate::sync::attribution::DeletedRange;
use crate::versions::recorded::RecordedAttribution;
use crate::versions::Author;

fn author(row: &sqlx::any::AnyRow) -> Result<Author, StorageError> {
    let label: String = row.try_get("label")?;
    Ok(Author {
        person_id: row
            .try_get::<Option<i64>, _>("user_id")?
            .unwrap_or_default(),
        name: row.try_get::<Option<String>, _>("name")?.unwrap_or(label),
        party: row
            .try_get::<Option<String>, _>("party")?
            .unwrap_or_default(),
        colour: row
            .try_get::<Option<String>, _>("colour")?
            .unwrap_or_else(|| NO_PARTY_COLOUR.to_owned()),
    })
}

impl SqlStorage {
    /// Everything recorded about a document's authors, joined to people and parties.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn attribution(&self, doc_id: &str) -> Result<RecordedAttribution, StorageError> {
        let claims = sqlx::query(
            "SELECT c.client_id, c.user_id, c.label, u.name, p.code AS party, p.colour \
             FROM doc_clients c LEFT JOIN users u ON u.id = c.user_id \
             LEFT JOIN parties p ON p.id = u.party_id WHERE c.doc_id = $1",
        )
        .bind(doc_id)
        .fetch_all(self.pool())
        .await?;
        let deletions = sqlx::query(
            "SELECT d.client_id, d.clock_start, d.clock_end, d.user_id, d.label, u.name, p.code AS party, p.colour \
             FROM doc_deletions d LEFT JOIN users u ON u.id = d.user_id \
             LEFT JOIN parties p ON p.id = u.party_id WHERE d.doc_id = $1 ORDER BY d.id",
        )
        .bind(doc_id)
        .fetch_all(self.pool())
        .await?;
        let mut recorded = RecordedAttribution {
            claims: HashMap::with_capacity(claims.len()),
            deletions: Vec::with_capacity(deletions.len()),
        };
        for row in &claims {
            let client = yjs_client_from_i64(row.try_get("client_id")?);
            recorded.claims.insert(client, author(row)?);
        }
        for row in &deletions {
            let range = DeletedRange {
                client: yjs_client_from_i64(row.try_get("client_id")?),
                start: u32::try_from(row.try_get::<i64, _>("clock_start")?).unwrap_or(u32::MAX),
                end: u32::try_from(row.try_get::<i64, _>("clock_end")?).unwrap_or(u32::MAX),
            };
            recorded.deletions.push((range, author(row)?));
        }
        Ok(recorded)
    }
}
