//! What the programme monitor reads besides the milestones themselves: each milestone's latest
//! rescheduling (reason, with whom, old and new date) and the day it was done.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::Row;

use crate::domain::dutch_time;
use crate::domain::monitor::Move;
use crate::storage::{SqlStorage, StorageError};

/// The latest rescheduling and the day done, per milestone.
#[derive(Debug, Default)]
pub struct MonitorEvents {
    /// The latest `verschoven` step per milestone.
    pub moves: HashMap<i64, Move>,
    /// The day of the latest `gereed` step per milestone.
    pub done: HashMap<i64, NaiveDate>,
}

impl SqlStorage {
    /// The latest rescheduling and the day done of the milestones of `body_id`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn monitor_events(
        &self,
        body_id: i64,
        into: &mut MonitorEvents,
    ) -> Result<(), StorageError> {
        let rows = sqlx::query(
            "SELECT c.milestone_id, c.to_status, c.reason, c.agreed_with, c.old_due_raw, \
             c.new_due_raw, c.at FROM milestone_status_changes c \
             JOIN milestones m ON m.id = c.milestone_id WHERE m.body_id = $1 \
             AND c.kind = 'status' AND c.to_status IN ('verschoven', 'gereed') ORDER BY c.id",
        )
        .bind(body_id)
        .fetch_all(self.pool())
        .await?;
        for row in &rows {
            let id: i64 = row.try_get("milestone_id")?;
            let on = dutch_time::date_of_millis(row.try_get("at")?);
            if row.try_get::<String, _>("to_status")? == "gereed" {
                into.done.insert(id, on);
            } else {
                into.moves.insert(
                    id,
                    Move {
                        reason: row.try_get("reason")?,
                        agreed_with: row.try_get("agreed_with")?,
                        old_due: row.try_get("old_due_raw")?,
                        new_due: row.try_get("new_due_raw")?,
                        on,
                    },
                );
            }
        }
        Ok(())
    }
}
