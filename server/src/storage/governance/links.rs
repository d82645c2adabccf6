//! How milestones hang together: a start date, "volgt na" (a milestone follows another, its
//! due date the predecessor's deadline plus a lag) and, for action lines, a predecessor line.
//!
//! A dependent's due date is stored like any other (a day: the predecessor's deadline plus
//! `lag_days`) and written again, in the transaction that moved the predecessor, by
//! [`propagate_in`]: each dependent moved gets a history entry (`kind: predecessor`) and, when
//! a person made the change, a `milestone.due_derived` audit entry. Chains are followed (at
//! most [`MAX_CHAIN`] milestones); cycles are refused when a link is made ([`would_cycle`]).

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::milestones::Due;
use crate::domain::dutch_time;
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::monitor::predecessor_slipped;
use crate::storage::audit::{append_in, Actor};
use crate::storage::sql::Backend;
use crate::storage::{now_ms, StorageError};

/// The most milestones one change moves along a chain, and the longest chain walked when
/// looking for a cycle.
pub const MAX_CHAIN: usize = 500;

/// A milestone's start, predecessor and recurrence, as the API shows them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MilestoneLinks {
    /// The start as written, if given.
    pub start: Option<String>,
    /// Its first day, `YYYY-MM-DD`.
    pub start_on: Option<String>,
    /// The milestone this one follows ("volgt na").
    pub follows: Option<i64>,
    /// Its title.
    pub follows_title: Option<String>,
    /// Its status.
    pub follows_status: Option<MilestoneStatus>,
    /// Its deadline.
    pub follows_due: Option<String>,
    /// Days from the predecessor's deadline to this due date.
    pub lag_days: i64,
    /// The predecessor is late, or its deadline lies after this milestone's start.
    pub predecessor_slipped: bool,
    /// The action line this one's line follows has a late milestone.
    pub predecessor_line_late: bool,
    /// The recurring duty this milestone is an occurrence of.
    pub recurrence_id: Option<i64>,
    /// Its rule as written ("elk kwartaal").
    pub recurrence: Option<String>,
}

fn day(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The links of a milestone row read with the milestone select's link columns.
pub(super) fn links_from_row(row: &AnyRow) -> Result<MilestoneLinks, StorageError> {
    let today = dutch_time::today();
    let follows_status: Option<String> = row.try_get("follows_status")?;
    let follows_status = follows_status.as_deref().and_then(MilestoneStatus::parse);
    let follows_due: Option<String> = row.try_get("follows_due_latest")?;
    let start_on: Option<String> = row.try_get("start_earliest")?;
    let status: String = row.try_get("status")?;
    let own_open = MilestoneStatus::parse(&status).is_some_and(MilestoneStatus::is_open);
    let slipped = own_open
        && follows_status.is_some_and(|s| {
            predecessor_slipped(
                s,
                day(follows_due.as_deref()),
                day(start_on.as_deref()),
                today,
            )
        });
    let line_min: Option<String> = row.try_get("line_pred_min_due")?;
    let line_te_laat: Option<i64> = row.try_get("line_pred_te_laat")?;
    let line_late = own_open
        && (line_te_laat.unwrap_or(0) > 0 || day(line_min.as_deref()).is_some_and(|d| d < today));
    Ok(MilestoneLinks {
        start: row.try_get("start_raw")?,
        start_on,
        follows: row.try_get("follows_milestone_id")?,
        follows_title: row.try_get("follows_title")?,
        follows_status,
        follows_due,
        lag_days: row.try_get("lag_days")?,
        predecessor_slipped: slipped,
        predecessor_line_late: line_late,
        recurrence_id: row.try_get("recurrence_id")?,
        recurrence: row.try_get("recurrence_rule")?,
    })
}

/// The backend a transaction runs on.
pub(super) fn backend_of(tx: &Transaction<'_, Any>) -> Backend {
    if tx.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The due date of a milestone that follows one with deadline `latest`, `lag` days later: a
/// day (written `d-m-yyyy`, as the due-date reader reads it back).
pub fn derived_due(latest: NaiveDate, lag: i64) -> Option<Due> {
    let shifted = if lag >= 0 {
        latest.checked_add_days(Days::new(lag.unsigned_abs()))?
    } else {
        latest.checked_sub_days(Days::new(lag.unsigned_abs()))?
    };
    let text = shifted.format("%Y-%m-%d").to_string();
    Some(Due {
        raw: shifted.format("%-d-%-m-%Y").to_string(),
        earliest: Some(text.clone()),
        latest: Some(text),
        precision: "day".to_owned(),
        uncertain: false,
    })
}

/// The deadline of a milestone, read in `tx`.
async fn deadline_of(
    tx: &mut Transaction<'_, Any>,
    id: i64,
) -> Result<Option<NaiveDate>, StorageError> {
    let row = sqlx::query("SELECT due_latest FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(row) => day(row.try_get::<Option<String>, _>("due_latest")?.as_deref()),
        None => None,
    })
}

/// Whether `id` following `follows` would close a cycle (also when `id == follows`).
pub(super) async fn would_cycle(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    follows: i64,
) -> Result<bool, StorageError> {
    let mut current = Some(follows);
    let mut steps = 0;
    while let Some(at) = current {
        if at == id || steps > MAX_CHAIN {
            return Ok(true);
        }
        steps += 1;
        current = sqlx::query("SELECT follows_milestone_id FROM milestones WHERE id = $1")
            .bind(at)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get::<Option<i64>, _>("follows_milestone_id"))
            .transpose()?
            .flatten();
    }
    Ok(false)
}

/// Writes the due date `due` of a dependent that follows `predecessor`, with its history
/// entry (`kind: predecessor`); `false` when the date did not change.
async fn write_derived(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    predecessor: i64,
    due: &Due,
    by_user: Option<i64>,
) -> Result<bool, StorageError> {
    let row = sqlx::query("SELECT status, due_raw, due_latest FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let old_latest: Option<String> = row.try_get("due_latest")?;
    if old_latest == due.latest {
        return Ok(false);
    }
    let status: String = row.try_get("status")?;
    let old_raw: String = row.try_get("due_raw")?;
    sqlx::query(
        "UPDATE milestones SET due_raw = $1, due_earliest = $2, due_latest = $3, \
         due_precision = $4, due_uncertain = 0, due_series_id = NULL, due_meeting_id = NULL, \
         due_rule = NULL, updated_at = $5 WHERE id = $6",
    )
    .bind(&due.raw)
    .bind(&due.earliest)
    .bind(&due.latest)
    .bind(&due.precision)
    .bind(now_ms())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO milestone_status_changes (milestone_id, kind, from_status, to_status, reason, \
         old_due_raw, new_due_raw, new_due_earliest, new_due_latest, by_user, at) \
         VALUES ($1, 'predecessor', $2, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&status)
    .bind(format!("Volgt na mijlpaal {predecessor}, waarvan de datum veranderde"))
    .bind(&old_raw)
    .bind(&due.raw)
    .bind(&due.earliest)
    .bind(&due.latest)
    .bind(by_user)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Derives, in `tx`, the due date of `id` from the milestone it follows (if it follows one
/// with a deadline); `true` when it changed.
pub(super) async fn derive_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    by: Option<&Actor>,
) -> Result<bool, StorageError> {
    let row = sqlx::query("SELECT follows_milestone_id, lag_days FROM milestones WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let Some(predecessor) = row.try_get::<Option<i64>, _>("follows_milestone_id")? else {
        return Ok(false);
    };
    let lag: i64 = row.try_get("lag_days")?;
    let Some(due) = deadline_of(tx, predecessor)
        .await?
        .and_then(|d| derived_due(d, lag))
    else {
        return Ok(false);
    };
    let by_user = by.and_then(|a| crate::domain::events::actor_person(&a.name));
    write_derived(tx, id, predecessor, &due, by_user).await
}

/// Moves along, in `tx`, every open milestone that follows `id` (and those following them),
/// after `id`'s due date changed. With `by`, each one moved gets a `milestone.due_derived`
/// audit entry.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn propagate_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    by: Option<&Actor>,
) -> Result<(), StorageError> {
    let backend = backend_of(tx);
    let mut queue = vec![id];
    let mut seen = HashSet::from([id]);
    while let Some(current) = queue.pop() {
        let dependents = sqlx::query(
            "SELECT id, body_id FROM milestones WHERE follows_milestone_id = $1 \
             AND status NOT IN ('gereed', 'vervallen') ORDER BY id",
        )
        .bind(current)
        .fetch_all(&mut **tx)
        .await?;
        for row in &dependents {
            let dependent: i64 = row.try_get("id")?;
            if seen.len() >= MAX_CHAIN || !seen.insert(dependent) {
                continue;
            }
            let from = deadline_of(tx, dependent).await?;
            if !derive_in(tx, dependent, by).await? {
                continue;
            }
            if let Some(by) = by {
                let subject = serde_json::json!({
                    "body": row.try_get::<i64, _>("body_id")?, "milestone": dependent,
                    "follows": current, "from": from.map(|d| d.to_string()),
                    "to": deadline_of(tx, dependent).await?.map(|d| d.to_string()),
                });
                append_in(tx, backend, by, "milestone.due_derived", &subject).await?;
            }
            queue.push(dependent);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_due_is_the_deadline_plus_the_lag() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let due = derived_due(d, 14).unwrap();
        assert_eq!(due.raw, "14-7-2026");
        assert_eq!(due.latest.as_deref(), Some("2026-07-14"));
        assert_eq!(due.precision, "day");
        assert_eq!(
            derived_due(d, -30).unwrap().latest.as_deref(),
            Some("2026-05-31")
        );
        // the text reads back as the same day
        let back = crate::domain::fuzzy_date::parse(&due.raw, &Default::default());
        assert_eq!(back.latest, NaiveDate::from_ymd_opt(2026, 7, 14));
    }
}
