//! The dossier of a dispute: everything that travels up the ladder with it (positions,
//! options, comments, history), loaded in one go for export.

use sqlx::Row;

use crate::domain::escalation::DisputeEventKind;
use crate::storage::{get_decoded, SqlStorage, StorageError};

pub use crate::domain::dispute::{DisputeComment, DisputeEvent, DisputeOption, Dossier, Position};

impl SqlStorage {
    /// The whole record of a dispute.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn dossier(&self, id: i64) -> Result<Option<Dossier>, StorageError> {
        let Some(dispute) = self.find_dispute(id).await? else {
            return Ok(None);
        };
        let body_name: String = sqlx::query("SELECT name FROM bodies WHERE id = $1")
            .bind(dispute.body_id)
            .fetch_one(self.pool())
            .await?
            .try_get("name")?;
        let ladder = self.ladder(dispute.body_id).await?;
        let positions = sqlx::query(
            "SELECT pos.id, p.code, pos.level, pos.body, u.name, pos.with_mandate, pos.stated_at \
             FROM dispute_positions pos JOIN parties p ON p.id = pos.party_id \
             LEFT JOIN users u ON u.id = pos.stated_by WHERE pos.dispute_id = $1 ORDER BY pos.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(Position {
                id: row.try_get("id")?,
                party: row.try_get("code")?,
                level: row.try_get("level")?,
                body: row.try_get("body")?,
                stated_by: row.try_get("name")?,
                with_mandate: row.try_get::<i64, _>("with_mandate")? != 0,
                stated_at: row.try_get("stated_at")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        let options = sqlx::query(
            "SELECT o.id, o.title, o.description, p.code, u.name, o.created_at FROM dispute_options o \
             LEFT JOIN parties p ON p.id = o.party_id LEFT JOIN users u ON u.id = o.proposed_by \
             WHERE o.dispute_id = $1 ORDER BY o.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(DisputeOption {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                description: row.try_get("description")?,
                party: row.try_get("code")?,
                proposed_by: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        let comments = sqlx::query(
            "SELECT c.id, u.name, p.code, c.body, c.created_at FROM dispute_comments c \
             LEFT JOIN users u ON u.id = c.author_id LEFT JOIN parties p ON p.id = u.party_id \
             WHERE c.dispute_id = $1 ORDER BY c.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(DisputeComment {
                id: row.try_get("id")?,
                author: row.try_get("name")?,
                party: row.try_get("code")?,
                body: row.try_get("body")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        let events = sqlx::query(
            "SELECT e.kind, e.level, u.name, e.actor, e.note, e.at FROM dispute_events e \
             LEFT JOIN users u ON u.id = e.actor_id WHERE e.dispute_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            let name: Option<String> = row.try_get("name")?;
            let actor: String = row.try_get("actor")?;
            Ok(DisputeEvent {
                kind: get_decoded(row, "kind", DisputeEventKind::parse)?,
                level: row.try_get("level")?,
                actor: name.unwrap_or(if actor == "polder" {
                    "Polder".to_owned()
                } else {
                    actor
                }),
                note: row.try_get("note")?,
                at: row.try_get("at")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(Some(Dossier {
            dispute,
            body_name,
            ladder,
            positions,
            options,
            comments,
            events,
        }))
    }
}
