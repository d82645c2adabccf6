//! Demo data (docs/DOMAIN.md §5, §10): one open dispute in "Werkgroep Beter pakketbeheer", between ZIN
//! and FMS, on the group's first role agreement (or, without one, its advice draft), with ZIN's
//! position stated. Runs after the working-group and governance demo seeds; everything is
//! looked up by name, and nothing happens when the group is missing or already has a dispute.

use sqlx::Row;

use super::disputes::NewDispute;
use crate::storage::{SqlStorage, StorageError};

/// Name of the demo working group.
const GROUP: &str = "Werkgroep Beter pakketbeheer";

/// Adds the demo dispute.
///
/// # Errors
/// Storage errors.
pub async fn seed(db: &SqlStorage) -> Result<(), StorageError> {
    let Some(body) = sqlx::query("SELECT id FROM bodies WHERE name = $1")
        .bind(GROUP)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(());
    };
    let body: i64 = body.try_get("id")?;
    if !db.list_disputes(body, false).await?.is_empty() {
        return Ok(());
    }
    let (Some(zin), Some(fms)) = (
        db.resolve_party("ZIN").await?,
        db.resolve_party("FMS").await?,
    ) else {
        return Ok(());
    };
    let agreement =
        sqlx::query("SELECT id FROM role_agreements WHERE body_id = $1 ORDER BY id LIMIT 1")
            .bind(body)
            .fetch_optional(db.pool())
            .await?;
    let (kind, subject) = match agreement {
        Some(row) => ("role_agreement", row.try_get::<i64, _>("id")?),
        None => {
            let Some(draft) =
                sqlx::query("SELECT id FROM drafts WHERE body_id = $1 ORDER BY id LIMIT 1")
                    .bind(body)
                    .fetch_optional(db.pool())
                    .await?
            else {
                return Ok(());
            };
            ("draft_passage", draft.try_get::<i64, _>("id")?)
        }
    };
    let joost = db.find_user_by_email("joost@zin.demo").await?.map(|u| u.id);
    let id = db
        .raise_dispute(&NewDispute {
            body_id: body,
            subject_kind: kind.to_owned(),
            subject_id: subject,
            title: "Wie duidt de bewijslast bij richtlijnen?".to_owned(),
            description: "ZIN en FMS verschillen van inzicht over wie de onderbouwing van en de \
                          bewijslast voor passende zorg in richtlijnen inzichtelijk maakt."
                .to_owned(),
            raised_by_party: zin,
            raised_by_person: joost,
            parties: vec![zin, fms],
        })
        .await?;
    if kind == "draft_passage" {
        db.set_dispute_passage(
            id,
            "Het inzichtelijk maken van de onderbouwing van en de bewijslast voor passende zorg",
        )
        .await?;
    }
    if let (Some(dispute), Some(person)) = (db.find_dispute(id).await?, joost) {
        db.state_position(
            &dispute,
            zin,
            "Het Zorginstituut duidt als formele pakketbeheerder; de verenigingen leveren de \
             onderbouwing aan.",
            person,
            true,
        )
        .await?;
    }
    Ok(())
}
