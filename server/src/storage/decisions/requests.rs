//! Decision requests: creating, changing and withdrawing them (each with its audit entry in
//! the change's transaction), and reading them with their decisions.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::register::request_decisions;
use super::DecisionError;
use crate::domain::decision::{Decision, RequestStatus, RequestText};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// A request as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct DecisionRequestSummary {
    /// Database id.
    pub id: i64,
    /// The deciding body.
    pub body_id: i64,
    /// Its name.
    pub body_name: String,
    /// The body that asks (none: the programme team).
    pub requesting_body_id: Option<i64>,
    /// Its name.
    pub requesting_body_name: Option<String>,
    /// The meeting it is put to.
    pub meeting_id: Option<i64>,
    /// That meeting's title.
    pub meeting_title: Option<String>,
    /// Unix ms the meeting starts.
    pub meeting_starts_at: Option<i64>,
    /// Title.
    pub title: String,
    /// Day the decision is needed by.
    pub deadline: Option<String>,
    /// Where it is.
    pub status: RequestStatus,
}

/// The supporting version of a request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct VersionRef {
    /// The version.
    pub id: i64,
    /// Its draft.
    pub draft_id: i64,
    /// The draft's title.
    pub draft_title: String,
    /// The version's name.
    pub name: String,
    /// Its content hash.
    pub content_hash: String,
    /// The status the draft entered with it.
    pub status: String,
}

/// A request with its question, options, version and decisions.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct DecisionRequest {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: DecisionRequestSummary,
    /// The question.
    pub question: String,
    /// The answers offered.
    pub options: Vec<String>,
    /// What is asked of whom.
    pub asked_of: String,
    /// The supporting version.
    pub version: Option<VersionRef>,
    /// Its decisions (a deferral and the final one), newest first.
    pub decisions: Vec<Decision>,
    /// Whether the caller may record an outcome.
    pub can_decide: bool,
    /// Whether the caller may change or withdraw it.
    pub can_edit: bool,
}

/// What a request says and where it goes.
#[derive(Debug, Clone)]
pub struct RequestFields {
    /// The texts, checked.
    pub text: RequestText,
    /// The body that asks.
    pub requesting_body_id: Option<i64>,
    /// The meeting (of the deciding body).
    pub meeting_id: Option<i64>,
    /// The supporting version.
    pub version_id: Option<i64>,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.body_id, b.name AS body_name, r.requesting_body_id, \
     rb.name AS requesting_body_name, r.meeting_id, m.title AS meeting_title, \
     m.starts_at AS meeting_starts_at, r.title, r.deadline, r.status, r.question, r.options, \
     r.asked_of, r.version_id FROM decision_requests r JOIN bodies b ON b.id = r.body_id \
     LEFT JOIN bodies rb ON rb.id = r.requesting_body_id \
     LEFT JOIN meetings m ON m.id = r.meeting_id";

fn summary_from_row(row: &AnyRow) -> Result<DecisionRequestSummary, StorageError> {
    Ok(DecisionRequestSummary {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        body_name: row.try_get("body_name")?,
        requesting_body_id: row.try_get("requesting_body_id")?,
        requesting_body_name: row.try_get("requesting_body_name")?,
        meeting_id: row.try_get("meeting_id")?,
        meeting_title: row.try_get("meeting_title")?,
        meeting_starts_at: row.try_get("meeting_starts_at")?,
        title: row.try_get("title")?,
        deadline: row.try_get("deadline")?,
        status: get_decoded(row, "status", RequestStatus::parse)?,
    })
}

/// The decision requests put to the meeting `meeting_id`, read on `conn` (a meeting's detail
/// shows them).
pub(crate) async fn requests_of_meeting(
    conn: &mut AnyConnection,
    meeting_id: i64,
) -> Result<Vec<DecisionRequestSummary>, StorageError> {
    let rows = sqlx::query(&format!(
        "{REQUEST_SELECT} WHERE r.meeting_id = $1 ORDER BY r.id"
    ))
    .bind(meeting_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(summary_from_row).collect()
}

/// A version with its draft, read on `conn`.
pub(crate) async fn load_version_ref(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<VersionRef>, StorageError> {
    let row = sqlx::query(
        "SELECT v.id, v.draft_id, d.title, v.name, v.content_hash, v.status FROM versions v \
         JOIN drafts d ON d.id = v.draft_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(VersionRef {
            id: row.try_get("id")?,
            draft_id: row.try_get("draft_id")?,
            draft_title: row.try_get("title")?,
            name: row.try_get("name")?,
            content_hash: row.try_get("content_hash")?,
            status: row.try_get("status")?,
        })
    })
    .transpose()
}

/// One request with its decisions, read on `conn`.
pub(crate) async fn load_request(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<DecisionRequest>, StorageError> {
    let Some(row) = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let options: String = row.try_get("options")?;
    let version_id: Option<i64> = row.try_get("version_id")?;
    let version = match version_id {
        Some(v) => load_version_ref(conn, v).await?,
        None => None,
    };
    Ok(Some(DecisionRequest {
        summary: summary_from_row(&row)?,
        question: row.try_get("question")?,
        options: serde_json::from_str(&options).unwrap_or_default(),
        asked_of: row.try_get("asked_of")?,
        version,
        decisions: request_decisions(conn, id).await?,
        can_decide: false,
        can_edit: false,
    }))
}

/// Puts a request on a meeting's agenda (last), inside `tx`, unless it is on it already.
pub(crate) async fn add_to_agenda_in(
    tx: &mut Transaction<'_, Any>,
    meeting_id: i64,
    request_id: i64,
    title: &str,
) -> Result<(), StorageError> {
    let there = sqlx::query(
        "SELECT 1 AS one FROM agenda_items WHERE meeting_id = $1 AND decision_request_id = $2",
    )
    .bind(meeting_id)
    .bind(request_id)
    .fetch_optional(&mut **tx)
    .await?;
    if there.is_some() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO agenda_items (meeting_id, position, title, note, kind, decision_request_id, created_at) \
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $1), \
         $2, '', 'decision_request', $3, $4)",
    )
    .bind(meeting_id)
    .bind(title)
    .bind(request_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn reloaded(tx: &mut Transaction<'_, Any>, id: i64) -> Result<DecisionRequest, StorageError> {
    load_request(tx, id)
        .await?
        .ok_or(StorageError::AlreadyExists("decision request"))
}

impl SqlStorage {
    /// Creates a request put to `body_id`, on its meeting's agenda when it has one, with the
    /// `decision_request.create` audit entry; returns it.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_decision_request(
        &self,
        body_id: i64,
        fields: &RequestFields,
        by: (i64, &Actor),
    ) -> Result<DecisionRequest, StorageError> {
        let (person, actor) = by;
        let now = now_ms();
        let text = &fields.text;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO decision_requests (body_id, requesting_body_id, meeting_id, title, question, \
             options, asked_of, version_id, deadline, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $11) RETURNING id",
        )
        .bind(body_id)
        .bind(fields.requesting_body_id)
        .bind(fields.meeting_id)
        .bind(&text.title)
        .bind(&text.question)
        .bind(serde_json::to_string(&text.options).unwrap_or_else(|_| "[]".into()))
        .bind(&text.asked_of)
        .bind(fields.version_id)
        .bind(text.deadline.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(person)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if let Some(meeting) = fields.meeting_id {
            add_to_agenda_in(&mut tx, meeting, id, &text.title).await?;
        }
        let subject = serde_json::json!({
            "decision_request": id, "body": body_id,
            "requesting_body": fields.requesting_body_id, "meeting": fields.meeting_id,
        });
        append_in(
            &mut tx,
            self.backend(),
            actor,
            "decision_request.create",
            &subject,
        )
        .await?;
        let created = reloaded(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an open or deferred request (a new meeting puts it on that meeting's agenda),
    /// with the `decision_request.update` audit entry.
    ///
    /// # Errors
    /// [`DecisionError::Conflict`] when it is decided or withdrawn.
    pub async fn update_decision_request(
        &self,
        id: i64,
        fields: &RequestFields,
        by: &Actor,
    ) -> Result<DecisionRequest, DecisionError> {
        let text = &fields.text;
        let mut tx = self.begin_write().await?;
        let before: Option<i64> =
            sqlx::query("SELECT meeting_id FROM decision_requests WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("meeting_id")?;
        let changed = sqlx::query(
            "UPDATE decision_requests SET requesting_body_id = $1, meeting_id = $2, title = $3, \
             question = $4, options = $5, asked_of = $6, version_id = $7, deadline = $8, \
             updated_at = $9 WHERE id = $10 AND status IN ('open', 'aangehouden')",
        )
        .bind(fields.requesting_body_id)
        .bind(fields.meeting_id)
        .bind(&text.title)
        .bind(&text.question)
        .bind(serde_json::to_string(&text.options).unwrap_or_else(|_| "[]".into()))
        .bind(&text.asked_of)
        .bind(fields.version_id)
        .bind(text.deadline.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(DecisionError::Conflict(
                "this request is decided or withdrawn and can no longer change".into(),
            ));
        }
        if let Some(meeting) = fields.meeting_id.filter(|m| Some(*m) != before) {
            add_to_agenda_in(&mut tx, meeting, id, &text.title).await?;
        }
        let subject = serde_json::json!({ "decision_request": id, "meeting": fields.meeting_id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "decision_request.update",
            &subject,
        )
        .await?;
        let after = reloaded(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws an open or deferred request, with the `decision_request.withdraw` entry.
    ///
    /// # Errors
    /// [`DecisionError::Conflict`] when it is decided or withdrawn already.
    pub async fn withdraw_decision_request(
        &self,
        id: i64,
        by: &Actor,
    ) -> Result<DecisionRequest, DecisionError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE decision_requests SET status = 'ingetrokken', updated_at = $1 \
             WHERE id = $2 AND status IN ('open', 'aangehouden')",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(DecisionError::Conflict(
                "this request is already decided or withdrawn".into(),
            ));
        }
        let subject = serde_json::json!({ "decision_request": id });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "decision_request.withdraw",
            &subject,
        )
        .await?;
        let after = reloaded(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One request with its decisions.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_decision_request(
        &self,
        id: i64,
    ) -> Result<Option<DecisionRequest>, StorageError> {
        load_request(&mut *self.pool().acquire().await?, id).await
    }

    /// The requests put to a body, optionally with one status, by meeting then newest: `limit`
    /// from `offset`, and the total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_decision_requests(
        &self,
        body_id: i64,
        status: Option<RequestStatus>,
        (offset, limit): (i64, i64),
    ) -> Result<(Vec<DecisionRequestSummary>, i64), StorageError> {
        let status = status.map(RequestStatus::as_str);
        let rows = sqlx::query(&format!(
            "{REQUEST_SELECT} WHERE r.body_id = $1 AND ($2 = 0 OR r.status = $3) \
             ORDER BY r.id DESC LIMIT $4 OFFSET $5"
        ))
        .bind(body_id)
        .bind(i64::from(status.is_some()))
        .bind(status.unwrap_or_default())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM decision_requests r WHERE r.body_id = $1 \
             AND ($2 = 0 OR r.status = $3)",
        )
        .bind(body_id)
        .bind(i64::from(status.is_some()))
        .bind(status.unwrap_or_default())
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        Ok((
            rows.iter()
                .map(summary_from_row)
                .collect::<Result<_, _>>()?,
            total,
        ))
    }

    /// A version with its draft (for a request's supporting version).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_version_ref(&self, id: i64) -> Result<Option<VersionRef>, StorageError> {
        load_version_ref(&mut *self.pool().acquire().await?, id).await
    }

    /// The body and start (Unix ms) of a meeting, if it exists.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn meeting_of(&self, id: i64) -> Result<Option<(i64, i64)>, StorageError> {
        let row = sqlx::query("SELECT body_id, starts_at FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok((r.try_get("body_id")?, r.try_get("starts_at")?)))
            .transpose()
    }
}
