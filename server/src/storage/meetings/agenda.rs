//! Agenda items of a meeting: free text, or a link to one version, milestone, dispute or
//! decision request, numbered 1, 2, … in order.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::domain::meeting::{self, AgendaKind, MAX_AGENDA_ITEMS};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// What a linked agenda item points at, described.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AgendaLink {
    /// The linked thing in words, e.g. "Advies, consultatie 2026-11-25 (consultatie)".
    pub label: String,
    /// The draft of a linked version.
    pub draft_id: Option<i64>,
    /// The content hash of a linked version.
    pub content_hash: Option<String>,
    /// The linked thing's status.
    pub status: Option<String>,
}

/// An agenda item.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AgendaItem {
    /// Id.
    pub id: i64,
    /// Its number on the agenda, from 1.
    pub position: i64,
    /// Kind.
    pub kind: AgendaKind,
    /// Title.
    pub title: String,
    /// Note.
    pub note: String,
    /// Linked version.
    pub version_id: Option<i64>,
    /// Linked milestone.
    pub milestone_id: Option<i64>,
    /// Linked dispute.
    pub dispute_id: Option<i64>,
    /// Linked decision request.
    pub decision_request_id: Option<i64>,
    /// The linked thing, when there is one (and it still exists).
    pub link: Option<AgendaLink>,
}

/// An item to add.
#[derive(Debug, Clone)]
pub struct NewAgendaItem {
    /// Kind.
    pub kind: AgendaKind,
    /// Title.
    pub title: String,
    /// Note.
    pub note: String,
    /// The linked thing's id (for every kind but `item`).
    pub target: Option<i64>,
}

/// Why an agenda change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    /// The agenda is full.
    #[error("an agenda holds at most {MAX_AGENDA_ITEMS} items")]
    Full,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for AgendaError {
    fn from(err: sqlx::Error) -> Self {
        AgendaError::Storage(err.into())
    }
}

const AGENDA_SELECT: &str = "SELECT a.id, a.position, a.kind, a.title, a.note, a.version_id, \
     a.milestone_id, a.dispute_id, a.decision_request_id, \
     v.name AS v_name, v.status AS v_status, v.content_hash, v.draft_id, d.title AS d_title, \
     ms.title AS m_title, ms.due_raw, ms.status AS m_status, \
     x.title AS x_title, x.status AS x_status, \
     r.title AS r_title, r.status AS r_status, r.deadline AS r_deadline \
     FROM agenda_items a LEFT JOIN versions v ON v.id = a.version_id \
     LEFT JOIN drafts d ON d.id = v.draft_id \
     LEFT JOIN milestones ms ON ms.id = a.milestone_id \
     LEFT JOIN disputes x ON x.id = a.dispute_id \
     LEFT JOIN decision_requests r ON r.id = a.decision_request_id";

fn link_of(row: &sqlx::any::AnyRow, kind: AgendaKind) -> Result<Option<AgendaLink>, StorageError> {
    let link = |label: String, status: Option<String>| AgendaLink {
        label,
        draft_id: None,
        content_hash: None,
        status,
    };
    Ok(match kind {
        AgendaKind::Item => None,
        AgendaKind::Version => {
            let name: Option<String> = row.try_get("v_name")?;
            match name {
                Some(name) => {
                    let status: String = row.try_get("v_status")?;
                    let draft: Option<String> = row.try_get("d_title")?;
                    Some(AgendaLink {
                        label: format!("{}, {name} ({status})", draft.unwrap_or_default()),
                        draft_id: row.try_get("draft_id")?,
                        content_hash: row.try_get("content_hash")?,
                        status: Some(status),
                    })
                }
                None => None,
            }
        }
        AgendaKind::Milestone => {
            let title: Option<String> = row.try_get("m_title")?;
            match title {
                Some(title) => {
                    let status: String = row.try_get("m_status")?;
                    let due: String = row.try_get("due_raw")?;
                    Some(link(format!("{title}: {due} ({status})"), Some(status)))
                }
                None => None,
            }
        }
        AgendaKind::Dispute => {
            let title: Option<String> = row.try_get("x_title")?;
            match title {
                Some(title) => {
                    let status: String = row.try_get("x_status")?;
                    Some(link(format!("{title} ({status})"), Some(status)))
                }
                None => None,
            }
        }
        AgendaKind::DecisionRequest => {
            let title: Option<String> = row.try_get("r_title")?;
            match title {
                Some(title) => {
                    let status: String = row.try_get("r_status")?;
                    let deadline: Option<String> = row.try_get("r_deadline")?;
                    let label = match deadline {
                        Some(day) => format!("{title} ({status}, uiterlijk {day})"),
                        None => format!("{title} ({status})"),
                    };
                    Some(link(label, Some(status)))
                }
                None => None,
            }
        }
    })
}

fn item_from_row(row: &sqlx::any::AnyRow) -> Result<AgendaItem, StorageError> {
    let kind = get_decoded(row, "kind", AgendaKind::parse)?;
    Ok(AgendaItem {
        id: row.try_get("id")?,
        position: row.try_get("position")?,
        kind,
        title: row.try_get("title")?,
        note: row.try_get("note")?,
        version_id: row.try_get("version_id")?,
        milestone_id: row.try_get("milestone_id")?,
        dispute_id: row.try_get("dispute_id")?,
        decision_request_id: row.try_get("decision_request_id")?,
        link: link_of(row, kind)?,
    })
}

/// A meeting's agenda in order.
pub(super) async fn select_agenda(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<AgendaItem>, StorageError> {
    let rows = sqlx::query(&format!(
        "{AGENDA_SELECT} WHERE a.meeting_id = $1 ORDER BY a.position, a.id"
    ))
    .bind(meeting_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(item_from_row).collect()
}

async fn select_item(
    conn: &mut AnyConnection,
    meeting_id: i64,
    id: i64,
) -> Result<Option<AgendaItem>, StorageError> {
    let row = sqlx::query(&format!(
        "{AGENDA_SELECT} WHERE a.meeting_id = $1 AND a.id = $2"
    ))
    .bind(meeting_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(item_from_row).transpose()
}

/// Numbers the items 1, 2, … in the order `ids`.
async fn renumber(tx: &mut Transaction<'_, Any>, ids: &[i64]) -> Result<(), StorageError> {
    for (n, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2")
            .bind(i64::try_from(n + 1).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn item_ids(
    tx: &mut Transaction<'_, Any>,
    meeting_id: i64,
) -> Result<Vec<i64>, StorageError> {
    let rows =
        sqlx::query("SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id")
            .bind(meeting_id)
            .fetch_all(&mut **tx)
            .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// A thing an agenda item may link to: its body and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaTarget {
    /// The body it belongs to.
    pub body_id: i64,
    /// Its title (a version: the draft's title and the version's name).
    pub title: String,
}

impl SqlStorage {
    /// The body and title of the thing an agenda item of `kind` would link to.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn agenda_target(
        &self,
        kind: AgendaKind,
        id: i64,
    ) -> Result<Option<AgendaTarget>, StorageError> {
        let sql = match kind {
            AgendaKind::Item => return Ok(None),
            AgendaKind::Version => {
                "SELECT d.body_id, d.title || ' (' || v.name || ')' AS title FROM versions v \
                 JOIN drafts d ON d.id = v.draft_id WHERE v.id = $1"
            }
            AgendaKind::Milestone => "SELECT body_id, title FROM milestones WHERE id = $1",
            AgendaKind::Dispute => "SELECT body_id, title FROM disputes WHERE id = $1",
            AgendaKind::DecisionRequest => {
                "SELECT body_id, title FROM decision_requests WHERE id = $1"
            }
        };
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(AgendaTarget {
                body_id: row.try_get("body_id")?,
                title: row.try_get("title")?,
            })
        })
        .transpose()
    }

    /// Adds an item at the end of a meeting's agenda with its `meeting.agenda_add` audit entry.
    ///
    /// # Errors
    /// [`AgendaError::Full`] at [`MAX_AGENDA_ITEMS`] items; storage errors.
    pub async fn add_agenda_item(
        &self,
        meeting_id: i64,
        body_id: i64,
        new: &NewAgendaItem,
        by: &Actor,
    ) -> Result<AgendaItem, AgendaError> {
        let mut tx = self.begin_write().await?;
        let ids = item_ids(&mut tx, meeting_id).await?;
        if ids.len() >= MAX_AGENDA_ITEMS {
            return Err(AgendaError::Full);
        }
        let target = |kind| (new.kind == kind).then_some(new.target).flatten();
        let row = sqlx::query(
            "INSERT INTO agenda_items (meeting_id, position, title, note, kind, version_id, \
             milestone_id, dispute_id, decision_request_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(meeting_id)
        .bind(i64::try_from(ids.len() + 1).unwrap_or(i64::MAX))
        .bind(&new.title)
        .bind(&new.note)
        .bind(new.kind.as_str())
        .bind(target(AgendaKind::Version))
        .bind(target(AgendaKind::Milestone))
        .bind(target(AgendaKind::Dispute))
        .bind(target(AgendaKind::DecisionRequest))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "body": body_id, "meeting": meeting_id, "item": id });
        append_in(&mut tx, self.backend(), by, "meeting.agenda_add", &subject).await?;
        let item = select_item(&mut tx, meeting_id, id)
            .await?
            .ok_or(StorageError::AlreadyExists("agenda item"))?;
        tx.commit().await?;
        Ok(item)
    }

    /// Changes an item's title and note and moves it to `position` (the others shift), with
    /// its `meeting.agenda_update` audit entry. `None`: no such item on this agenda.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_agenda_item(
        &self,
        meeting_id: i64,
        body_id: i64,
        id: i64,
        (title, note, position): (Option<&str>, Option<&str>, Option<usize>),
        by: &Actor,
    ) -> Result<Option<AgendaItem>, StorageError> {
        let mut tx = self.begin_write().await?;
        let ids = item_ids(&mut tx, meeting_id).await?;
        if !ids.contains(&id) {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE agenda_items SET title = COALESCE($1, title), note = COALESCE($2, note) \
             WHERE id = $3",
        )
        .bind(title)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(order) = position.and_then(|p| meeting::reorder(&ids, id, p)) {
            renumber(&mut tx, &order).await?;
        }
        let subject = serde_json::json!({ "body": body_id, "meeting": meeting_id, "item": id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "meeting.agenda_update",
            &subject,
        )
        .await?;
        let item = select_item(&mut tx, meeting_id, id).await?;
        tx.commit().await?;
        Ok(item)
    }

    /// Removes an item (the ones after it move up) with its `meeting.agenda_remove` audit
    /// entry; `false` when it is not on this agenda.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn remove_agenda_item(
        &self,
        meeting_id: i64,
        body_id: i64,
        id: i64,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM agenda_items WHERE meeting_id = $1 AND id = $2")
            .bind(meeting_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let ids = item_ids(&mut tx, meeting_id).await?;
        renumber(&mut tx, &ids).await?;
        let subject = serde_json::json!({ "body": body_id, "meeting": meeting_id, "item": id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "meeting.agenda_remove",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
