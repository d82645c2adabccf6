//! The writes that change a milestone's due date or status inside a transaction: a
//! correction, a rescheduling or other status step. The milestones that follow the changed one
//! are moved along by [`super::links::propagate_in`], called by the public methods after these.

use sqlx::{Any, Row, Transaction};

use super::milestones::{Due, StatusError, StatusStep};
use super::relative_due::relinked_due;
use crate::domain::milestone_status::{self, MilestoneStatus};
use crate::storage::{get_decoded, now_ms, StorageError};

/// Replaces the due date as recorded and keeps the old and new text as a `correction` in the
/// history, in `tx`; `false` when the text did not change.
pub(super) async fn correct_due(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    due: &Due,
    reason: Option<&str>,
    by: Option<i64>,
) -> Result<bool, StorageError> {
    let row = sqlx::query("SELECT status, due_raw FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let status: String = row.try_get("status")?;
    let old_due: String = row.try_get("due_raw")?;
    if old_due == due.raw {
        return Ok(false);
    }
    let due = &write_due(tx, id, due).await?;
    sqlx::query(
        "INSERT INTO milestone_status_changes (milestone_id, kind, from_status, to_status, reason, \
         old_due_raw, new_due_raw, new_due_earliest, new_due_latest, by_user, at) \
         VALUES ($1, 'correction', $2, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&status)
    .bind(reason)
    .bind(&old_due)
    .bind(&due.raw)
    .bind(&due.earliest)
    .bind(&due.latest)
    .bind(by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Writes a due date, links it to the series it names (if any) and returns it as stored.
pub(super) async fn write_due(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    due: &Due,
) -> Result<Due, StorageError> {
    sqlx::query(
        "UPDATE milestones SET due_raw = $1, due_earliest = $2, due_latest = $3, \
         due_precision = $4, due_uncertain = $5 WHERE id = $6",
    )
    .bind(&due.raw)
    .bind(&due.earliest)
    .bind(&due.latest)
    .bind(&due.precision)
    .bind(i64::from(due.uncertain))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    relinked_due(tx, id, due).await
}

/// The status change itself, in `tx`; returns the status it started from.
pub(super) async fn step_status(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    step: &StatusStep,
) -> Result<MilestoneStatus, StatusError> {
    let now = now_ms();
    let touched = sqlx::query("UPDATE milestones SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if touched.rows_affected() == 0 {
        return Err(StatusError::NotFound);
    }
    let row = sqlx::query("SELECT status, due_raw FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let from = get_decoded(&row, "status", MilestoneStatus::parse)?;
    let old_due: String = row.try_get("due_raw")?;
    milestone_status::check_step(
        from,
        step.to,
        step.new_due.as_ref().map(|d| d.raw.as_str()),
        step.reason.as_deref(),
    )?;
    sqlx::query("UPDATE milestones SET status = $1 WHERE id = $2")
        .bind(step.to.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let new_due = match &step.new_due {
        Some(due) => Some(write_due(tx, id, due).await?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO milestone_status_changes (milestone_id, from_status, to_status, reason, \
         agreed_with, old_due_raw, new_due_raw, new_due_earliest, new_due_latest, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(step.to.as_str())
    .bind(&step.reason)
    .bind(&step.agreed_with)
    .bind(new_due.as_ref().map(|_| old_due.clone()))
    .bind(new_due.as_ref().map(|d| d.raw.clone()))
    .bind(new_due.as_ref().and_then(|d| d.earliest.clone()))
    .bind(new_due.as_ref().and_then(|d| d.latest.clone()))
    .bind(step.by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(from)
}
