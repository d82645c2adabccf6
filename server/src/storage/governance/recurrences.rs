//! Recurring duties: a rule (every N months or weeks from an anchor, until an optional end)
//! and its occurrences, ordinary milestones with `recurrence_id` and `occurrence_on` set.
//!
//! The first occurrence is the milestone the duty was made from; its anchor is that
//! milestone's deadline. Generating ([`generate_in`]) adds the occurrences up to the end or
//! 12 months ahead ([`crate::domain::recurrence::occurrences`]) that do not exist yet: a
//! day that has an occurrence (even one since rescheduled) is never made again, so generating
//! twice changes nothing. New occurrences copy the first one's title, description, action
//! line and owners, and start as `gepland`.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use super::linked::LinkError;
use super::milestones::{insert_milestone, Due, NewMilestone};
use crate::domain::events::actor_person;
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::domain::recurrence::{self, Rule, Unit};
use crate::domain::validate::Invalid;
use crate::storage::audit::{append_in, Actor};
use crate::storage::{now_ms, SqlStorage, StorageError};

/// A recurrence to start.
#[derive(Debug, Clone)]
pub struct RecurrenceInput {
    /// As written ("elk kwartaal").
    pub text: String,
    /// As read.
    pub rule: Rule,
    /// The last day an occurrence may fall on.
    pub until: Option<NaiveDate>,
}

/// What a generation made.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Generated {
    /// The recurring duty.
    pub recurrence_id: i64,
    /// The occurrences made now.
    pub created: Vec<i64>,
    /// All its occurrences after it.
    pub occurrences: usize,
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn invalid(message: &str) -> LinkError {
    Invalid {
        field: "recurrence",
        message: message.to_owned(),
    }
    .into()
}

/// Makes milestone `id` the first occurrence of a new recurring duty and generates the rest.
pub(super) async fn start_in(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    input: &RecurrenceInput,
    today: NaiveDate,
    by: Option<&Actor>,
) -> Result<Generated, LinkError> {
    let row =
        sqlx::query("SELECT body_id, due_latest, recurrence_id FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    if row.try_get::<Option<i64>, _>("recurrence_id")?.is_some() {
        return Err(invalid(
            "this milestone is already part of a recurring duty",
        ));
    }
    let Some(anchor) = row
        .try_get::<Option<String>, _>("due_latest")?
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
    else {
        return Err(invalid(
            "a recurring duty needs a due date with a known last day (e.g. 31-3-2026) to count from",
        ));
    };
    if input.until.is_some_and(|u| u < anchor) {
        return Err(Invalid {
            field: "recurrence_until",
            message: "the end of a recurring duty lies before its first due date".into(),
        }
        .into());
    }
    let created = sqlx::query(
        "INSERT INTO milestone_recurrences (body_id, rule_text, unit, every, anchor, until, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(row.try_get::<i64, _>("body_id")?)
    .bind(&input.text)
    .bind(input.rule.unit.as_str())
    .bind(i64::from(input.rule.every))
    .bind(day_text(anchor))
    .bind(input.until.map(day_text))
    .bind(by.and_then(|a| actor_person(&a.name)))
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let recurrence_id: i64 = created.try_get("id")?;
    sqlx::query("UPDATE milestones SET recurrence_id = $1, occurrence_on = $2 WHERE id = $3")
        .bind(recurrence_id)
        .bind(day_text(anchor))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(generate_in(tx, recurrence_id, today, by).await?)
}

/// Adds the missing occurrences of recurring duty `recurrence_id` up to its horizon.
///
/// # Errors
/// Storage errors.
pub(super) async fn generate_in(
    tx: &mut Transaction<'_, Any>,
    recurrence_id: i64,
    today: NaiveDate,
    by: Option<&Actor>,
) -> Result<Generated, StorageError> {
    let rule_row = sqlx::query(
        "SELECT body_id, unit, every, anchor, until FROM milestone_recurrences WHERE id = $1",
    )
    .bind(recurrence_id)
    .fetch_one(&mut **tx)
    .await?;
    let corrupt = |column: &'static str, value: String| StorageError::Corrupt { column, value };
    let unit: String = rule_row.try_get("unit")?;
    let unit = Unit::parse(&unit).ok_or_else(|| corrupt("unit", unit.clone()))?;
    let every: i64 = rule_row.try_get("every")?;
    let every = u32::try_from(every).map_err(|_| corrupt("every", every.to_string()))?;
    let parse = |d: String| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt("anchor", d.clone()))
    };
    let anchor = parse(rule_row.try_get("anchor")?)?;
    let until = rule_row
        .try_get::<Option<String>, _>("until")?
        .map(parse)
        .transpose()?;
    let first = sqlx::query(
        "SELECT id, action_line_id, title, description FROM milestones \
         WHERE recurrence_id = $1 ORDER BY occurrence_on, id LIMIT 1",
    )
    .bind(recurrence_id)
    .fetch_one(&mut **tx)
    .await?;
    let first_id: i64 = first.try_get("id")?;
    let owners =
        sqlx::query("SELECT party_id, role FROM milestone_parties WHERE milestone_id = $1")
            .bind(first_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .filter_map(|r| {
                let role: String = r.try_get("role").ok()?;
                Some((
                    r.try_get::<i64, _>("party_id").ok()?,
                    OwnerRole::parse(&role)?,
                ))
            })
            .collect::<Vec<_>>();
    let existing: HashSet<String> =
        sqlx::query("SELECT occurrence_on FROM milestones WHERE recurrence_id = $1")
            .bind(recurrence_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .filter_map(|r| {
                r.try_get::<Option<String>, _>("occurrence_on")
                    .ok()
                    .flatten()
            })
            .collect();
    let days = recurrence::occurrences(Rule { unit, every }, anchor, until, today);
    let mut created = Vec::new();
    for day in &days {
        let text = day_text(*day);
        if existing.contains(&text) {
            continue;
        }
        let new = NewMilestone {
            body_id: rule_row.try_get("body_id")?,
            action_line_id: first.try_get("action_line_id")?,
            title: first.try_get("title")?,
            description: first.try_get("description")?,
            due: Due {
                raw: day.format("%-d-%-m-%Y").to_string(),
                earliest: Some(text.clone()),
                latest: Some(text.clone()),
                precision: "day".to_owned(),
                uncertain: false,
            },
            status: MilestoneStatus::Gepland,
            natural_key: format!("recurrence/{recurrence_id}/{text}"),
            source_ref: None,
            owners: owners.clone(),
            created_by: by.and_then(|a| actor_person(&a.name)),
        };
        let id = insert_milestone(tx, &new).await?;
        sqlx::query("UPDATE milestones SET recurrence_id = $1, occurrence_on = $2 WHERE id = $3")
            .bind(recurrence_id)
            .bind(&text)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        created.push(id);
    }
    let total = existing.len() + created.len();
    Ok(Generated {
        recurrence_id,
        created,
        occurrences: total.saturating_sub(1),
    })
}

impl SqlStorage {
    /// Adds the missing occurrences of the recurring duty milestone `id` belongs to, with the
    /// `milestone.occurrences` audit entry; `None`: no such milestone.
    ///
    /// # Errors
    /// [`LinkError::Invalid`] naming `recurrence` when the milestone does not recur.
    pub async fn generate_occurrences_by(
        &self,
        id: i64,
        today: NaiveDate,
        by: &Actor,
    ) -> Result<Option<Generated>, LinkError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query("SELECT body_id, recurrence_id FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let Some(recurrence_id) = row.try_get::<Option<i64>, _>("recurrence_id")? else {
            return Err(invalid("this milestone is not part of a recurring duty"));
        };
        let generated = generate_in(&mut tx, recurrence_id, today, Some(by)).await?;
        let subject = serde_json::json!({
            "body": row.try_get::<i64, _>("body_id")?, "milestone": id,
            "recurrence": recurrence_id, "created": generated.created,
        });
        append_in(
            &mut tx,
            self.backend(),
            by,
            "milestone.occurrences",
            &subject,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(generated))
    }
}
