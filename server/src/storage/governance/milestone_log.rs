//! A milestone's status history, progress notes and links to the passage or decision it
//! came from. A person's note or link is stored with its audit entry in one transaction.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;

use super::milestones::{load_milestone, Milestone};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A milestone with its history, notes and links, as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MilestoneDetail {
    /// The milestone.
    #[serde(flatten)]
    pub milestone: Milestone,
    /// Its status changes, oldest first.
    pub history: Vec<StatusChange>,
    /// Its progress notes, oldest first.
    pub notes: Vec<Note>,
    /// Its links.
    pub links: Vec<Link>,
}

/// One status change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StatusChange {
    /// Database id.
    pub id: i64,
    /// `status` (a status change, a rescheduling included) or `correction` (the due date as
    /// recorded was corrected; the status stayed).
    pub kind: String,
    /// Previous status.
    pub from: String,
    /// New status.
    pub to: String,
    /// Why.
    pub reason: Option<String>,
    /// With whom a new date was agreed.
    pub agreed_with: Option<String>,
    /// The due date before a `verschoven`.
    pub old_due: Option<String>,
    /// The newly agreed due date (raw).
    pub new_due: Option<String>,
    /// Its first day.
    pub new_due_earliest: Option<String>,
    /// Its deadline.
    pub new_due_latest: Option<String>,
    /// Who.
    pub by: Option<i64>,
    /// Their name.
    pub by_name: Option<String>,
    /// Unix ms.
    pub at: i64,
}

/// A progress note.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Note {
    /// Database id.
    pub id: i64,
    /// Author.
    pub author_id: Option<i64>,
    /// Their name.
    pub author_name: Option<String>,
    /// Text.
    pub body: String,
    /// Unix ms.
    pub created_at: i64,
}

/// A link to a draft passage or a decision.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Link {
    /// Database id.
    pub id: i64,
    /// The advice draft.
    pub draft_id: Option<i64>,
    /// A comment in it that anchors the passage.
    pub comment_id: Option<i64>,
    /// A text anchor or quote of the passage.
    pub anchor: Option<String>,
    /// The decision text.
    pub decision_text: Option<String>,
    /// Who linked it.
    pub created_by: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
}

/// A link to add.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    /// Draft.
    pub draft_id: Option<i64>,
    /// Comment.
    pub comment_id: Option<i64>,
    /// Anchor.
    pub anchor: Option<String>,
    /// Decision text.
    pub decision_text: Option<String>,
}

/// A milestone with its history, notes and links, read on `conn`.
pub(super) async fn load_detail(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<MilestoneDetail>, StorageError> {
    let Some(milestone) = load_milestone(conn, id).await? else {
        return Ok(None);
    };
    Ok(Some(MilestoneDetail {
        milestone,
        history: history(conn, id).await?,
        notes: notes(conn, id).await?,
        links: links(conn, id).await?,
    }))
}

async fn history(
    conn: &mut AnyConnection,
    milestone_id: i64,
) -> Result<Vec<StatusChange>, StorageError> {
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.from_status, c.to_status, c.reason, c.agreed_with, c.old_due_raw, \
         c.new_due_raw, c.new_due_earliest, c.new_due_latest, c.by_user, u.name AS by_name, c.at \
         FROM milestone_status_changes c LEFT JOIN users u ON u.id = c.by_user \
         WHERE c.milestone_id = $1 ORDER BY c.id",
    )
    .bind(milestone_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StatusChange {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                from: row.try_get("from_status")?,
                to: row.try_get("to_status")?,
                reason: row.try_get("reason")?,
                agreed_with: row.try_get("agreed_with")?,
                old_due: row.try_get("old_due_raw")?,
                new_due: row.try_get("new_due_raw")?,
                new_due_earliest: row.try_get("new_due_earliest")?,
                new_due_latest: row.try_get("new_due_latest")?,
                by: row.try_get("by_user")?,
                by_name: row.try_get("by_name")?,
                at: row.try_get("at")?,
            })
        })
        .collect()
}

async fn notes(conn: &mut AnyConnection, milestone_id: i64) -> Result<Vec<Note>, StorageError> {
    let rows = sqlx::query(
        "SELECT n.id, n.author_id, u.name AS author_name, n.body, n.created_at \
         FROM milestone_notes n LEFT JOIN users u ON u.id = n.author_id \
         WHERE n.milestone_id = $1 ORDER BY n.id",
    )
    .bind(milestone_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Note {
                id: row.try_get("id")?,
                author_id: row.try_get("author_id")?,
                author_name: row.try_get("author_name")?,
                body: row.try_get("body")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

async fn links(conn: &mut AnyConnection, milestone_id: i64) -> Result<Vec<Link>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, draft_id, comment_id, anchor, decision_text, created_by, created_at \
         FROM milestone_links WHERE milestone_id = $1 ORDER BY id",
    )
    .bind(milestone_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Link {
                id: row.try_get("id")?,
                draft_id: row.try_get("draft_id")?,
                comment_id: row.try_get("comment_id")?,
                anchor: row.try_get("anchor")?,
                decision_text: row.try_get("decision_text")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

impl SqlStorage {
    /// A milestone with its history, notes and links.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn milestone_detail(&self, id: i64) -> Result<Option<MilestoneDetail>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        load_detail(&mut conn, id).await
    }

    /// A milestone's status history, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn milestone_history(
        &self,
        milestone_id: i64,
    ) -> Result<Vec<StatusChange>, StorageError> {
        history(&mut *self.pool().acquire().await?, milestone_id).await
    }

    /// A milestone's notes, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn milestone_notes(&self, milestone_id: i64) -> Result<Vec<Note>, StorageError> {
        notes(&mut *self.pool().acquire().await?, milestone_id).await
    }

    /// A milestone's links.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn milestone_links(&self, milestone_id: i64) -> Result<Vec<Link>, StorageError> {
        links(&mut *self.pool().acquire().await?, milestone_id).await
    }

    /// Adds a progress note by `author_id` with its `milestone.note` audit entry; returns the
    /// milestone's notes after it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_milestone_note(
        &self,
        milestone_id: i64,
        author_id: Option<i64>,
        body: &str,
        by: &Actor,
    ) -> Result<Vec<Note>, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO milestone_notes (milestone_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(milestone_id)
        .bind(author_id)
        .bind(body)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "milestone": milestone_id, "note": id });
        append_in(&mut tx, self.backend(), by, "milestone.note", &subject).await?;
        let all = notes(&mut tx, milestone_id).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Adds a link by `created_by` with its `milestone.link` audit entry; returns the
    /// milestone's links after it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn add_milestone_link(
        &self,
        milestone_id: i64,
        link: &NewLink,
        created_by: Option<i64>,
        by: &Actor,
    ) -> Result<Vec<Link>, StorageError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO milestone_links (milestone_id, draft_id, comment_id, anchor, decision_text, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(milestone_id)
        .bind(link.draft_id)
        .bind(link.comment_id)
        .bind(&link.anchor)
        .bind(&link.decision_text)
        .bind(created_by)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let subject = serde_json::json!({ "milestone": milestone_id, "link": id });
        append_in(&mut tx, self.backend(), by, "milestone.link", &subject).await?;
        let all = links(&mut tx, milestone_id).await?;
        tx.commit().await?;
        Ok(all)
    }
}
