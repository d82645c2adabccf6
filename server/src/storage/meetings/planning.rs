//! Meetings: the jaarplanning of a body, the calendar across bodies, and every change, each in
//! one transaction with its audit entry. A change a calendar must show (time, place, link,
//! title, status) raises `sequence`, so subscribed calendars update the event.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::agenda::{select_agenda, AgendaItem};
use super::packs::{select_packs, MeetingPack};
use crate::domain::meeting::{self, MeetingKind, MeetingStatus, Shown};
use crate::storage::audit::{append_in, Actor};
use crate::storage::decisions::requests::{requests_of_meeting, DecisionRequestSummary};
use crate::storage::drafts::{insert_draft, NewDraft};
use crate::storage::governance::relative_due;
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// A meeting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Meeting {
    /// Id.
    pub id: i64,
    /// The body that meets.
    pub body_id: i64,
    /// Its name.
    pub body_name: String,
    /// The series it belongs to.
    pub series_id: Option<i64>,
    /// The series' name.
    pub series_name: Option<String>,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Start, Unix ms.
    pub starts_at: i64,
    /// End, Unix ms.
    pub ends_at: i64,
    /// Start as Dutch local time `YYYY-MM-DDTHH:MM`.
    pub starts: String,
    /// End as Dutch local time.
    pub ends: String,
    /// Where.
    pub place: Option<String>,
    /// Online link (https).
    pub online_url: Option<String>,
    /// Status.
    pub status: MeetingStatus,
    /// The iCalendar `SEQUENCE`.
    pub sequence: i64,
    /// The minutes draft, once made.
    pub minutes_draft_id: Option<i64>,
    /// When the last pack was sent, Unix ms.
    pub last_pack_at: Option<i64>,
}

impl Meeting {
    /// What a calendar shows of it.
    pub fn shown(&self) -> Shown<'_> {
        Shown {
            title: &self.title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            place: self.place.as_deref(),
            online_url: self.online_url.as_deref(),
            status: self.status,
        }
    }
}

/// A meeting with its agenda, packs and decision requests.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MeetingDetail {
    /// The meeting.
    #[serde(flatten)]
    pub meeting: Meeting,
    /// The agenda in order.
    pub agenda: Vec<AgendaItem>,
    /// The packs sent, newest first.
    pub packs: Vec<MeetingPack>,
    /// Decision requests put to this meeting.
    pub decision_requests: Vec<DecisionRequestSummary>,
    /// Whether the caller may change it (set by the API).
    pub can_steer: bool,
}

/// A meeting to schedule.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// The body.
    pub body_id: i64,
    /// What it is, when and where (its series a series of the body).
    pub fields: MeetingFields,
    /// Who scheduled it.
    pub created_by: Option<i64>,
}

/// A meeting's fields: as scheduled, or after a change (the API fills in what was left out).
#[derive(Debug, Clone)]
pub struct MeetingFields {
    /// Series.
    pub series_id: Option<i64>,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Start.
    pub starts_at: i64,
    /// End.
    pub ends_at: i64,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// `gepland` or `voorlopig` (not `geannuleerd`: that is a cancellation).
    pub status: MeetingStatus,
}

const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body_name, m.series_id, \
     s.name AS series_name, m.title, m.kind, m.starts_at, m.ends_at, m.place, m.online_url, \
     m.status, m.sequence, m.minutes_draft_id, \
     (SELECT MAX(p.sent_at) FROM meeting_packs p WHERE p.meeting_id = m.id) AS last_pack_at \
     FROM meetings m JOIN bodies b ON b.id = m.body_id \
     LEFT JOIN meeting_series s ON s.id = m.series_id";

fn meeting_from_row(row: &sqlx::any::AnyRow) -> Result<Meeting, StorageError> {
    let starts_at: i64 = row.try_get("starts_at")?;
    let ends_at: i64 = row.try_get("ends_at")?;
    Ok(Meeting {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        body_name: row.try_get("body_name")?,
        series_id: row.try_get("series_id")?,
        series_name: row.try_get("series_name")?,
        title: row.try_get("title")?,
        kind: get_decoded(row, "kind", MeetingKind::parse)?,
        starts_at,
        ends_at,
        starts: meeting::format_local(starts_at),
        ends: meeting::format_local(ends_at),
        place: row.try_get("place")?,
        online_url: row.try_get("online_url")?,
        status: get_decoded(row, "status", MeetingStatus::parse)?,
        sequence: row.try_get("sequence")?,
        minutes_draft_id: row.try_get("minutes_draft_id")?,
        last_pack_at: row.try_get("last_pack_at")?,
    })
}

pub(super) async fn select_meeting(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Meeting>, StorageError> {
    let row = sqlx::query(&format!("{MEETING_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(meeting_from_row).transpose()
}

/// Lets milestones due relative to the series of a meeting (before and after the change)
/// follow it.
async fn series_follow(
    tx: &mut Transaction<'_, Any>,
    old: Option<i64>,
    new: Option<i64>,
    by: &Actor,
) -> Result<(), StorageError> {
    if let Some(series) = old {
        relative_due::series_changed(tx, series, by).await?;
    }
    if let Some(series) = new.filter(|n| Some(*n) != old) {
        relative_due::series_changed(tx, series, by).await?;
    }
    Ok(())
}

impl SqlStorage {
    /// One meeting.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_meeting(&self, id: i64) -> Result<Option<Meeting>, StorageError> {
        select_meeting(&mut *self.pool().acquire().await?, id).await
    }

    /// A meeting with its agenda, packs and requests (`can_steer` false).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn meeting_detail(&self, id: i64) -> Result<Option<MeetingDetail>, StorageError> {
        let mut conn = self.pool().acquire().await?;
        let Some(meeting) = select_meeting(&mut conn, id).await? else {
            return Ok(None);
        };
        Ok(Some(MeetingDetail {
            agenda: select_agenda(&mut conn, id).await?,
            packs: select_packs(&mut conn, id).await?,
            decision_requests: requests_of_meeting(&mut conn, id).await?,
            meeting,
            can_steer: false,
        }))
    }

    /// A body's meetings by start, of one year (Dutch calendar) or all.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_body_meetings(
        &self,
        body_id: i64,
        year: Option<(i64, i64)>,
    ) -> Result<Vec<Meeting>, StorageError> {
        let (from, to) = year.unwrap_or((i64::MIN, i64::MAX));
        let rows = sqlx::query(&format!(
            "{MEETING_SELECT} WHERE m.body_id = $1 AND m.starts_at >= $2 AND m.starts_at < $3 \
             ORDER BY m.starts_at, m.id LIMIT 2000"
        ))
        .bind(body_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(meeting_from_row).collect()
    }

    /// Meetings starting in `[from, to)` (Unix ms) of the bodies `reader` is a member of
    /// (`None`: every body), optionally of one body, by start; `limit` from `offset`, and the
    /// total.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_meetings(
        &self,
        (from, to): (i64, i64),
        body: Option<i64>,
        reader: Option<i64>,
        (offset, limit): (i64, i64),
    ) -> Result<(Vec<Meeting>, i64), StorageError> {
        let filter = "m.starts_at >= $1 AND m.starts_at < $2 AND ($3 = 0 OR m.body_id = $4) \
             AND ($5 = 0 OR m.body_id IN (SELECT body_id FROM memberships WHERE user_id = $6))";
        let count = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM meetings m WHERE {filter}"
        ))
        .bind(from)
        .bind(to)
        .bind(i64::from(body.is_some()))
        .bind(body.unwrap_or(0))
        .bind(i64::from(reader.is_some()))
        .bind(reader.unwrap_or(0))
        .fetch_one(self.pool())
        .await?;
        let rows = sqlx::query(&format!(
            "{MEETING_SELECT} WHERE {filter} ORDER BY m.starts_at, m.id LIMIT $7 OFFSET $8"
        ))
        .bind(from)
        .bind(to)
        .bind(i64::from(body.is_some()))
        .bind(body.unwrap_or(0))
        .bind(i64::from(reader.is_some()))
        .bind(reader.unwrap_or(0))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let meetings = rows
            .iter()
            .map(meeting_from_row)
            .collect::<Result<_, _>>()?;
        Ok((meetings, count.try_get("n")?))
    }

    /// Schedules a meeting with its `meeting.create` audit entry.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn create_meeting(
        &self,
        new: &NewMeeting,
        by: &Actor,
    ) -> Result<Meeting, StorageError> {
        let mut tx = self.begin_write().await?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO meetings (body_id, series_id, title, kind, starts_at, ends_at, place, \
             online_url, status, sequence, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11) RETURNING id",
        )
        .bind(new.body_id)
        .bind(new.fields.series_id)
        .bind(&new.fields.title)
        .bind(new.fields.kind.as_str())
        .bind(new.fields.starts_at)
        .bind(new.fields.ends_at)
        .bind(&new.fields.place)
        .bind(&new.fields.online_url)
        .bind(new.fields.status.as_str())
        .bind(new.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        series_follow(&mut tx, None, new.fields.series_id, by).await?;
        let subject = serde_json::json!({ "body": new.body_id, "meeting": id });
        append_in(&mut tx, self.backend(), by, "meeting.create", &subject).await?;
        let meeting = select_meeting(&mut tx, id)
            .await?
            .ok_or(StorageError::AlreadyExists("meeting"))?;
        tx.commit().await?;
        Ok(meeting)
    }

    /// Changes a meeting with its `meeting.update` audit entry (`moved` when its time, place
    /// or link changed, which members hear of); raises `sequence` when a calendar must show
    /// the change. `None`: no such meeting.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_meeting(
        &self,
        id: i64,
        change: &MeetingFields,
        by: &Actor,
    ) -> Result<Option<Meeting>, StorageError> {
        let mut tx = self.begin_write().await?;
        let Some(old) = select_meeting(&mut tx, id).await? else {
            return Ok(None);
        };
        let new_shown = Shown {
            title: &change.title,
            starts_at: change.starts_at,
            ends_at: change.ends_at,
            place: change.place.as_deref(),
            online_url: change.online_url.as_deref(),
            status: change.status,
        };
        let raise = i64::from(meeting::raises_sequence(&old.shown(), &new_shown));
        let moved = meeting::moved(&old.shown(), &new_shown);
        sqlx::query(
            "UPDATE meetings SET series_id = $1, title = $2, kind = $3, starts_at = $4, \
             ends_at = $5, place = $6, online_url = $7, status = $8, sequence = sequence + $9, \
             updated_at = $10 WHERE id = $11",
        )
        .bind(change.series_id)
        .bind(&change.title)
        .bind(change.kind.as_str())
        .bind(change.starts_at)
        .bind(change.ends_at)
        .bind(&change.place)
        .bind(&change.online_url)
        .bind(change.status.as_str())
        .bind(raise)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        series_follow(&mut tx, old.series_id, change.series_id, by).await?;
        let subject = serde_json::json!({
            "body": old.body_id,
            "meeting": id,
            "moved": moved,
            "sequence": old.sequence + raise,
        });
        append_in(&mut tx, self.backend(), by, "meeting.update", &subject).await?;
        let meeting = select_meeting(&mut tx, id).await?;
        tx.commit().await?;
        Ok(meeting)
    }

    /// Cancels a meeting (status `geannuleerd`, sequence + 1) with its `meeting.cancel` audit
    /// entry; `false` when it was cancelled already (or does not exist).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn cancel_meeting(
        &self,
        id: i64,
        reason: Option<&str>,
        by: &Actor,
    ) -> Result<bool, StorageError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "UPDATE meetings SET status = 'geannuleerd', sequence = sequence + 1, updated_at = $1 \
             WHERE id = $2 AND status <> 'geannuleerd' RETURNING body_id, series_id",
        )
        .bind(now_ms())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let body_id: i64 = row.try_get("body_id")?;
        let series: Option<i64> = row.try_get("series_id")?;
        series_follow(&mut tx, series, None, by).await?;
        let subject = serde_json::json!({ "body": body_id, "meeting": id, "reason": reason });
        append_in(&mut tx, self.backend(), by, "meeting.cancel", &subject).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Creates the minutes draft of a meeting in its body and links it, in one transaction
    /// with the `draft.create` and `meeting.minutes` audit entries; `None` when the meeting
    /// already has minutes.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the document id is taken.
    pub async fn create_minutes(
        &self,
        meeting_id: i64,
        new: &NewDraft<'_>,
        by: &Actor,
    ) -> Result<Option<i64>, StorageError> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query("SELECT minutes_draft_id FROM meetings WHERE id = $1")
            .bind(meeting_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(taken) = taken else {
            return Ok(None);
        };
        if taken
            .try_get::<Option<i64>, _>("minutes_draft_id")?
            .is_some()
        {
            return Ok(None);
        }
        let draft = insert_draft(&mut tx, new, &by.name).await?;
        let linked = sqlx::query(
            "UPDATE meetings SET minutes_draft_id = $1, updated_at = $2 \
             WHERE id = $3 AND minutes_draft_id IS NULL",
        )
        .bind(draft)
        .bind(now_ms())
        .bind(meeting_id)
        .execute(&mut *tx)
        .await?;
        if linked.rows_affected() == 0 {
            return Ok(None);
        }
        let created = serde_json::json!({ "draft": draft, "body": new.body_id, "doc": new.doc_id });
        append_in(&mut tx, self.backend(), by, "draft.create", &created).await?;
        let subject =
            serde_json::json!({ "body": new.body_id, "meeting": meeting_id, "draft": draft });
        append_in(&mut tx, self.backend(), by, "meeting.minutes", &subject).await?;
        tx.commit().await?;
        Ok(Some(draft))
    }
}
