//! Progress reports (voortgangsrapportages): the content of a report for one period and scope,
//! built from the milestones and their status history, and the comparison of two reports.
//! Pure: storage loads the inputs, the routes freeze the result (see docs/DOMAIN.md).
//!
//! # Content, per body and in total
//! - **done**: milestones that are `gereed` and whose step to `gereed` fell in the period (or,
//!   without such a step in the history, whose deadline fell in it);
//! - **moved**: every rescheduling (a step with a new due date) recorded in the period, with the
//!   old and new date, the reason and with whom it was agreed;
//! - **late**: open milestones whose deadline is before the report's day (`as_of`: the end of
//!   the period, or the freezing day when that is earlier), with their lead parties;
//! - **new**: milestones that were not in the previous report of the same scope (all, for the
//!   first report);
//! - **due next**: open milestones whose deadline falls in the next period of the same length;
//! - **milestones**: every milestone in the scope as it stood, the basis of [`compare`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::milestone_status::MilestoneStatus;
use super::period::{self, Period};
use super::validate::Invalid;

/// Most milestones one report holds (a programme has a few hundred).
pub const MAX_MILESTONES: usize = 5_000;

/// A report's period: a year, half or quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPeriod {
    /// As written, normalised (`2026-Q3`, `2026-H1`, `2026`).
    pub name: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl ReportPeriod {
    /// Reads `2026-Q3`, `2026-H1` or `2026` (months are too short for a report).
    ///
    /// # Errors
    /// [`Invalid`] naming `period`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim().to_ascii_uppercase();
        let invalid = || Invalid {
            field: "period",
            message: "must be a quarter, half or year such as 2026-Q3, 2026-H1 or 2026".into(),
        };
        let is_month = name.len() == 7 && name[5..].chars().all(|c| c.is_ascii_digit());
        if is_month {
            return Err(invalid());
        }
        match period::parse_named(&name) {
            Some(Period {
                from: Some(from),
                to: Some(to),
            }) => Ok(Self { name, from, to }),
            _ => Err(invalid()),
        }
    }

    /// The period of the same length that follows.
    pub fn next(&self) -> Period {
        let months = months_between(self.from, self.to);
        let from = self.to.succ_opt();
        let to = from
            .and_then(|f| f.checked_add_months(Months::new(months)))
            .and_then(|d| d.pred_opt());
        Period { from, to }
    }
}

fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    use chrono::Datelike;
    let span = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    u32::try_from(span.max(1)).unwrap_or(1)
}

/// A milestone as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    /// Id.
    pub id: i64,
    /// Body.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// Action line title, if any.
    pub action_line: Option<String>,
    /// Status.
    pub status: MilestoneStatus,
    /// Due date as written.
    pub due: String,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Lead party codes.
    pub leads: Vec<String>,
}

/// A step of a milestone's history as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    /// The milestone.
    pub milestone_id: i64,
    /// Status before.
    pub from: String,
    /// Status after.
    pub to: String,
    /// Reason given.
    pub reason: Option<String>,
    /// With whom it was agreed.
    pub agreed_with: Option<String>,
    /// Due date before, when it changed.
    pub old_due: Option<String>,
    /// Due date after, when it changed.
    pub new_due: Option<String>,
    /// The (Dutch) day it was recorded.
    pub day: NaiveDate,
}

/// The scope: one body or the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportScope)]
pub struct Scope {
    /// `body` or `programme`.
    pub kind: String,
    /// The body, for a body report.
    pub body_id: Option<i64>,
}

/// One milestone in a report table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportRow)]
pub struct Row {
    /// Milestone id.
    pub id: i64,
    /// Body id.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// Action line.
    pub action_line: Option<String>,
    /// Status.
    pub status: String,
    /// Due date as written.
    pub due: String,
    /// Deadline `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// Lead party codes.
    pub leads: Vec<String>,
}

/// A rescheduling in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportMove)]
pub struct Move {
    /// Milestone id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Status before → after.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Old due date.
    pub old_due: Option<String>,
    /// New due date.
    pub new_due: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// Agreed with.
    pub agreed_with: Option<String>,
    /// Day recorded.
    pub day: String,
}

/// Counts of a section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportTotals)]
pub struct Totals {
    /// Milestones in scope.
    pub milestones: usize,
    /// Done in the period.
    pub done: usize,
    /// Reschedulings in the period.
    pub moved: usize,
    /// Late.
    pub late: usize,
    /// New since the previous report.
    pub new: usize,
    /// Due in the next period.
    pub due_next: usize,
}

/// One body's part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportBodySection)]
pub struct BodySection {
    /// Body id.
    pub body_id: i64,
    /// Body name.
    pub body_name: String,
    /// Counts.
    pub totals: Totals,
    /// Done in the period.
    pub done: Vec<Row>,
    /// Moved in the period.
    pub moved: Vec<Move>,
    /// Late on `as_of`.
    pub late: Vec<Row>,
    /// New since the previous report.
    pub new: Vec<Row>,
    /// Due in the next period.
    pub due_next: Vec<Row>,
    /// Every milestone as it stood.
    pub milestones: Vec<Row>,
}

/// A report's content: what is frozen and hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportContent {
    /// `2026-Q3`.
    pub period: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// The day lateness is judged on.
    pub as_of: String,
    /// The next period's first and last day.
    pub next_from: Option<String>,
    /// Last day of the next period.
    pub next_to: Option<String>,
    /// Scope.
    pub scope: Scope,
    /// The previous report of the same scope.
    pub previous_report_id: Option<i64>,
    /// Totals over every body.
    pub totals: Totals,
    /// Per body, by name.
    pub bodies: Vec<BodySection>,
}

/// Everything a report is built from.
pub struct ReportInput<'a> {
    /// The period.
    pub period: &'a ReportPeriod,
    /// The scope.
    pub scope: Scope,
    /// The freezing day.
    pub today: NaiveDate,
    /// Bodies in the scope: id and name.
    pub bodies: &'a [(i64, String)],
    /// Their milestones.
    pub milestones: &'a [MilestoneInput],
    /// The milestones' history.
    pub changes: &'a [ChangeInput],
    /// The previous report of the same scope, if any.
    pub previous: Option<(i64, &'a ReportContent)>,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn row(m: &MilestoneInput) -> Row {
    Row {
        id: m.id,
        body_id: m.body_id,
        title: m.title.clone(),
        action_line: m.action_line.clone(),
        status: m.status.as_str().to_owned(),
        due: m.due.clone(),
        deadline: m.deadline.map(day),
        leads: m.leads.clone(),
    }
}

fn within(p: &ReportPeriod, d: NaiveDate) -> bool {
    d >= p.from && d <= p.to
}

/// Builds a report's content.
pub fn build(input: &ReportInput<'_>) -> ReportContent {
    let p = input.period;
    let as_of = input.today.min(p.to);
    let next = p.next();
    let previous_ids: Option<BTreeSet<i64>> = input.previous.map(|(_, content)| {
        content
            .bodies
            .iter()
            .flat_map(|b| b.milestones.iter().map(|m| m.id))
            .collect()
    });
    let mut by_milestone: BTreeMap<i64, Vec<&ChangeInput>> = BTreeMap::new();
    for change in input.changes {
        by_milestone
            .entry(change.milestone_id)
            .or_default()
            .push(change);
    }
    let mut bodies: Vec<BodySection> = Vec::new();
    for (body_id, body_name) in input.bodies {
        let ms: Vec<&MilestoneInput> = input
            .milestones
            .iter()
            .filter(|m| m.body_id == *body_id)
            .take(MAX_MILESTONES)
            .collect();
        let history = |id: i64| by_milestone.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let done: Vec<Row> = ms
            .iter()
            .filter(|m| m.status == MilestoneStatus::Gereed)
            .filter(|m| {
                let finished: Vec<_> = history(m.id).iter().filter(|c| c.to == "gereed").collect();
                match finished.last() {
                    Some(c) => within(p, c.day),
                    None => m.deadline.is_some_and(|d| within(p, d)),
                }
            })
            .map(|m| row(m))
            .collect();
        let mut moved: Vec<Move> = Vec::new();
        for m in &ms {
            for c in history(m.id) {
                if c.new_due.is_some() && within(p, c.day) {
                    moved.push(Move {
                        id: m.id,
                        title: m.title.clone(),
                        from_status: c.from.clone(),
                        to_status: c.to.clone(),
                        old_due: c.old_due.clone(),
                        new_due: c.new_due.clone(),
                        reason: c.reason.clone(),
                        agreed_with: c.agreed_with.clone(),
                        day: day(c.day),
                    });
                }
            }
        }
        let late: Vec<Row> = ms
            .iter()
            .filter(|m| m.status.is_open() && m.deadline.is_some_and(|d| d < as_of))
            .map(|m| row(m))
            .collect();
        let new: Vec<Row> = ms
            .iter()
            .filter(|m| previous_ids.as_ref().is_none_or(|ids| !ids.contains(&m.id)))
            .map(|m| row(m))
            .collect();
        let due_next: Vec<Row> = ms
            .iter()
            .filter(|m| m.status.is_open() && m.deadline.is_some() && next.contains(m.deadline))
            .map(|m| row(m))
            .collect();
        let milestones: Vec<Row> = ms.iter().map(|m| row(m)).collect();
        let totals = Totals {
            milestones: milestones.len(),
            done: done.len(),
            moved: moved.len(),
            late: late.len(),
            new: new.len(),
            due_next: due_next.len(),
        };
        bodies.push(BodySection {
            body_id: *body_id,
            body_name: body_name.clone(),
            totals,
            done,
            moved,
            late,
            new,
            due_next,
            milestones,
        });
    }
    bodies.sort_by(|a, b| {
        a.body_name
            .cmp(&b.body_name)
            .then(a.body_id.cmp(&b.body_id))
    });
    let mut totals = Totals::default();
    for b in &bodies {
        totals.milestones += b.totals.milestones;
        totals.done += b.totals.done;
        totals.moved += b.totals.moved;
        totals.late += b.totals.late;
        totals.new += b.totals.new;
        totals.due_next += b.totals.due_next;
    }
    ReportContent {
        period: p.name.clone(),
        from: day(p.from),
        to: day(p.to),
        as_of: day(as_of),
        next_from: next.from.map(day),
        next_to: next.to.map(day),
        scope: input.scope.clone(),
        previous_report_id: input.previous.map(|(id, _)| id),
        totals,
        bodies,
    }
}

/// The canonical JSON of a content (keys sorted, no spaces) and its SHA-256 in hex, the way
/// versions are hashed ([`crate::versions::content_hash`]).
///
/// # Errors
/// Only if serialising fails, which plain data does not.
pub fn canonical(content: &ReportContent) -> Result<(String, String), serde_json::Error> {
    // a `Value`'s maps are ordered by key, so equal contents give equal bytes
    let value = serde_json::to_value(content)?;
    let text = serde_json::to_string(&value)?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// A milestone whose status changed between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportStatusChanged)]
pub struct StatusChanged {
    /// Milestone id.
    pub id: i64,
    /// Title (in the later report).
    pub title: String,
    /// Status in the earlier report.
    pub from: String,
    /// Status in the later report.
    pub to: String,
}

/// A milestone whose due date moved between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportDateMoved)]
pub struct DateMoved {
    /// Milestone id.
    pub id: i64,
    /// Title (in the later report).
    pub title: String,
    /// Due date in the earlier report.
    pub from: String,
    /// Due date in the later report.
    pub to: String,
}

/// What changed between two reports' milestones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportComparison)]
pub struct Comparison {
    /// In the later report only.
    pub added: Vec<Row>,
    /// In the earlier report only.
    pub removed: Vec<Row>,
    /// Status differs.
    pub status_changed: Vec<StatusChanged>,
    /// Due date (as written, or its deadline) differs.
    pub date_moved: Vec<DateMoved>,
}

fn rows_by_id(content: &ReportContent) -> BTreeMap<i64, &Row> {
    content
        .bodies
        .iter()
        .flat_map(|b| b.milestones.iter())
        .map(|r| (r.id, r))
        .collect()
}

/// What changed from `from` to `to`, by milestone id.
pub fn compare(from: &ReportContent, to: &ReportContent) -> Comparison {
    let before = rows_by_id(from);
    let after = rows_by_id(to);
    let mut out = Comparison::default();
    for (id, row) in &after {
        match before.get(id) {
            None => out.added.push((*row).clone()),
            Some(old) => {
                if old.status != row.status {
                    out.status_changed.push(StatusChanged {
                        id: *id,
                        title: row.title.clone(),
                        from: old.status.clone(),
                        to: row.status.clone(),
                    });
                }
                if old.due != row.due || old.deadline != row.deadline {
                    out.date_moved.push(DateMoved {
                        id: *id,
                        title: row.title.clone(),
                        from: old.due.clone(),
                        to: row.due.clone(),
                    });
                }
            }
        }
    }
    for (id, row) in &before {
        if !after.contains_key(id) {
            out.removed.push((*row).clone());
        }
    }
    out
}

#[cfg(test)]
#[path = "progress_report_tests.rs"]
mod tests;
