//! Milestones due relative to a meeting series ("uiterlijk twee weken voor het
//! IZA-kwartaaloverleg"): linking them, and resolving their due day again whenever a meeting of
//! the series is scheduled, moved or cancelled (docs/DOMAIN.md §13; the rules are in
//! [`crate::domain::relative_due`]).
//!
//! A milestone is linked when its due text reads as a rule and the rule's phrase names a series
//! of its body, else of the nearest body above it that has a matching series, else the one
//! series of any body it names uniquely. Linked, it keeps `due_series_id` and `due_rule`; the
//! meeting it resolves to is `due_meeting_id`, and the due columns hold the resolved window
//! (precision stays `relative`: the text is kept as written and the day can move). Unresolved
//! (no fitting meeting), its window is empty.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::milestones::Due;
use crate::domain::calendar::HolidayRules;
use crate::domain::dutch_time;
use crate::domain::events::actor_person;
use crate::domain::relative_due::{self, MeetingDay, Resolution, Rule, SeriesMatch, Unit};
use crate::storage::audit::{append_in, Actor};
use crate::storage::sql::Backend;
use crate::storage::{now_ms, SqlStorage, StorageError};

/// What a milestone's answer says about its relative due date.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RelativeDue {
    /// The meeting series the due text names.
    pub series_id: i64,
    /// Its name.
    pub series_name: String,
    /// The meeting the due date derives from now, if one is scheduled.
    pub meeting_id: Option<i64>,
    /// That meeting's start, Dutch local time `YYYY-MM-DDTHH:MM`.
    pub meeting_starts: Option<String>,
    /// The due text as written.
    pub rule_text: String,
    /// From the meeting day to the due day: calendar days, or working days when
    /// `working_days`; negative before the meeting.
    pub offset_days: i64,
    /// Whether `offset_days` counts working days.
    pub working_days: bool,
    /// Whether the due date is known (a meeting fits the rule).
    pub resolved: bool,
}

/// The relative due date of a milestone row read with the `relative_due` columns
/// (`due_series_id`, `series_name`, `due_meeting_id`, `meeting_starts_at`, `due_rule`).
pub(super) fn relative_due_from_row(row: &AnyRow) -> Result<Option<RelativeDue>, StorageError> {
    let Some(series_id) = row.try_get::<Option<i64>, _>("due_series_id")? else {
        return Ok(None);
    };
    let rule: Option<String> = row.try_get("due_rule")?;
    let rule: Option<Rule> = rule.and_then(|r| serde_json::from_str(&r).ok());
    let starts: Option<i64> = row.try_get("meeting_starts_at")?;
    let latest: Option<String> = row.try_get("due_latest")?;
    Ok(Some(RelativeDue {
        series_id,
        series_name: row
            .try_get::<Option<String>, _>("series_name")?
            .unwrap_or_default(),
        meeting_id: row.try_get("due_meeting_id")?,
        meeting_starts: starts.map(|ms| {
            dutch_time::local(chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default())
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        }),
        rule_text: row.try_get("due_raw")?,
        offset_days: rule.as_ref().map_or(0, |r| r.offset.amount),
        working_days: rule
            .as_ref()
            .is_some_and(|r| r.offset.unit == Unit::WorkingDays),
        resolved: latest.is_some(),
    }))
}

/// The backend a transaction runs on.
fn backend_of(tx: &Transaction<'_, Any>) -> Backend {
    if tx.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Every series with its name and aliases, and the body it belongs to.
async fn all_series(
    tx: &mut Transaction<'_, Any>,
) -> Result<Vec<(i64, i64, Vec<String>)>, StorageError> {
    let rows = sqlx::query("SELECT id, body_id, name FROM meeting_series ORDER BY id")
        .fetch_all(&mut **tx)
        .await?;
    let mut series = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        series.push((id, row.try_get("body_id")?, vec![row.try_get("name")?]));
    }
    let aliases = sqlx::query("SELECT series_id, alias FROM meeting_series_aliases")
        .fetch_all(&mut **tx)
        .await?;
    for row in &aliases {
        let of: i64 = row.try_get("series_id")?;
        if let Some(entry) = series.iter_mut().find(|(id, _, _)| *id == of) {
            entry.2.push(row.try_get("alias")?);
        }
    }
    Ok(series)
}

/// Each body's parent.
async fn parents(tx: &mut Transaction<'_, Any>) -> Result<HashMap<i64, i64>, StorageError> {
    let rows = sqlx::query("SELECT id, parent_id FROM bodies")
        .fetch_all(&mut **tx)
        .await?;
    let mut parents = HashMap::new();
    for row in &rows {
        if let Some(parent) = row.try_get::<Option<i64>, _>("parent_id")? {
            parents.insert(row.try_get("id")?, parent);
        }
    }
    Ok(parents)
}

/// Every series with its names (the name first, then the aliases) and each body's parent: what
/// finding the series a due text names needs, read once for any number of texts.
struct SeriesIndex {
    series: Vec<(i64, i64, Vec<String>)>,
    parents: HashMap<i64, i64>,
}

impl SeriesIndex {
    async fn load(tx: &mut Transaction<'_, Any>) -> Result<Self, StorageError> {
        let series = all_series(tx).await?;
        let parents = if series.is_empty() {
            HashMap::new()
        } else {
            parents(tx).await?
        };
        Ok(Self { series, parents })
    }

    /// The series' name.
    fn name(&self, id: i64) -> Option<String> {
        self.series
            .iter()
            .find(|(s, _, _)| *s == id)
            .and_then(|(_, _, names)| names.first().cloned())
    }

    /// The series `phrase` names for a milestone of `body_id`: in the body, else the nearest
    /// body above it with a match, else the one series of any body that matches uniquely.
    fn find(&self, body_id: i64, phrase: &str) -> Option<i64> {
        if self.series.is_empty() {
            return None;
        }
        let mut body = Some(body_id);
        let mut seen = Vec::new();
        while let Some(current) = body.filter(|b| !seen.contains(b)) {
            seen.push(current);
            let here: Vec<(i64, Vec<String>)> = self
                .series
                .iter()
                .filter(|(_, of, _)| *of == current)
                .map(|(id, _, names)| (*id, names.clone()))
                .collect();
            match relative_due::match_series(phrase, &here) {
                SeriesMatch::Unique(id) => return Some(id),
                SeriesMatch::Ambiguous => return None,
                SeriesMatch::None => body = self.parents.get(&current).copied(),
            }
        }
        let everywhere: Vec<(i64, Vec<String>)> = self
            .series
            .iter()
            .map(|(id, _, names)| (*id, names.clone()))
            .collect();
        match relative_due::match_series(phrase, &everywhere) {
            SeriesMatch::Unique(id) => Some(id),
            SeriesMatch::Ambiguous | SeriesMatch::None => None,
        }
    }
}

/// The meetings of a series, as resolution needs them.
async fn meetings_of(
    tx: &mut Transaction<'_, Any>,
    series_id: i64,
) -> Result<Vec<MeetingDay>, StorageError> {
    let rows = sqlx::query("SELECT id, starts_at, status FROM meetings WHERE series_id = $1")
        .bind(series_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(MeetingDay {
                id: row.try_get("id")?,
                day: dutch_time::date_of_millis(row.try_get("starts_at")?),
                cancelled: row.try_get::<String, _>("status")? == "geannuleerd",
            })
        })
        .collect()
}

fn resolve(rule: &Rule, meetings: &[MeetingDay], created_at: i64) -> Option<Resolution> {
    let anchor = dutch_time::date_of_millis(created_at);
    relative_due::resolve(rule, meetings, anchor, &HolidayRules::default())
}

/// Writes a resolution (or its absence) into the milestone's due columns.
async fn write_resolution(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    resolution: Option<Resolution>,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE milestones SET due_meeting_id = $1, due_earliest = $2, due_latest = $3, \
         due_precision = 'relative' WHERE id = $4",
    )
    .bind(resolution.map(|r| r.meeting_id))
    .bind(resolution.and_then(|r| r.earliest).map(day_text))
    .bind(resolution.map(|r| day_text(r.due)))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Links (or unlinks) a milestone by its due text as stored, inside `tx`, and resolves it:
/// a linked milestone's due columns then hold the resolved window. Call it after the due text
/// was written (create, correction, rescheduling, import).
///
/// # Errors
/// Storage errors.
pub(crate) async fn link_in(tx: &mut Transaction<'_, Any>, id: i64) -> Result<(), StorageError> {
    let Some(row) =
        sqlx::query("SELECT body_id, due_raw, created_at FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(());
    };
    let raw: String = row.try_get("due_raw")?;
    let body_id: i64 = row.try_get("body_id")?;
    let rule = relative_due::parse(&raw);
    let series = match &rule {
        Some(rule) => SeriesIndex::load(tx).await?.find(body_id, &rule.phrase),
        None => None,
    };
    let (Some(rule), Some(series_id)) = (rule, series) else {
        sqlx::query(
            "UPDATE milestones SET due_series_id = NULL, due_meeting_id = NULL, due_rule = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?;
        return Ok(());
    };
    let stored = serde_json::to_string(&rule).map_err(|e| StorageError::Corrupt {
        column: "due_rule",
        value: e.to_string(),
    })?;
    sqlx::query("UPDATE milestones SET due_series_id = $1, due_rule = $2 WHERE id = $3")
        .bind(series_id)
        .bind(stored)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let meetings = meetings_of(tx, series_id).await?;
    write_resolution(
        tx,
        id,
        resolve(&rule, &meetings, row.try_get("created_at")?),
    )
    .await
}

/// Links a milestone whose due date `due` was just written ([`link_in`]) and returns the due
/// date as stored after it.
///
/// # Errors
/// Storage errors.
pub(super) async fn relinked_due(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    due: &Due,
) -> Result<Due, StorageError> {
    link_in(tx, id).await?;
    let row =
        sqlx::query("SELECT due_earliest, due_latest, due_precision FROM milestones WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(Due {
        earliest: row.try_get("due_earliest")?,
        latest: row.try_get("due_latest")?,
        precision: row.try_get("due_precision")?,
        ..due.clone()
    })
}

/// A milestone whose due day moved with its meeting, for its audit entry.
struct Moved {
    milestone: i64,
    body: i64,
    meeting: Option<i64>,
    from: Option<String>,
    to: Option<String>,
}

/// Resolves again, inside `tx`, every open milestone linked to `series_id`, after a meeting of
/// the series was scheduled, moved or cancelled. A milestone whose day changes gets a history
/// entry (`kind: meeting`) and its owners a notice (`milestone.due_moved`); its reminders follow
/// the new day. The audit entries are appended after all other writes of this call, so call it
/// after the meeting's own writes and right before the meeting's audit entry.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn series_changed(
    tx: &mut Transaction<'_, Any>,
    series_id: i64,
    by: &Actor,
) -> Result<(), StorageError> {
    let rows = sqlx::query(
        "SELECT id, body_id, status, due_raw, due_rule, due_latest, due_meeting_id, created_at \
         FROM milestones WHERE due_series_id = $1 AND status NOT IN ('gereed', 'vervallen') \
         ORDER BY id",
    )
    .bind(series_id)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let meetings = meetings_of(tx, series_id).await?;
    let titles: HashMap<i64, String> =
        sqlx::query("SELECT id, title FROM meetings WHERE series_id = $1")
            .bind(series_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
            .collect::<Result<_, StorageError>>()?;
    let by_user = actor_person(&by.name);
    let mut moved = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let raw: String = row.try_get("due_raw")?;
        let rule: Option<String> = row.try_get("due_rule")?;
        let Some(rule) = rule
            .and_then(|r| serde_json::from_str::<Rule>(&r).ok())
            .or_else(|| relative_due::parse(&raw))
        else {
            continue;
        };
        let resolution = resolve(&rule, &meetings, row.try_get("created_at")?);
        let old_latest: Option<String> = row.try_get("due_latest")?;
        let old_meeting: Option<i64> = row.try_get("due_meeting_id")?;
        let new_latest = resolution.map(|r| day_text(r.due));
        if new_latest == old_latest && resolution.map(|r| r.meeting_id) == old_meeting {
            continue;
        }
        write_resolution(tx, id, resolution).await?;
        if new_latest == old_latest {
            continue;
        }
        let status: String = row.try_get("status")?;
        let reason = match resolution {
            Some(r) => format!(
                "Vergadering {} op {}",
                titles.get(&r.meeting_id).map_or("", String::as_str),
                day_text(r.meeting_day)
            ),
            None => "Geen (niet geannuleerde) vergadering van de reeks die bij de termijn past"
                .to_owned(),
        };
        sqlx::query(
            "INSERT INTO milestone_status_changes (milestone_id, kind, from_status, to_status, \
             reason, old_due_raw, new_due_raw, new_due_earliest, new_due_latest, by_user, at) \
             VALUES ($1, 'meeting', $2, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(&status)
        .bind(&reason)
        .bind(old_latest.clone().unwrap_or_else(|| raw.clone()))
        .bind(new_latest.clone().unwrap_or_else(|| raw.clone()))
        .bind(resolution.and_then(|r| r.earliest).map(day_text))
        .bind(&new_latest)
        .bind(by_user)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
        moved.push(Moved {
            milestone: id,
            body: row.try_get("body_id")?,
            meeting: resolution.map(|r| r.meeting_id),
            from: old_latest,
            to: new_latest,
        });
    }
    let backend = backend_of(tx);
    for m in moved {
        let subject = serde_json::json!({
            "body": m.body, "milestone": m.milestone, "series": series_id,
            "meeting": m.meeting, "from": m.from, "to": m.to,
        });
        append_in(tx, backend, by, "milestone.due_moved", &subject).await?;
    }
    Ok(())
}

/// Links, inside `tx`, the open milestones whose due text names the new series `series_id` and
/// that are not linked yet (in the series' body and the bodies below it), and resolves them.
///
/// # Errors
/// Storage errors; the caller's transaction must then be dropped.
pub async fn series_created(
    tx: &mut Transaction<'_, Any>,
    series_id: i64,
    by: &Actor,
) -> Result<(), StorageError> {
    let Some(row) = sqlx::query("SELECT body_id FROM meeting_series WHERE id = $1")
        .bind(series_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(());
    };
    let top: i64 = row.try_get("body_id")?;
    let parents = parents(tx).await?;
    let below = |mut body: i64| {
        let mut steps = 0;
        loop {
            if body == top {
                return true;
            }
            match parents.get(&body) {
                Some(parent) if steps < 64 => {
                    body = *parent;
                    steps += 1;
                }
                _ => return false,
            }
        }
    };
    let rows = sqlx::query(
        "SELECT id, body_id, due_raw FROM milestones WHERE due_series_id IS NULL \
         AND status NOT IN ('gereed', 'vervallen') ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let raw: String = row.try_get("due_raw")?;
        if below(row.try_get("body_id")?) && relative_due::parse(&raw).is_some() {
            let id: i64 = row.try_get("id")?;
            // linked without a day yet; series_changed below resolves it with its history
            link_in(tx, id).await?;
            sqlx::query(
                "UPDATE milestones SET due_meeting_id = NULL, due_earliest = NULL, \
                 due_latest = NULL WHERE id = $1 AND due_series_id = $2",
            )
            .bind(id)
            .bind(series_id)
            .execute(&mut **tx)
            .await?;
        }
    }
    series_changed(tx, series_id, by).await
}

/// How the import's dry run reads one relative due text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RelativeRow {
    /// The table line.
    pub line: usize,
    /// The due text.
    pub due: String,
    /// The series it names, if one matches.
    pub series_id: Option<i64>,
    /// Its name.
    pub series_name: Option<String>,
    /// `linked`, or `relative_unlinked` when no series matches.
    pub status: &'static str,
}

impl SqlStorage {
    /// How the due texts `(line, text, reads as relative)` of an import into `body_id` would
    /// link: every text that names a series, and every relative text that names none.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn relative_due_preview(
        &self,
        body_id: i64,
        texts: &[(usize, String, bool)],
    ) -> Result<Vec<RelativeRow>, StorageError> {
        let mut tx = self.pool().begin().await?;
        let index = SeriesIndex::load(&mut tx).await?;
        let mut out = Vec::new();
        for (line, text, relative) in texts {
            let series =
                relative_due::parse(text).and_then(|rule| index.find(body_id, &rule.phrase));
            let name = series.and_then(|id| index.name(id));
            if series.is_some() || *relative {
                out.push(RelativeRow {
                    line: *line,
                    due: text.clone(),
                    series_id: series,
                    series_name: name,
                    status: if series.is_some() {
                        "linked"
                    } else {
                        "relative_unlinked"
                    },
                });
            }
        }
        tx.rollback().await?;
        Ok(out)
    }
}
