//! REST routes for role agreements, action lines, milestones, the programme dashboard and
//! milestone imports.
//!
//! # Access
//! Everyone who may see the body (its members of every role, and administrators) reads.
//! The programme team (chair and secretariat of the body) changes agreements, action lines and
//! milestones and imports tables. A party's sign-off is given by a person holding that party's
//! mandate in the body. A milestone's status may also be changed by members of an owner party;
//! progress notes may be added by every member except observers.
//!
//! # Layout
//! - [`role_agreements`] serves `/api/bodies/{id}/role-agreements`, `/api/role-agreements/{id}…`.
//! - [`action_lines`] serves action lines.
//! - [`milestones`] serves milestones and their status.
//! - [`milestone_log`] serves a milestone's progress notes and links.
//! - [`dashboard`] serves due soon, late, by party, by action line; CSV export.
//! - [`milestone_links`]: generating a recurring duty's occurrences; the start, "volgt na", lag and
//!   recurrence fields of milestones are read here by [`read_links`].
//! - [`monitor`]: the programme monitor across every body the caller may read.
//! - [`imports`] serves `/api/bodies/{id}/imports`.
//! - [`reports`] serves frozen progress reports, `/api/programme/reports…`
//!   ([`crate::versions::progress_report`] writes them as PDF, DOCX and CSV).
//! - [`public_page`] serves a body's public page setting, `/api/bodies/{id}/public-page`.

pub mod action_lines;
pub mod dashboard;
pub mod imports;
pub mod milestone_links;
pub mod milestone_log;
pub mod milestones;
pub mod monitor;
pub mod public_page;
pub mod reports;
pub mod role_agreements;

use chrono::NaiveDate;
use rand::Rng;
use serde::{Deserialize, Deserializer};
use utoipa_axum::router::OpenApiRouter;

use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::milestone_status::MilestoneStatus;
use crate::domain::owner_role::OwnerRole;
use crate::domain::period::{self, Period};
use crate::domain::recurrence;
use crate::domain::validate::{self, Invalid};
use crate::error::{AppError, Result};
use crate::http::access;
use crate::http::extract::Caller;
use crate::http::extract::Page;
use crate::state::AppState;
use crate::storage::governance::linked::LinkChange;
use crate::storage::governance::milestones::{Due, Milestone, MilestoneFilter};
use crate::storage::governance::recurrences::RecurrenceInput;

/// The governance routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(role_agreements::router())
        .merge(action_lines::router())
        .merge(milestones::router())
        .merge(milestone_log::router())
        .merge(milestone_links::router())
        .merge(monitor::router())
        .merge(dashboard::router())
        .merge(imports::router())
        .merge(reports::router())
        .merge(public_page::router())
}

/// Reads `?today=YYYY-MM-DD`; today in the Netherlands (Europe/Amsterdam) when absent.
///
/// # Errors
/// [`Invalid`] naming `today`.
pub(crate) fn today(raw: Option<&str>) -> Result<NaiveDate> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(crate::domain::dutch_time::today()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Invalid {
                field: "today",
                message: "must be a date written as YYYY-MM-DD, for example 2026-05-01".into(),
            }
            .into()
        }),
    }
}

/// Resolves a party code, name or alias.
///
/// # Errors
/// [`Invalid`] naming `field` when no party has that name.
pub(crate) async fn party_id(state: &AppState, field: &'static str, name: &str) -> Result<i64> {
    state.db.resolve_party(name).await?.ok_or_else(|| {
        Invalid {
            field,
            message: format!("no party is called {name:?}; use a party code such as ZIN or VWS"),
        }
        .into()
    })
}

/// Query of the milestone list.
#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    /// Party code: milestones it owns, directly or through a collective it belongs to.
    pub party: Option<String>,
    /// Action line id.
    pub action_line: Option<i64>,
    /// Status.
    pub status: Option<String>,
    /// Due (deadline) on or after this day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Due (deadline) on or before this day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Due in this period: `2025`, `2025-Q3`, `2025-H1` or `2025-07`.
    pub period: Option<String>,
    /// Items to skip.
    pub offset: Option<i64>,
    /// Page size.
    pub limit: Option<i64>,
}

impl ListQuery {
    /// The period asked for: `period` narrowed by `from` and `to`.
    ///
    /// # Errors
    /// [`Invalid`] naming the field that cannot be read.
    pub(crate) fn period(&self) -> Result<Period> {
        let given = |raw: &Option<String>| -> Option<String> {
            raw.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let day = |field: &'static str, raw: &Option<String>| -> Result<Option<NaiveDate>> {
            match given(raw) {
                None => Ok(None),
                Some(text) => period::parse_day(&text).map(Some).ok_or_else(|| {
                    Invalid {
                        field,
                        message: "must be a date written as YYYY-MM-DD, for example 2026-05-01"
                            .into(),
                    }
                    .into()
                }),
            }
        };
        let bounds = Period {
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
        };
        let named = match given(&self.period) {
            None => Period::default(),
            Some(text) => period::parse_named(&text).ok_or_else(|| Invalid {
                field: "period",
                message: "must be a year, quarter, half or month such as 2025, 2025-Q3, \
                          2025-H1 or 2025-07"
                    .into(),
            })?,
        };
        Ok(named.and(bounds))
    }

    pub(crate) fn page(&self) -> Page {
        let default = Page::default();
        Page {
            offset: self.offset.unwrap_or(default.offset),
            limit: self.limit.unwrap_or(default.limit),
        }
    }
}

/// The milestones of a body matching a list query.
pub(crate) async fn query_milestones(
    state: &AppState,
    body_id: i64,
    query: &ListQuery,
) -> Result<Vec<Milestone>> {
    let party = match query.party.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(code) => Some(party_id(state, "party", code).await?),
        None => None,
    };
    let status = query
        .status
        .as_deref()
        .map(|s| MilestoneStatus::parse_field("status", s))
        .transpose()?;
    let filter = MilestoneFilter {
        party_id: party,
        action_line_id: query.action_line,
    };
    let period = query.period()?;
    let mut items = state.db.list_milestones(body_id, filter).await?;
    if let Some(status) = status {
        items.retain(|m| m.status == status);
    }
    items.retain(|m| period.contains(m.due.latest_date()));
    Ok(items)
}

/// An owner party of an action line or milestone, as created or changed.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OwnerInput {
    party: String,
    #[serde(default = "lead")]
    role: String,
}

fn lead() -> String {
    "lead".into()
}

/// Resolves the owner parties and their roles.
///
/// # Errors
/// [`Invalid`] naming `owners` for an unknown party or role, or a party listed twice.
pub(crate) async fn owners(
    state: &AppState,
    input: &[OwnerInput],
) -> Result<Vec<(i64, OwnerRole)>> {
    let mut out: Vec<(i64, OwnerRole)> = Vec::with_capacity(input.len());
    for owner in input {
        let Some(role) = OwnerRole::parse(owner.role.trim()) else {
            return Err(Invalid {
                field: "owners",
                message: format!(
                    "unknown owner role {:?}; use lead or contributor",
                    owner.role.trim()
                ),
            }
            .into());
        };
        let id = party_id(state, "owners", &owner.party).await?;
        if out.iter().any(|(p, _)| *p == id) {
            return Err(Invalid {
                field: "owners",
                message: format!("{} is listed twice", owner.party),
            }
            .into());
        }
        out.push((id, role));
    }
    Ok(out)
}

/// The natural key of an action line or milestone created by hand (imports use the table's).
pub(crate) fn manual_key() -> String {
    format!("manual/{:016x}", rand::thread_rng().gen::<u64>())
}

/// The most days a lag may be, either way.
const MAX_LAG_DAYS: i64 = 730;

/// Reads a present JSON value, `null` included, as `Some`.
pub(crate) fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The link fields of a create or update, as sent.
#[derive(Debug, Default)]
pub(crate) struct LinkFields {
    /// Start as written; empty removes it.
    pub start: Option<String>,
    /// The predecessor; `Some(None)` removes the link.
    pub follows: Option<Option<i64>>,
    /// Lag in days.
    pub lag_days: Option<i64>,
    /// Lag in weeks.
    pub lag_weeks: Option<i64>,
    /// Recurrence phrase.
    pub recurrence: Option<String>,
    /// Its end.
    pub recurrence_until: Option<String>,
}

fn invalid(field: &'static str, message: &str) -> AppError {
    Invalid {
        field,
        message: message.to_owned(),
    }
    .into()
}

/// Checks the link fields of a milestone of `body_id` (`own`: its id, on update).
pub(crate) async fn read_links(
    state: &AppState,
    caller: &Caller,
    body_id: i64,
    own: Option<i64>,
    fields: LinkFields,
) -> Result<LinkChange> {
    let start = match fields.start {
        Some(raw) => {
            let raw = validate::text("start", &raw, 0, 200)?;
            if raw.is_empty() {
                Some(None)
            } else {
                let date = fuzzy_date::parse(&raw, &ParseContext::default());
                if date.earliest.is_none() {
                    return Err(invalid(
                        "start",
                        "a start date needs a known first day, for example \"Q1 2026\" or \"1-3-2026\"",
                    ));
                }
                Some(Some(Due::from_fuzzy(&date)))
            }
        }
        None => None,
    };
    if let Some(Some(predecessor)) = fields.follows {
        if own == Some(predecessor) {
            return Err(invalid("follows", "a milestone cannot follow itself"));
        }
        let found = state.db.find_milestone(predecessor).await?;
        let Some(found) = found else {
            return Err(invalid("follows", "no milestone with this id"));
        };
        if found.body_id != body_id {
            let may = match access::milestone(state, caller, predecessor).await {
                Ok((_, standing)) => standing.steer().is_ok(),
                Err(_) => false,
            };
            if !may {
                return Err(invalid(
                    "follows",
                    "that milestone is in a body you cannot edit; a link across bodies needs a person on the programme team of both",
                ));
            }
        }
    }
    let lag_days = match (fields.lag_days, fields.lag_weeks) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "lag_weeks",
                "give the lag in days or in weeks, not both",
            ))
        }
        (Some(days), None) => Some(days),
        (None, Some(weeks)) => Some(weeks.saturating_mul(7)),
        (None, None) => None,
    };
    if lag_days.is_some_and(|d| d.abs() > MAX_LAG_DAYS) {
        let field = if fields.lag_weeks.is_some() {
            "lag_weeks"
        } else {
            "lag_days"
        };
        return Err(invalid(
            field,
            "the lag is at most two years (730 days) either way",
        ));
    }
    let recurrence = match fields.recurrence.filter(|r| !r.trim().is_empty()) {
        Some(text) => {
            let text = validate::text("recurrence", &text, 1, 100)?;
            let Some(rule) = recurrence::parse(&text) else {
                return Err(invalid(
                    "recurrence",
                    "not a recurrence this reads; write for example \"elk kwartaal\", \"maandelijks\", \"halfjaarlijks\", \"tweemaal per jaar\", \"jaarlijks\" or \"wekelijks\"",
                ));
            };
            let until = match fields.recurrence_until.filter(|u| !u.trim().is_empty()) {
                Some(raw) => {
                    let raw = validate::text("recurrence_until", &raw, 1, 100)?;
                    let date = fuzzy_date::parse(&raw, &ParseContext::default());
                    let Some(latest) = date.latest else {
                        return Err(invalid(
                            "recurrence_until",
                            "the end needs a known last day, for example \"31-12-2027\" or \"2027\"",
                        ));
                    };
                    Some(latest)
                }
                None => None,
            };
            Some(RecurrenceInput { text, rule, until })
        }
        None if fields
            .recurrence_until
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty()) =>
        {
            return Err(invalid(
                "recurrence_until",
                "an end is only given with a recurrence",
            ))
        }
        None => None,
    };
    Ok(LinkChange {
        start,
        follows: fields.follows,
        lag_days,
        recurrence,
    })
}
