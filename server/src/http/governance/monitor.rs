//! The programme monitor (`GET /api/programme/monitor`): the milestones of every body the
//! caller may read (administrators: every body; others: the bodies they are a member of),
//! counted and grouped by [`crate::domain::monitor::build`]. A body the caller cannot read is
//! never read at all, so it shows nowhere, not even in counts.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::today;
use crate::domain::dutch_time;
use crate::domain::monitor::{self, Filter, Item, ItemOwner, Monitor, StatusFilter};
use crate::domain::owner_role::OwnerRole;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, Result};
use crate::http::extract::{AppQuery, Caller};
use crate::state::AppState;
use crate::storage::governance::milestones::{Milestone, MilestoneFilter};
use crate::storage::governance::monitor::MonitorEvents;

/// The most milestones the monitor reads; beyond it `milestones_truncated` is set.
const MAX_MILESTONES: usize = 20_000;

/// Monitor routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(monitor_route))
}

/// The monitor's filters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MonitorQuery {
    /// YYYY-MM-DD; default today in the Netherlands.
    today: Option<String>,
    /// Body id.
    body: Option<i64>,
    /// Party code: milestones it owes (its own and its collectives').
    party: Option<String>,
    /// Action line id.
    action_line: Option<i64>,
    /// Quarter of the deadline, `2026-Q3` (or `onbekend`).
    quarter: Option<String>,
    /// `due_soon`, `late`, `moved`, `done`, `open` or a status.
    status: Option<String>,
}

/// The monitor with what was left out.
#[derive(serde::Serialize)]
struct MonitorAnswer {
    #[serde(flatten)]
    monitor: Monitor,
    /// The bodies counted, for the filter.
    bodies: Vec<BodyOption>,
    /// Whether more milestones exist than were read.
    milestones_truncated: bool,
}

#[derive(serde::Serialize)]
struct BodyOption {
    id: i64,
    name: String,
}

fn item(
    m: &Milestone,
    body: &str,
    events: &MonitorEvents,
    collectives: &BTreeMap<i64, Vec<String>>,
    today: chrono::NaiveDate,
) -> Item {
    let day = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let mut owing = Vec::new();
    let mut leading = Vec::new();
    for owner in &m.owners {
        let mut codes = vec![owner.code.clone()];
        codes.extend(
            collectives
                .get(&owner.party_id)
                .cloned()
                .unwrap_or_default(),
        );
        for code in codes {
            if !owing.contains(&code) {
                owing.push(code.clone());
            }
            if owner.role == OwnerRole::Lead && !leading.contains(&code) {
                leading.push(code);
            }
        }
    }
    let predecessor_due = day(&m.links.follows_due);
    let start = day(&m.links.start_on);
    Item {
        id: m.id,
        body_id: m.body_id,
        body: body.to_owned(),
        title: m.title.clone(),
        status: m.status,
        due_raw: m.due.raw.clone(),
        due: m.due.latest_date(),
        start,
        created_on: dutch_time::date_of_millis(m.created_at),
        follows: m.links.follows,
        predecessor_due,
        predecessor_slipped: m.status.is_open()
            && m.links
                .follows_status
                .is_some_and(|s| monitor::predecessor_slipped(s, predecessor_due, start, today)),
        action_line_id: m.action_line_id,
        action_line: m.action_line.clone(),
        owners: m
            .owners
            .iter()
            .map(|o| ItemOwner {
                code: o.code.clone(),
                role: o.role,
            })
            .collect(),
        owing,
        leading,
        moved: events.moves.get(&m.id).cloned(),
        done_on: events.done.get(&m.id).copied().or_else(|| {
            (m.status == crate::domain::milestone_status::MilestoneStatus::Gereed)
                .then(|| dutch_time::date_of_millis(m.updated_at))
        }),
    }
}

#[utoipa::path(
    get,
    path = "/api/programme/monitor",
    tag = "milestones",
    summary = "The programme monitor across every body you may read: counts by body, party, action line and quarter; due soon, late, moved, recently done; timeline; what each party owes",
    params(MonitorQuery),
    responses((status = 200, description = "the monitor", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn monitor_route(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<MonitorQuery>,
) -> Result<Json<MonitorAnswer>> {
    let member = if caller.identity.is_admin {
        None
    } else {
        Some(caller.person_id()?)
    };
    let today = today(query.today.as_deref())?;
    let party = query
        .party
        .as_deref()
        .map(|p| validate::text("party", p, 1, 100))
        .transpose()?;
    let filter = Filter {
        body: query.body,
        party,
        action_line: query.action_line,
        quarter: query
            .quarter
            .as_deref()
            .map(|q| monitor::parse_quarter("quarter", q))
            .transpose()?,
        status: query
            .status
            .as_deref()
            .map(|s| StatusFilter::parse("status", s))
            .transpose()?,
    };
    let bodies = state.db.list_bodies(member).await?;
    if let Some(body) = filter.body {
        if !bodies.iter().any(|b| b.id == body) {
            return Err(Invalid {
                field: "body",
                message: "no body with this id among the bodies you may read".into(),
            }
            .into());
        }
    }
    let parties = state.db.list_parties().await?;
    let names: BTreeMap<String, String> = parties
        .iter()
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    // a collective's members owe what the collective owns
    let collectives: BTreeMap<i64, Vec<String>> = parties
        .iter()
        .filter(|p| p.is_collective)
        .map(|p| (p.id, p.members.clone()))
        .collect();
    let mut items = Vec::new();
    let mut events = MonitorEvents::default();
    let mut truncated = false;
    for body in &bodies {
        if filter.body.is_some_and(|b| b != body.id) {
            continue;
        }
        let milestones = state
            .db
            .list_milestones(body.id, MilestoneFilter::default())
            .await?;
        state.db.monitor_events(body.id, &mut events).await?;
        for m in &milestones {
            if items.len() >= MAX_MILESTONES {
                truncated = true;
                break;
            }
            items.push(item(m, &body.name, &events, &collectives, today));
        }
    }
    let monitor = monitor::build(&items, &filter, today, &names);
    Ok(Json(MonitorAnswer {
        monitor,
        bodies: bodies
            .iter()
            .map(|b| BodyOption {
                id: b.id,
                name: b.name.clone(),
            })
            .collect(),
        milestones_truncated: truncated,
    }))
}
