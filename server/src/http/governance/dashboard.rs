//! The programme dashboard (`/api/bodies/{id}/dashboard`) and the CSV export of milestones
//! (`/api/bodies/{id}/milestones.csv`). Buckets follow
//! [`crate::domain::milestone_status::bucket`]; `?today=YYYY-MM-DD` fixes the day (tests,
//! looking ahead), otherwise the server's local date is used.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{query_milestones, today, ListQuery};
use crate::domain::milestone_status::{self, Bucket, MilestoneStatus, DUE_SOON_DAYS};
use crate::domain::owner_role::OwnerRole;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{AppPath, AppQuery, Caller};
use crate::state::AppState;
use crate::storage::governance::milestones::{Milestone, MilestoneFilter};

/// Dashboard and export routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(export_csv))
}

#[derive(Deserialize)]
struct DashboardQuery {
    today: Option<String>,
}

/// Counts for one party or action line.
#[derive(Serialize, Default)]
struct Counts {
    total: usize,
    open: usize,
    due_soon: usize,
    late: usize,
}

#[derive(Serialize)]
struct PartyRow {
    code: String,
    name: String,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct LineRow {
    id: Option<i64>,
    title: String,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct Dashboard {
    today: NaiveDate,
    due_soon_days: u64,
    due_soon: Vec<Milestone>,
    late: Vec<Milestone>,
    by_status: BTreeMap<&'static str, usize>,
    by_party: Vec<PartyRow>,
    by_action_line: Vec<LineRow>,
}

fn count(counts: &mut Counts, milestone: &Milestone, bucket: Option<Bucket>) {
    counts.total += 1;
    if milestone.status.is_open() {
        counts.open += 1;
    }
    match bucket {
        Some(Bucket::DueSoon) => counts.due_soon += 1,
        Some(Bucket::Late) => counts.late += 1,
        None => {}
    }
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/dashboard",
    tag = "milestones",
    summary = "The programme dashboard: due in 30 days, late, by status, by party, by action line",
    params(("id" = i64, Path, description = "id"), ("today" = Option<String>, Query, description = "YYYY-MM-DD; default today in the Netherlands (Europe/Amsterdam)")),
    responses((status = 200, description = "the dashboard", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<DashboardQuery>,
) -> Result<Json<Dashboard>> {
    access::body(&state, &caller, body_id).await?;
    let body = state
        .db
        .find_body(body_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today(query.today.as_deref())?;
    let milestones = state
        .db
        .list_milestones(body_id, MilestoneFilter::default())
        .await?;
    let parties = state.db.list_parties().await?;
    let lines = state.db.list_action_lines(body_id).await?;

    let mut by_status: BTreeMap<&'static str, usize> = MilestoneStatus::ALL
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect();
    let mut due_soon = Vec::new();
    let mut late = Vec::new();
    let mut by_party: Vec<PartyRow> = parties
        .iter()
        .filter(|p| body.parties.iter().any(|b| b.code == p.code) || p.is_collective)
        .map(|p| PartyRow {
            code: p.code.clone(),
            name: p.name.clone(),
            counts: Counts::default(),
        })
        .collect();
    let mut by_line: Vec<LineRow> = lines
        .iter()
        .map(|l| LineRow {
            id: Some(l.id),
            title: l.title.clone(),
            counts: Counts::default(),
        })
        .collect();
    by_line.push(LineRow {
        id: None,
        title: "(zonder actielijn)".into(),
        counts: Counts::default(),
    });

    for milestone in &milestones {
        let status = milestone.status;
        if let Some(n) = by_status.get_mut(status.as_str()) {
            *n += 1;
        }
        let bucket = milestone_status::bucket(status, milestone.due.latest_date(), today);
        for row in by_party.iter_mut() {
            // a party owes a milestone it owns, or one owned by a collective it belongs to
            let owes = milestone.owners.iter().any(|o| {
                o.code == row.code
                    || parties
                        .iter()
                        .any(|p| p.id == o.party_id && p.members.contains(&row.code))
            });
            if owes {
                count(&mut row.counts, milestone, bucket);
            }
        }
        if let Some(row) = by_line
            .iter_mut()
            .find(|l| l.id == milestone.action_line_id)
        {
            count(&mut row.counts, milestone, bucket);
        }
        match bucket {
            Some(Bucket::DueSoon) => due_soon.push(milestone.clone()),
            Some(Bucket::Late) => late.push(milestone.clone()),
            None => {}
        }
    }
    by_party.retain(|p| p.counts.total > 0);
    by_line.retain(|l| l.id.is_some() || l.counts.total > 0);
    Ok(Json(Dashboard {
        today,
        due_soon_days: DUE_SOON_DAYS,
        due_soon,
        late,
        by_status,
        by_party,
        by_action_line: by_line,
    }))
}

/// Stops spreadsheet programs from reading a cell as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn owners_of(milestone: &Milestone, role: OwnerRole) -> String {
    milestone
        .owners
        .iter()
        .filter(|o| o.role == role)
        .map(|o| o.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/milestones.csv",
    tag = "milestones",
    summary = "The milestones as CSV",
    params(("id" = i64, Path, description = "id"), ("party" = Option<String>, Query, description = "party code"), ("action_line" = Option<i64>, Query, description = "action line id"), ("status" = Option<String>, Query, description = "status"), ("from" = Option<String>, Query, description = "due (deadline) on or after, YYYY-MM-DD"), ("to" = Option<String>, Query, description = "due (deadline) on or before, YYYY-MM-DD"), ("period" = Option<String>, Query, description = "due in 2025, 2025-Q3, 2025-H1 or 2025-07")),
    responses((status = 200, description = "the table as CSV", body = String, content_type = "text/csv"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn export_csv(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Response> {
    access::body(&state, &caller, body_id).await?;
    let milestones = query_milestones(&state, body_id, &query).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "actielijn",
        "onderwerp",
        "gereed",
        "vroegst",
        "uiterlijk",
        "precisie",
        "onzeker",
        "status",
        "trekker",
        "betrokken",
        "sleutel",
        "bron",
    ];
    let failed = |e: csv::Error| AppError::Internal(e.into());
    writer.write_record(header).map_err(failed)?;
    for m in &milestones {
        writer
            .write_record([
                m.id.to_string(),
                cell(m.action_line.as_deref().unwrap_or_default()),
                cell(&m.title),
                cell(&m.due.raw),
                m.due.earliest.clone().unwrap_or_default(),
                m.due.latest.clone().unwrap_or_default(),
                m.due.precision.clone(),
                if m.due.uncertain { "ja" } else { "nee" }.to_owned(),
                m.status.as_str().to_owned(),
                owners_of(m, OwnerRole::Lead),
                owners_of(m, OwnerRole::Contributor),
                cell(&m.natural_key),
                cell(m.source_ref.as_deref().unwrap_or_default()),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mijlpalen.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
