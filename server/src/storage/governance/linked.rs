//! Creating and changing a milestone together with its start, predecessor ("volgt na"), lag
//! and recurrence, in one transaction with its audit entry.

use chrono::NaiveDate;
use sqlx::{Any, Row, Transaction};

use super::links::{derive_in, propagate_in, would_cycle};
use super::milestone_log::MilestoneDetail;
use super::milestones::{
    detail_in, insert_milestone, update_in, Due, MilestoneChange, NewMilestone,
};
use super::recurrences::{start_in, RecurrenceInput};
use crate::domain::validate::Invalid;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{SqlStorage, StorageError};

/// Changes to a milestone's links; what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct LinkChange {
    /// The start (`Some(None)` removes it).
    pub start: Option<Option<Due>>,
    /// The predecessor (`Some(None)` removes the link).
    pub follows: Option<Option<i64>>,
    /// Days from the predecessor's deadline.
    pub lag_days: Option<i64>,
    /// Makes the milestone the first occurrence of a recurring duty.
    pub recurrence: Option<RecurrenceInput>,
}

/// Why a linked change failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The input does not fit (a cycle, a missing date); names the field.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for LinkError {
    fn from(err: sqlx::Error) -> Self {
        LinkError::Storage(err.into())
    }
}

/// Applies start, predecessor and lag in `tx`; `true` when the due date was derived anew.
async fn apply_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    links: &LinkChange,
    by: Option<&Actor>,
) -> Result<bool, LinkError> {
    if let Some(start) = &links.start {
        sqlx::query("UPDATE milestones SET start_raw = $1, start_earliest = $2 WHERE id = $3")
            .bind(start.as_ref().map(|s| s.raw.clone()))
            .bind(start.as_ref().and_then(|s| s.earliest.clone()))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(follows) = links.follows {
        if let Some(predecessor) = follows {
            if would_cycle(tx, id, predecessor).await? {
                return Err(Invalid {
                    field: "follows",
                    message: "this milestone cannot follow that one: it would follow itself through the chain (a cycle)".into(),
                }
                .into());
            }
        }
        sqlx::query("UPDATE milestones SET follows_milestone_id = $1 WHERE id = $2")
            .bind(follows)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(lag) = links.lag_days {
        sqlx::query("UPDATE milestones SET lag_days = $1 WHERE id = $2")
            .bind(lag)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    if links.follows.is_some() || links.lag_days.is_some() {
        return Ok(derive_in(tx, id, by).await?);
    }
    Ok(false)
}

fn subject(id: i64, body: i64, links: &LinkChange) -> serde_json::Value {
    serde_json::json!({
        "body": body, "milestone": id,
        "follows": links.follows.flatten(), "lag_days": links.lag_days,
        "recurrence": links.recurrence.as_ref().map(|r| r.text.clone()),
    })
}

async fn body_of(tx: &mut Transaction<'_, Any>, id: i64) -> Result<i64, StorageError> {
    Ok(sqlx::query("SELECT body_id FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("body_id")?)
}

impl SqlStorage {
    /// Creates a milestone with its links and (for a recurring duty) its further occurrences
    /// up to the horizon from `today`, with the `milestone.create` audit entry.
    ///
    /// # Errors
    /// [`LinkError`].
    pub async fn create_milestone_linked_by(
        &self,
        new: &NewMilestone,
        links: &LinkChange,
        today: NaiveDate,
        by: &Actor,
    ) -> Result<MilestoneDetail, LinkError> {
        let mut tx = self.begin_write().await?;
        let id = insert_milestone(&mut tx, new).await?;
        apply_in(&mut tx, id, links, Some(by)).await?;
        if let Some(recurrence) = &links.recurrence {
            start_in(&mut tx, id, recurrence, today, Some(by)).await?;
        }
        let subject = subject(id, new.body_id, links);
        append_in(&mut tx, self.backend(), by, "milestone.create", &subject).await?;
        let detail = detail_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// Changes a milestone as [`SqlStorage::update_milestone`] does, with its links, moving
    /// the milestones that follow it when its due date changed; `None`: no such milestone.
    ///
    /// # Errors
    /// [`LinkError`].
    pub async fn update_milestone_linked_by(
        &self,
        id: i64,
        change: &MilestoneChange<'_>,
        links: &LinkChange,
        today: NaiveDate,
        by: &Actor,
    ) -> Result<Option<MilestoneDetail>, LinkError> {
        let mut tx = self.begin_write().await?;
        let Some(corrected) = update_in(&mut tx, id, change).await? else {
            return Ok(None);
        };
        let derived = apply_in(&mut tx, id, links, Some(by)).await?;
        if corrected || derived {
            propagate_in(&mut tx, id, Some(by)).await?;
        }
        if let Some(recurrence) = &links.recurrence {
            start_in(&mut tx, id, recurrence, today, Some(by)).await?;
        }
        let body = body_of(&mut tx, id).await?;
        let mut subject = subject(id, body, links);
        subject["due_corrected"] = corrected.into();
        append_in(&mut tx, self.backend(), by, "milestone.update", &subject).await?;
        let detail = detail_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Some(detail))
    }

    /// Sets links without an audit entry (for the demo).
    ///
    /// # Errors
    /// [`LinkError`].
    pub async fn link_milestone(
        &self,
        id: i64,
        links: &LinkChange,
        today: NaiveDate,
    ) -> Result<(), LinkError> {
        let mut tx = self.begin_write().await?;
        if apply_in(&mut tx, id, links, None).await? {
            propagate_in(&mut tx, id, None).await?;
        }
        if let Some(recurrence) = &links.recurrence {
            start_in(&mut tx, id, recurrence, today, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
