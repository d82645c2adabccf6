//! Milestones (mijlpalen) with fuzzy due dates, owner parties and status history. A person's
//! change is stored with its audit entry in one transaction, and answered with the milestone's
//! detail as read in that transaction.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::{Any, Row, Transaction};

use super::action_lines::{owners_of, Owner};
use super::due_changes::{correct_due, step_status};
use super::links::{links_from_row, propagate_in, MilestoneLinks};
use super::milestone_log::{load_detail, MilestoneDetail};
use super::relative_due::{link_in, relative_due_from_row, RelativeDue};
use crate::domain::fuzzy_date::{FuzzyDate, Precision};
use crate::domain::milestone_status::{MilestoneStatus, StepError};
use crate::domain::owner_role::OwnerRole;
use crate::storage::audit::{append_in, Actor};
use crate::storage::parties::unique_as;
use crate::storage::{get_decoded, now_ms, SqlStorage, StorageError};

/// A due date as stored: the raw text and the window it was read as.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Due {
    /// As written.
    pub raw: String,
    /// First possible day (`YYYY-MM-DD`), if known.
    pub earliest: Option<String>,
    /// Last possible day, the deadline, if known.
    pub latest: Option<String>,
    /// `day`, `month`, `quarter`, `half`, `season`, `year`, `relative` or `unknown`.
    pub precision: String,
    /// Whether the date is uncertain.
    pub uncertain: bool,
}

impl Due {
    /// The stored form of a parsed date.
    pub fn from_fuzzy(date: &FuzzyDate) -> Self {
        Self {
            raw: date.raw.clone(),
            earliest: date.earliest.map(|d| d.format("%Y-%m-%d").to_string()),
            latest: date.latest.map(|d| d.format("%Y-%m-%d").to_string()),
            precision: precision_name(date.precision).to_owned(),
            uncertain: date.uncertain,
        }
    }

    /// The deadline as a date.
    pub fn latest_date(&self) -> Option<NaiveDate> {
        self.latest
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// The stored name of a precision.
pub fn precision_name(precision: Precision) -> &'static str {
    match precision {
        Precision::Day => "day",
        Precision::Month => "month",
        Precision::Quarter => "quarter",
        Precision::Half => "half",
        Precision::Season => "season",
        Precision::Year => "year",
        Precision::Relative => "relative",
        Precision::Unknown => "unknown",
    }
}

/// A milestone.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Milestone {
    /// Database id.
    pub id: i64,
    /// The body.
    pub body_id: i64,
    /// The action line, if any.
    pub action_line_id: Option<i64>,
    /// The action line's title.
    pub action_line: Option<String>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Due date.
    pub due: Due,
    /// Status.
    pub status: MilestoneStatus,
    /// Key for de-duplication on re-import.
    pub natural_key: String,
    /// Where it comes from ("import line 12", "Advies Beter pakketbeheer §3.5").
    pub source_ref: Option<String>,
    /// Lead and contributing parties.
    pub owners: Vec<Owner>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// The meeting series the due date is relative to, if the due text names one.
    pub relative_due: Option<RelativeDue>,
    /// Start, predecessor (`volgt na`), recurrence.
    #[serde(flatten)]
    pub links: MilestoneLinks,
}

/// A new milestone.
#[derive(Debug, Clone)]
pub struct NewMilestone {
    /// The body.
    pub body_id: i64,
    /// The action line.
    pub action_line_id: Option<i64>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Due date.
    pub due: Due,
    /// Initial status.
    pub status: MilestoneStatus,
    /// Unique key within the body.
    pub natural_key: String,
    /// Source.
    pub source_ref: Option<String>,
    /// Owners: party id and role.
    pub owners: Vec<(i64, OwnerRole)>,
    /// Creator.
    pub created_by: Option<i64>,
}

/// Which milestones of a body to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct MilestoneFilter {
    /// Owned by this party, directly or through a collective it belongs to.
    pub party_id: Option<i64>,
    /// In this action line.
    pub action_line_id: Option<i64>,
}

/// A status change to make.
#[derive(Debug, Clone)]
pub struct StatusStep {
    /// Target status.
    pub to: MilestoneStatus,
    /// Why.
    pub reason: Option<String>,
    /// With whom the new date was agreed (for `verschoven`).
    pub agreed_with: Option<String>,
    /// The newly agreed due date (for `verschoven`).
    pub new_due: Option<Due>,
    /// Who.
    pub by: Option<i64>,
}

/// A change to a milestone's title, description, source, action line and owners, and a
/// correction of its due date.
#[derive(Debug, Clone, Copy)]
pub struct MilestoneChange<'a> {
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// Source reference.
    pub source_ref: Option<&'a str>,
    /// Action line.
    pub action_line_id: Option<i64>,
    /// New owners, when given.
    pub owners: Option<&'a [(i64, OwnerRole)]>,
    /// The due date as it should have been recorded, with why; kept in the history as a
    /// `correction`. A newly agreed date is a rescheduling (`verschoven`), not this.
    pub due_correction: Option<(&'a Due, Option<&'a str>)>,
    /// Who.
    pub by: Option<i64>,
}

/// Why a status change failed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// No such milestone.
    #[error("not found")]
    NotFound,
    /// The step is not allowed.
    #[error(transparent)]
    Step(#[from] StepError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for StatusError {
    fn from(err: sqlx::Error) -> Self {
        StatusError::Storage(err.into())
    }
}

const MILESTONE_SELECT: &str = "SELECT m.id, m.body_id, m.action_line_id, a.title AS action_line, \
     m.title, m.description, m.due_raw, m.due_earliest, m.due_latest, m.due_precision, \
     m.due_uncertain, m.status, m.natural_key, m.source_ref, m.created_at, m.updated_at, \
     m.due_series_id, s.name AS series_name, m.due_meeting_id, mt.starts_at AS meeting_starts_at, \
     m.due_rule, m.start_raw, m.start_earliest, m.follows_milestone_id, m.lag_days, m.recurrence_id, \
     p.title AS follows_title, p.status AS follows_status, p.due_latest AS follows_due_latest, \
     r.rule_text AS recurrence_rule, a.follows_action_line_id, \
     (SELECT MIN(pm.due_latest) FROM milestones pm WHERE pm.action_line_id = a.follows_action_line_id \
      AND pm.status NOT IN ('gereed', 'vervallen')) AS line_pred_min_due, \
     (SELECT COUNT(*) FROM milestones pm WHERE pm.action_line_id = a.follows_action_line_id \
      AND pm.status = 'te_laat') AS line_pred_te_laat \
     FROM milestones m LEFT JOIN action_lines a ON a.id = m.action_line_id \
     LEFT JOIN meeting_series s ON s.id = m.due_series_id LEFT JOIN meetings mt ON mt.id = m.due_meeting_id \
     LEFT JOIN milestones p ON p.id = m.follows_milestone_id \
     LEFT JOIN milestone_recurrences r ON r.id = m.recurrence_id";

fn milestone_from_row(row: &AnyRow, owners: &[(i64, Owner)]) -> Result<Milestone, StorageError> {
    let id: i64 = row.try_get("id")?;
    Ok(Milestone {
        id,
        body_id: row.try_get("body_id")?,
        action_line_id: row.try_get("action_line_id")?,
        action_line: row.try_get("action_line")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        due: Due {
            raw: row.try_get("due_raw")?,
            earliest: row.try_get("due_earliest")?,
            latest: row.try_get("due_latest")?,
            precision: row.try_get("due_precision")?,
            uncertain: row.try_get::<i64, _>("due_uncertain")? != 0,
        },
        status: get_decoded(row, "status", MilestoneStatus::parse)?,
        natural_key: row.try_get("natural_key")?,
        source_ref: row.try_get("source_ref")?,
        owners: owners
            .iter()
            .filter(|(of, _)| *of == id)
            .map(|(_, o)| o.clone())
            .collect(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        relative_due: relative_due_from_row(row)?,
        links: links_from_row(row)?,
    })
}

/// Replaces a milestone's owners.
pub(crate) async fn set_owners(
    tx: &mut Transaction<'_, Any>,
    milestone_id: i64,
    owners: &[(i64, OwnerRole)],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM milestone_parties WHERE milestone_id = $1")
        .bind(milestone_id)
        .execute(&mut **tx)
        .await?;
    for (party_id, role) in owners {
        sqlx::query(
            "INSERT INTO milestone_parties (milestone_id, party_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (milestone_id, party_id) DO NOTHING",
        )
        .bind(milestone_id)
        .bind(party_id)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Inserts a milestone inside a transaction; returns its id.
pub(crate) async fn insert_milestone(
    tx: &mut Transaction<'_, Any>,
    new: &NewMilestone,
) -> Result<i64, StorageError> {
    let now = now_ms();
    let row = sqlx::query(
        "INSERT INTO milestones (body_id, action_line_id, title, description, due_raw, due_earliest, \
         due_latest, due_precision, due_uncertain, status, natural_key, source_ref, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
         RETURNING id",
    )
    .bind(new.body_id)
    .bind(new.action_line_id)
    .bind(&new.title)
    .bind(&new.description)
    .bind(&new.due.raw)
    .bind(&new.due.earliest)
    .bind(&new.due.latest)
    .bind(&new.due.precision)
    .bind(i64::from(new.due.uncertain))
    .bind(new.status.as_str())
    .bind(&new.natural_key)
    .bind(&new.source_ref)
    .bind(new.created_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| unique_as(e, "milestone key"))?;
    let id: i64 = row.try_get("id")?;
    set_owners(tx, id, &new.owners).await?;
    link_in(tx, id).await?;
    Ok(id)
}

/// One milestone, read on `conn`.
pub(super) async fn load_milestone(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Milestone>, StorageError> {
    let Some(row) = sqlx::query(&format!("{MILESTONE_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let body_id: i64 = row.try_get("body_id")?;
    let owners = owners_of(
        conn,
        "milestone_parties",
        "milestone_id",
        body_id,
        "milestones",
        Some(id),
    )
    .await?;
    Ok(Some(milestone_from_row(&row, &owners)?))
}

/// The detail of a milestone just changed in `tx`.
pub(super) async fn detail_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
) -> Result<MilestoneDetail, StorageError> {
    load_detail(tx, id)
        .await?
        .ok_or(StorageError::AlreadyExists("milestone"))
}

impl SqlStorage {
    /// Creates a milestone without an audit entry (for the demo); returns its id.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the key is taken in the body.
    pub async fn create_milestone(&self, new: &NewMilestone) -> Result<i64, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_milestone(&mut tx, new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a milestone with its `milestone.create` audit entry; returns its detail.
    ///
    /// # Errors
    /// [`StorageError::AlreadyExists`] when the key is taken in the body.
    pub async fn create_milestone_by(
        &self,
        new: &NewMilestone,
        by: &Actor,
    ) -> Result<MilestoneDetail, StorageError> {
        let mut tx = self.begin_write().await?;
        let id = insert_milestone(&mut tx, new).await?;
        let subject = serde_json::json!({ "body": new.body_id, "milestone": id });
        append_in(&mut tx, self.backend(), by, "milestone.create", &subject).await?;
        let detail = detail_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// A body's milestones ordered by deadline (unknown last), then id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_milestones(
        &self,
        body_id: i64,
        filter: MilestoneFilter,
    ) -> Result<Vec<Milestone>, StorageError> {
        let rows = sqlx::query(&format!(
            "{MILESTONE_SELECT} WHERE m.body_id = $1 \
             AND ($2 = 0 OR m.action_line_id = $3) \
             AND ($4 = 0 OR EXISTS (SELECT 1 FROM milestone_parties mp WHERE mp.milestone_id = m.id \
                  AND (mp.party_id = $5 OR mp.party_id IN \
                       (SELECT collective_id FROM collective_members WHERE member_id = $5)))) \
             ORDER BY CASE WHEN m.due_latest IS NULL THEN 1 ELSE 0 END, m.due_latest, m.id"
        ))
        .bind(body_id)
        .bind(i64::from(filter.action_line_id.is_some()))
        .bind(filter.action_line_id.unwrap_or(0))
        .bind(i64::from(filter.party_id.is_some()))
        .bind(filter.party_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        let owners = owners_of(
            &mut *self.pool().acquire().await?,
            "milestone_parties",
            "milestone_id",
            body_id,
            "milestones",
            None,
        )
        .await?;
        rows.iter()
            .map(|row| milestone_from_row(row, &owners))
            .collect()
    }

    /// One milestone.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn find_milestone(&self, id: i64) -> Result<Option<Milestone>, StorageError> {
        load_milestone(&mut *self.pool().acquire().await?, id).await
    }

    /// Changes title, description, source, action line and (when given) owners and corrects
    /// the due date, with the `milestone.update` audit entry; returns the detail after it
    /// (`None`: no such milestone).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn update_milestone(
        &self,
        id: i64,
        change: &MilestoneChange<'_>,
        by: &Actor,
    ) -> Result<Option<MilestoneDetail>, StorageError> {
        let mut tx = self.begin_write().await?;
        let Some(corrected) = update_in(&mut tx, id, change).await? else {
            return Ok(None);
        };
        if corrected {
            propagate_in(&mut tx, id, Some(by)).await?;
        }
        let subject = serde_json::json!({ "milestone": id, "due_corrected": corrected });
        append_in(&mut tx, self.backend(), by, "milestone.update", &subject).await?;
        let detail = detail_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(detail))
    }

    /// Changes a milestone's status by the rules of [`crate::domain::milestone_status::check_step`], recording
    /// the history; for `verschoven` the due date is replaced by the newly agreed one. Without
    /// an audit entry (for the demo).
    ///
    /// # Errors
    /// [`StatusError`].
    pub async fn change_milestone_status(
        &self,
        id: i64,
        step: &StatusStep,
    ) -> Result<(), StatusError> {
        let mut tx = self.begin_write().await?;
        step_status(&mut tx, id, step).await?;
        if step.new_due.is_some() {
            propagate_in(&mut tx, id, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes a milestone's status as [`SqlStorage::change_milestone_status`] does, with the
    /// `milestone.status` audit entry; returns the detail after it.
    ///
    /// # Errors
    /// [`StatusError`].
    pub async fn change_milestone_status_by(
        &self,
        id: i64,
        step: &StatusStep,
        by: &Actor,
    ) -> Result<MilestoneDetail, StatusError> {
        let mut tx = self.begin_write().await?;
        let from = step_status(&mut tx, id, step).await?;
        if step.new_due.is_some() {
            propagate_in(&mut tx, id, Some(by)).await?;
        }
        let subject =
            serde_json::json!({ "milestone": id, "from": from.as_str(), "to": step.to.as_str() });
        append_in(&mut tx, self.backend(), by, "milestone.status", &subject).await?;
        let detail = detail_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(detail)
    }
}

/// The change itself, in `tx`; `None` when there is no such milestone, else whether the due
/// date was corrected.
pub(super) async fn update_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    change: &MilestoneChange<'_>,
) -> Result<Option<bool>, StorageError> {
    let changed = sqlx::query(
            "UPDATE milestones SET title = $1, description = $2, action_line_id = $3, updated_at = $4, \
             source_ref = $6 WHERE id = $5",
        )
        .bind(change.title)
        .bind(change.description)
        .bind(change.action_line_id)
        .bind(now_ms())
        .bind(id)
        .bind(change.source_ref)
        .execute(&mut **tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    if let Some(owners) = change.owners {
        set_owners(tx, id, owners).await?;
    }
    let corrected = match change.due_correction {
        Some((due, reason)) => correct_due(tx, id, due, reason, change.by).await?,
        None => false,
    };
    Ok(Some(corrected))
}
