//! Advice drafts, their status history and their frozen versions. A person's change to a draft
//! appends its audit entry in the change's own transaction.

use serde::Serialize;
use sqlx::Row;

use super::audit::{append_in, Actor};
use super::{get_decoded, now_ms, SqlStorage, StorageError};
use crate::domain::draft_status::DraftStatus;

/// An advice draft: metadata around one Yjs document.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Draft {
    /// Database id.
    pub id: i64,
    /// The body (working group) it belongs to.
    pub body_id: i64,
    /// The Yjs document id at `/ws/{doc_id}`.
    pub doc_id: String,
    /// Title.
    pub title: String,
    /// Where it is in the status flow.
    pub status: DraftStatus,
    /// Assignment template fields (goal, terms of reference, preconditions, composition,
    /// timeline, milestones, direction), as a JSON object of strings.
    #[schema(value_type = Object)]
    pub template: serde_json::Value,
    /// Who created it.
    pub created_by: i64,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the last metadata or status change.
    pub updated_at: i64,
    /// How many of its open points are open (docs/DOMAIN.md §17).
    pub open_points: i64,
}

/// One step in a draft's status history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Transition {
    /// Database id.
    pub id: i64,
    /// Status before.
    pub from: DraftStatus,
    /// Status after.
    pub to: DraftStatus,
    /// Who moved it.
    pub by: i64,
    /// Their name.
    pub by_name: String,
    /// Optional note.
    pub note: Option<String>,
    /// The version frozen by this step, if any.
    pub version_id: Option<i64>,
    /// Unix ms.
    pub at: i64,
}

/// A frozen, named version (without its content).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct VersionInfo {
    /// Database id.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// Name, e.g. "consultatie 2026-11-25".
    pub name: String,
    /// The status the draft entered when this version was frozen.
    pub status: DraftStatus,
    /// Hex SHA-256 of the encoded state.
    pub content_hash: String,
    /// Who froze it.
    pub created_by: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
}

/// A version to freeze along with a transition.
pub struct NewVersion<'a> {
    /// Its name.
    pub name: &'a str,
    /// The encoded Yjs state.
    pub state: &'a [u8],
    /// Hex SHA-256 of `state`.
    pub content_hash: &'a str,
    /// The endorsement round whose version this one's content differs from: it is superseded
    /// in the same transaction (docs/DOMAIN.md §15).
    pub supersede: Option<i64>,
}

/// A status change to record.
pub struct NewTransition<'a> {
    /// The status the draft is in; the change fails when it is no longer in it.
    pub from: DraftStatus,
    /// The status it moves to.
    pub to: DraftStatus,
    /// Who moves it.
    pub by: i64,
    /// Why.
    pub note: Option<&'a str>,
    /// The version frozen with this step, if any.
    pub version: Option<NewVersion<'a>>,
}

/// Why a transition could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// The draft's status changed in the meantime.
    #[error("the draft's status changed in the meantime; reload and try again")]
    Conflict,
    /// The body's consent gate refuses the step (docs/DOMAIN.md §15); what is missing.
    #[error("{0}")]
    Refused(String),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for TransitionError {
    fn from(err: sqlx::Error) -> Self {
        TransitionError::Storage(err.into())
    }
}

/// A draft to create.
pub struct NewDraft<'a> {
    /// The body.
    pub body_id: i64,
    /// Its document's id.
    pub doc_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Template fields.
    pub template: &'a serde_json::Value,
    /// Who creates it.
    pub by: i64,
}

const DRAFT_SELECT: &str =
    "SELECT id, body_id, doc_id, title, status, template, created_by, created_at, updated_at, \
     (SELECT COUNT(*) FROM open_points op WHERE op.draft_id = drafts.id AND op.status = 'open') \
     AS open_points FROM drafts";

fn draft_from_row(row: &sqlx::any::AnyRow) -> Result<Draft, StorageError> {
    let template: String = row.try_get("template")?;
    Ok(Draft {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        doc_id: row.try_get("doc_id")?,
        title: row.try_get("title")?,
        status: get_decoded(row, "status", parse_status)?,
        template: serde_json::from_str(&template).unwrap_or(serde_json::Value::Null),
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        open_points: row.try_get("open_points")?,
    })
}

fn parse_status(raw: &str) -> Option<DraftStatus> {
    DraftStatus::parse(raw).ok()
}

pub(super) fn version_from_row(row: &sqlx::any::AnyRow) -> Result<VersionInfo, StorageError> {
    Ok(VersionInfo {
        id: row.try_get("id")?,
        draft_id: row.try_get("draft_id")?,
        name: row.try_get("name")?,
        status: get_decoded(row, "status", parse_status)?,
        content_hash: row.try_get("content_hash")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a draft and its document inside `tx` (no audit entry); returns its id.
pub(crate) async fn insert_draft(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewDraft<'_>,
    by_label: &str,
) -> Result<i64, StorageError> {
    let now = now_ms();
    sqlx::query("INSERT INTO documents (id, created_by, created_at) VALUES ($1, $2, $3)")
        .bind(new.doc_id)
        .bind(by_label)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| super::parties::unique_as(e, "document id"))?;
    let row = sqlx::query(
        "INSERT INTO drafts (body_id, doc_id, title, status, template, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'concept', $4, $5, $6, $6) RETURNING id",
    )
    .bind(new.body_id)
    .bind(new.doc_id)
    .bind(new.title)
    .bind(new.template.to_string())
    .bind(new.by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

impl SqlStorage {
    /// Creates a draft and its document.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the document id is taken.
    pub async fn create_draft(
        &self,
        body_id: i64,
        doc_id: &str,
        title: &str,
        template: &serde_json::Value,
        by: i64,
        by_label: &str,
    ) -> Result<i64, StorageError> {
        let new = NewDraft {
            body_id,
            doc_id,
            title,
            template,
            by,
        };
        let mut tx = self.begin_write().await?;
        let id = insert_draft(&mut tx, &new, by_label).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a draft and its document with the `draft.create` audit entry; returns it.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the document id is taken.
    pub async fn create_draft_by(
        &self,
        new: &NewDraft<'_>,
        actor: &Actor,
    ) -> Result<Draft, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_draft(&mut tx, new, &actor.name).await?;
        let subject = serde_json::json!({ "draft": id, "body": new.body_id, "doc": new.doc_id });
        append_in(&mut tx, self.backend(), actor, "draft.create", &subject).await?;
        let row = sqlx::query(&format!("{DRAFT_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let draft = draft_from_row(&row)?;
        tx.commit().await?;
        Ok(draft)
    }

    /// A body's drafts, newest first, `limit` from `offset`, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_drafts(
        &self,
        body_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Draft>, i64), StorageError> {
        let rows = sqlx::query(&format!(
            "{DRAFT_SELECT} WHERE body_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(body_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM drafts WHERE body_id = $1")
            .bind(body_id)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok((
            rows.iter().map(draft_from_row).collect::<Result<_, _>>()?,
            total,
        ))
    }

    /// One draft.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_draft(&self, id: i64) -> Result<Option<Draft>, StorageError> {
        let row = sqlx::query(&format!("{DRAFT_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(draft_from_row).transpose()
    }

    /// Changes a draft's title and template fields, with the `draft.update` audit entry;
    /// returns the draft after it (`None` when it does not exist).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_draft(
        &self,
        id: i64,
        title: &str,
        template: &serde_json::Value,
        actor: &Actor,
    ) -> Result<Option<Draft>, StorageError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE drafts SET title = $1, template = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(title)
        .bind(template.to_string())
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(None);
        }
        let subject = serde_json::json!({ "draft": id });
        append_in(&mut tx, self.backend(), actor, "draft.update", &subject).await?;
        let row = sqlx::query(&format!("{DRAFT_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let draft = draft_from_row(&row)?;
        tx.commit().await?;
        Ok(Some(draft))
    }

    /// Moves a draft along its status flow, recording who and why, freezing the step's
    /// version and appending the `draft.transition` audit entry, all in one transaction.
    /// Returns the draft after it and the id of the version frozen. Fails with
    /// [`TransitionError::Conflict`] when the draft is no longer in `from`.
    ///
    /// # Errors
    /// See [`TransitionError`].
    pub async fn record_transition(
        &self,
        draft_id: i64,
        step: NewTransition<'_>,
        actor: &Actor,
    ) -> Result<(Draft, Option<i64>), TransitionError> {
        let now = now_ms();
        let (from, to) = (step.from.as_str(), step.to.as_str());
        let mut tx = self.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE drafts SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to)
        .bind(now)
        .bind(draft_id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(TransitionError::Conflict);
        }
        // The append statement of every process refuses updates to a frozen document.
        sqlx::query(
            "UPDATE documents SET frozen = $1 WHERE id = (SELECT doc_id FROM drafts WHERE id = $2)",
        )
        .bind(i64::from(step.to.is_frozen()))
        .bind(draft_id)
        .execute(&mut *tx)
        .await?;
        let mut consent_audit = Vec::new();
        let version_id = match step.version {
            Some(version) => {
                let row = sqlx::query(
                    "INSERT INTO versions (draft_id, name, status, state, content_hash, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(draft_id)
                .bind(version.name)
                .bind(to)
                .bind(version.state)
                .bind(version.content_hash)
                .bind(step.by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let id = row.try_get::<i64, _>("id")?;
                let hooked = super::consent::rounds::hooks::on_version(
                    &mut tx,
                    draft_id,
                    id,
                    version.content_hash,
                    version.supersede,
                    Some(step.to),
                    step.by,
                )
                .await?;
                consent_audit = hooked.map_err(TransitionError::Refused)?;
                Some(id)
            }
            None => None,
        };
        sqlx::query(
            "INSERT INTO draft_transitions (draft_id, from_status, to_status, by_user, note, version_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(draft_id)
        .bind(from)
        .bind(to)
        .bind(step.by)
        .bind(step.note)
        .bind(version_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (action, subject) in &consent_audit {
            append_in(&mut tx, self.backend(), actor, action, subject).await?;
        }
        let subject =
            serde_json::json!({ "draft": draft_id, "from": from, "to": to, "version": version_id });
        let audit_id =
            append_in(&mut tx, self.backend(), actor, "draft.transition", &subject).await?;
        if step.to == DraftStatus::Besloten {
            // the decision register's entry, under the transition's own audit entry
            super::decisions::register::record_draft_decision_in(
                &mut tx, draft_id, version_id, step.note, step.by, audit_id,
            )
            .await?;
        }
        let row = sqlx::query(&format!("{DRAFT_SELECT} WHERE id = $1"))
            .bind(draft_id)
            .fetch_one(&mut *tx)
            .await?;
        let draft = draft_from_row(&row)?;
        tx.commit().await?;
        Ok((draft, version_id))
    }

    /// A draft's status history, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_transitions(&self, draft_id: i64) -> Result<Vec<Transition>, StorageError> {
        let rows = sqlx::query(
            "SELECT t.id, t.from_status, t.to_status, t.by_user, u.name, t.note, t.version_id, t.at \
             FROM draft_transitions t JOIN users u ON u.id = t.by_user WHERE t.draft_id = $1 ORDER BY t.id",
        )
        .bind(draft_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Transition {
                    id: row.try_get("id")?,
                    from: get_decoded(row, "from_status", parse_status)?,
                    to: get_decoded(row, "to_status", parse_status)?,
                    by: row.try_get("by_user")?,
                    by_name: row.try_get("name")?,
                    note: row.try_get("note")?,
                    version_id: row.try_get("version_id")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    /// A draft's versions, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_versions(&self, draft_id: i64) -> Result<Vec<VersionInfo>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, draft_id, name, status, content_hash, created_by, created_at FROM versions \
             WHERE draft_id = $1 ORDER BY id",
        )
        .bind(draft_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// One version with its encoded state.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn version_state(
        &self,
        draft_id: i64,
        version_id: i64,
    ) -> Result<Option<(VersionInfo, Vec<u8>)>, StorageError> {
        let row = sqlx::query(
            "SELECT id, draft_id, name, status, content_hash, created_by, created_at, state FROM versions \
             WHERE draft_id = $1 AND id = $2",
        )
        .bind(draft_id)
        .bind(version_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((version_from_row(&row)?, row.try_get("state")?)))
    }
}
