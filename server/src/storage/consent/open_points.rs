//! Open points of a draft (docs/DOMAIN.md §17): typed comments, markers found in the text
//! (stored first as `voorgesteld`, once per `marker_key`) and points added by hand, with their
//! owner (a person or a party of the body), due date and how they were settled.
//!
//! Every change is one transaction with its audit entry: `open_point.create` (an event that
//! tells the owner), `open_point.detect` and `open_point.update` (an event when it gives the
//! point a new owner).

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

mod demo;
mod owners;

pub use demo::demo_seed;
pub use owners::{Owner, OwnerProblem, RemindablePoint};

use crate::domain::open_points::{Marker, PointKind, PointSource, PointStatus};
use crate::storage::audit::{append_in, Actor};
use crate::storage::{get_decoded, now_ms, Backend, SqlStorage, StorageError};

/// An open point, as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct OpenPoint {
    /// Database id.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// `pm`, `nb`, `bespreekpunt` or `datum`.
    pub kind: PointKind,
    /// What it is about.
    pub text: String,
    /// The passage it concerns (the marker as it stands, or the comment's quote).
    pub quote: Option<String>,
    /// `comment`, `marker` or `manual`.
    pub source: PointSource,
    /// The comment it was typed with.
    pub comment_id: Option<i64>,
    /// The person who owns it.
    pub owner_person_id: Option<i64>,
    /// Their name.
    pub owner_name: Option<String>,
    /// The party that owns it (code).
    pub owner_party: Option<String>,
    /// The day it is due, `YYYY-MM-DD`.
    pub due: Option<String>,
    /// `voorgesteld`, `open`, `gesloten` or `afgewezen`.
    pub status: PointStatus,
    /// Who made or found it.
    pub created_by_name: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Who closed or turned it down.
    pub closed_by_name: Option<String>,
    /// Unix ms.
    pub closed_at: Option<i64>,
    /// Why, in their words.
    pub closed_note: Option<String>,
}

/// A point to store.
#[derive(Debug, Clone)]
pub struct NewOpenPoint {
    /// The draft.
    pub draft_id: i64,
    /// Its kind.
    pub kind: PointKind,
    /// What it is about.
    pub text: String,
    /// The passage.
    pub quote: Option<String>,
    /// How it came about.
    pub source: PointSource,
    /// Its owner.
    pub owner: Owner,
    /// Its due day.
    pub due: Option<NaiveDate>,
    /// Who makes it.
    pub created_by: i64,
}

/// A change to a point, as the handler worked it out (every field its new value).
#[derive(Debug, Clone)]
pub struct PointChange {
    /// The status it had when read; nothing is written when it changed since.
    pub from: PointStatus,
    /// The status it gets.
    pub status: PointStatus,
    /// What it is about.
    pub text: String,
    /// Its owner.
    pub owner: Owner,
    /// Its due day.
    pub due: Option<String>,
    /// The note with a closing or a turning down.
    pub note: Option<String>,
    /// Who changes it.
    pub by: i64,
}

const SELECT: &str = "SELECT op.id, op.draft_id, op.kind, op.text, op.quote, op.source, \
     op.comment_id, op.owner_user_id, ou.name AS owner_name, pp.code AS owner_party, op.due, \
     op.status, cu.name AS created_by_name, op.created_at, xu.name AS closed_by_name, \
     op.closed_at, op.closed_note FROM open_points op \
     LEFT JOIN users ou ON ou.id = op.owner_user_id \
     LEFT JOIN parties pp ON pp.id = op.owner_party_id \
     LEFT JOIN users cu ON cu.id = op.created_by \
     LEFT JOIN users xu ON xu.id = op.closed_by";

fn from_row(row: &AnyRow) -> Result<OpenPoint, StorageError> {
    Ok(OpenPoint {
        id: row.try_get("id")?,
        draft_id: row.try_get("draft_id")?,
        kind: get_decoded(row, "kind", PointKind::parse)?,
        text: row.try_get("text")?,
        quote: row.try_get("quote")?,
        source: get_decoded(row, "source", PointSource::parse)?,
        comment_id: row.try_get("comment_id")?,
        owner_person_id: row.try_get("owner_user_id")?,
        owner_name: row.try_get("owner_name")?,
        owner_party: row.try_get("owner_party")?,
        due: row.try_get("due")?,
        status: get_decoded(row, "status", PointStatus::parse)?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        closed_by_name: row.try_get("closed_by_name")?,
        closed_at: row.try_get("closed_at")?,
        closed_note: row.try_get("closed_note")?,
    })
}

async fn select_one(conn: &mut AnyConnection, id: i64) -> Result<Option<OpenPoint>, StorageError> {
    let row = sqlx::query(&format!("{SELECT} WHERE op.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts a point inside `tx` (no audit entry: the caller writes it after its other
/// writes); returns its id, or `None` when a point with `marker_key` exists on the draft.
pub(crate) async fn insert_in(
    tx: &mut Transaction<'_, Any>,
    point: &NewOpenPoint,
    status: PointStatus,
    comment_id: Option<i64>,
    marker_key: Option<&str>,
) -> Result<Option<i64>, StorageError> {
    let row = sqlx::query(
        "INSERT INTO open_points (draft_id, kind, text, quote, source, comment_id, marker_key, \
         owner_user_id, owner_party_id, due, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (draft_id, marker_key) DO NOTHING RETURNING id",
    )
    .bind(point.draft_id)
    .bind(point.kind.as_str())
    .bind(&point.text)
    .bind(point.quote.as_deref())
    .bind(point.source.as_str())
    .bind(comment_id)
    .bind(marker_key)
    .bind(point.owner.person)
    .bind(point.owner.party)
    .bind(point.due.map(|d| d.to_string()))
    .bind(status.as_str())
    .bind(point.created_by)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get::<i64, _>("id")).transpose()?)
}

/// Writes the `open_point.create` audit entry of a new point inside `tx`: an event that tells
/// its owner (the person, or the people of the party in the body), never its maker.
pub(crate) async fn audit_create_in(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    by: &Actor,
    point: &NewOpenPoint,
    id: i64,
) -> Result<(), StorageError> {
    let subject = serde_json::json!({
        "draft": point.draft_id,
        "open_point": id,
        "kind": point.kind.as_str(),
        "source": point.source.as_str(),
        "owner_person": point.owner.person,
        "owner_party": point.owner.party,
        "due": point.due.map(|d| d.to_string()),
        "assigned": point.owner.is_set(),
    });
    append_in(tx, backend, by, "open_point.create", &subject).await?;
    Ok(())
}

impl SqlStorage {
    /// How many open points of the draft are open (accepted and not closed).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn count_open_points(&self, draft_id: i64) -> Result<i64, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM open_points WHERE draft_id = $1 AND status = 'open'",
        )
        .bind(draft_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// A draft's open points, oldest first, optionally of one status.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_open_points(
        &self,
        draft_id: i64,
        status: Option<PointStatus>,
    ) -> Result<Vec<OpenPoint>, StorageError> {
        let filter = if status.is_some() {
            " AND op.status = $2"
        } else {
            ""
        };
        let sql = format!("{SELECT} WHERE op.draft_id = $1{filter} ORDER BY op.id");
        let mut query = sqlx::query(&sql).bind(draft_id);
        if let Some(status) = status {
            query = query.bind(status.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(from_row).collect()
    }

    /// How many points of the draft are `open` and how many `voorgesteld`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_point_counts(&self, draft_id: i64) -> Result<(i64, i64), StorageError> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) AS open, \
             COALESCE(SUM(CASE WHEN status = 'voorgesteld' THEN 1 ELSE 0 END), 0) AS proposed \
             FROM open_points WHERE draft_id = $1",
        )
        .bind(draft_id)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("open")?, row.try_get("proposed")?))
    }

    /// One open point.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_open_point(&self, id: i64) -> Result<Option<OpenPoint>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        select_one(&mut conn, id).await
    }

    /// The open point typed with a comment, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn open_point_of_comment(
        &self,
        comment_id: i64,
    ) -> Result<Option<OpenPoint>, StorageError> {
        let row = sqlx::query(&format!(
            "{SELECT} WHERE op.comment_id = $1 ORDER BY op.id LIMIT 1"
        ))
        .bind(comment_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Stores a point made by hand with its `open_point.create` audit entry in one
    /// transaction.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_open_point(
        &self,
        point: &NewOpenPoint,
        by: &Actor,
    ) -> Result<OpenPoint, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_in(&mut tx, point, PointStatus::Open, None, None)
            .await?
            .ok_or(StorageError::AlreadyExists("open point"))?;
        audit_create_in(&mut tx, self.backend(), by, point, id).await?;
        let stored = select_one(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("open point"))?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Stores the markers not yet known on the draft (by `marker_key`) as `voorgesteld`, with
    /// one `open_point.detect` audit entry, in one transaction; returns the new proposals
    /// (nothing is written when there are none).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn propose_markers(
        &self,
        draft_id: i64,
        markers: &[Marker],
        person: i64,
        by: &Actor,
    ) -> Result<Vec<OpenPoint>, StorageError> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::new();
        for marker in markers {
            let point = NewOpenPoint {
                draft_id,
                kind: marker.kind,
                text: marker.text.clone(),
                quote: Some(marker.quote.clone()),
                source: PointSource::Marker,
                owner: Owner::default(),
                due: None,
                created_by: person,
            };
            let key = Some(marker.key.as_str());
            if let Some(id) =
                insert_in(&mut tx, &point, PointStatus::Voorgesteld, None, key).await?
            {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let subject = serde_json::json!({ "draft": draft_id, "open_points": ids });
        append_in(&mut tx, self.backend(), by, "open_point.detect", &subject).await?;
        let mut proposed = Vec::with_capacity(ids.len());
        for id in &ids {
            proposed.extend(select_one(&mut tx, *id).await?);
        }
        tx.commit().await?;
        Ok(proposed)
    }

    /// Changes a point with its `open_point.update` audit entry in one transaction. Closing
    /// or turning it down records who, when and the note; reopening clears them. `None` when
    /// the point is gone or its status changed since it was read (nothing is written).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_open_point(
        &self,
        current: &OpenPoint,
        change: &PointChange,
        by: &Actor,
    ) -> Result<Option<OpenPoint>, StorageError> {
        let settled = matches!(
            change.status,
            PointStatus::Gesloten | PointStatus::Afgewezen
        );
        let old_party = match &current.owner_party {
            Some(code) => self.resolve_party(code).await?,
            None => None,
        };
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE open_points SET status = $1, text = $2, owner_user_id = $3, \
             owner_party_id = $4, due = $5 WHERE id = $6 AND status = $7",
        )
        .bind(change.status.as_str())
        .bind(&change.text)
        .bind(change.owner.person)
        .bind(change.owner.party)
        .bind(change.due.as_deref())
        .bind(current.id)
        .bind(change.from.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        if settled && change.from != change.status {
            sqlx::query(
                "UPDATE open_points SET closed_by = $1, closed_at = $2, closed_note = $3 WHERE id = $4",
            )
            .bind(change.by)
            .bind(now_ms())
            .bind(change.note.as_deref())
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        } else if settled {
            if let Some(note) = change.note.as_deref() {
                sqlx::query("UPDATE open_points SET closed_note = $1 WHERE id = $2")
                    .bind(note)
                    .bind(current.id)
                    .execute(&mut *tx)
                    .await?;
            }
        } else {
            sqlx::query(
                "UPDATE open_points SET closed_by = NULL, closed_at = NULL, closed_note = NULL \
                 WHERE id = $1",
            )
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        }
        let owner_changed =
            change.owner.person != current.owner_person_id || change.owner.party != old_party;
        let assigned = change.owner.is_set()
            && change.status == PointStatus::Open
            && (owner_changed || current.status == PointStatus::Voorgesteld);
        let subject = serde_json::json!({
            "draft": current.draft_id,
            "open_point": current.id,
            "from": change.from.as_str(),
            "to": change.status.as_str(),
            "owner_person": change.owner.person,
            "owner_party": change.owner.party,
            "due": change.due,
            "assigned": assigned,
        });
        append_in(&mut tx, self.backend(), by, "open_point.update", &subject).await?;
        let stored = select_one(&mut tx, current.id).await?;
        tx.commit().await?;
        Ok(stored)
    }
}
