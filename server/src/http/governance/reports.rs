//! Frozen progress reports: `/api/programme/reports` (freeze, list), `/{id}` (JSON, PDF, DOCX,
//! CSV) and `/compare?from=&to=`. The content is built by
//! [`crate::domain::progress_report`]; a frozen report is never changed (there is no update).
//!
//! # Access
//! - A body's report: its readers (members of every role, administrators) read it; its
//!   programme team (chair, secretariat) freezes it.
//! - A programme report (every body): read by administrators and by people who are members of
//!   every body it covers; frozen by administrators and by people who are chair or secretariat
//!   of every body.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::progress_report::{
    self, Comparison, ReportContent, ReportInput, ReportPeriod, Scope,
};
use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::http::render::render_blocking;
use crate::state::AppState;
use crate::storage::governance::reports::{NewReport, ReportSummary, StoredReport};
use crate::versions::dossier;

/// Report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, freeze))
        .routes(routes!(compare))
        .routes(routes!(one))
}

/// A frozen report with its content.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// The report's facts.
    #[serde(flatten)]
    pub summary: ReportSummary,
    /// The content as frozen (its canonical JSON is what `content_hash` hashes).
    pub content: ReportContent,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ReportFreezeInput)]
struct FreezeInput {
    /// `2026-Q3`, `2026-H1` or `2026`.
    period: String,
    /// The body; absent for a programme report (every body).
    body_id: Option<i64>,
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

#[derive(Deserialize)]
struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// Two reports and what changed between them.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ReportComparisonView)]
struct ComparisonView {
    from: ReportSummary,
    to: ReportSummary,
    changes: Comparison,
}

fn parse(stored: &StoredReport) -> Result<ReportContent> {
    serde_json::from_str(&stored.content).map_err(|e| AppError::Internal(e.into()))
}

/// Fails unless the caller may freeze a programme report.
async fn may_steer_programme(state: &AppState, caller: &Caller) -> Result<Vec<(i64, String)>> {
    caller.require_write_scope()?;
    let bodies = state.db.list_bodies(None).await?;
    if !caller.identity.is_admin {
        let person = caller.person_id()?;
        for body in &bodies {
            let steers = state
                .db
                .standing(body.id, Some(person))
                .await?
                .and_then(|s| s.role)
                .is_some_and(crate::domain::roles::BodyRole::can_steer);
            if !steers {
                return Err(AppError::refused(
                    "a programme report is frozen by an administrator or by someone who is \
                     chair or secretariat of every body; freeze a report of your own body instead",
                ));
            }
        }
    }
    Ok(bodies.into_iter().map(|b| (b.id, b.name)).collect())
}

/// Whether the caller may read a report; `readable` is the caller's bodies.
fn may_read(
    caller: &Caller,
    readable: &BTreeSet<i64>,
    summary: &ReportSummary,
    content: Option<&ReportContent>,
) -> bool {
    if caller.identity.is_admin {
        return true;
    }
    match (summary.body_id, content) {
        (Some(body), _) => readable.contains(&body),
        (None, Some(content)) => content.bodies.iter().all(|b| readable.contains(&b.body_id)),
        (None, None) => false,
    }
}

async fn readable(state: &AppState, caller: &Caller) -> Result<BTreeSet<i64>> {
    match caller.identity.user_id {
        Some(person) => Ok(state
            .db
            .readable_bodies(person)
            .await?
            .into_iter()
            .collect()),
        None => Ok(BTreeSet::new()),
    }
}

/// Loads a report the caller may read; 404 otherwise.
async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<ReportView> {
    let stored = state.db.find_report(id).await?.ok_or(AppError::NotFound)?;
    let content = parse(&stored)?;
    if let Some(body) = stored.summary.body_id {
        access::body(state, caller, body).await?;
    } else if !may_read(
        caller,
        &readable(state, caller).await?,
        &stored.summary,
        Some(&content),
    ) {
        return Err(AppError::NotFound);
    }
    Ok(ReportView {
        summary: stored.summary,
        content,
    })
}

#[utoipa::path(
    post,
    path = "/api/programme/reports",
    tag = "reports",
    summary = "Freeze a progress report for a period (a body's chair or secretariat; for the programme, administrators)",
    request_body = FreezeInput,
    responses((status = 201, description = "the frozen report", body = ReportView), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "another report of the scope was frozen meanwhile", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn freeze(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<FreezeInput>,
) -> Result<(StatusCode, Json<ReportView>)> {
    let bodies: Vec<(i64, String)> = match input.body_id {
        Some(body_id) => {
            access::body(&state, &caller, body_id).await?.steer()?;
            let body = state
                .db
                .find_body(body_id)
                .await?
                .ok_or(AppError::NotFound)?;
            vec![(body.id, body.name)]
        }
        None => may_steer_programme(&state, &caller).await?,
    };
    let period = ReportPeriod::parse(&input.period)?;
    let mut milestones = Vec::new();
    let mut changes = Vec::new();
    for (body_id, _) in &bodies {
        let (m, c) = state.db.report_inputs(*body_id).await?;
        milestones.extend(m);
        changes.extend(c);
        if milestones.len() > progress_report::MAX_MILESTONES {
            return Err(AppError::TooLarge(format!(
                "the programme has more than {} milestones, more than one report holds; \
                 freeze a report per body instead",
                progress_report::MAX_MILESTONES
            )));
        }
    }
    let previous = state.db.latest_report(input.body_id).await?;
    let previous_content = previous.as_ref().map(parse).transpose()?;
    let previous_id = previous.as_ref().map(|p| p.summary.id);
    let content = progress_report::build(&ReportInput {
        period: &period,
        scope: Scope {
            kind: if input.body_id.is_some() {
                "body"
            } else {
                "programme"
            }
            .into(),
            body_id: input.body_id,
        },
        today: crate::domain::dutch_time::today(),
        bodies: &bodies,
        milestones: &milestones,
        changes: &changes,
        previous: previous_id.zip(previous_content.as_ref()),
    });
    let (text, hash) =
        progress_report::canonical(&content).map_err(|e| AppError::Internal(e.into()))?;
    let id = state
        .db
        .freeze_report(
            &NewReport {
                body_id: input.body_id,
                period: &period.name,
                content: &text,
                content_hash: &hash,
                previous_id,
                frozen_by: caller.identity.user_id,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(load(&state, &caller, id).await?)))
}

#[utoipa::path(
    get,
    path = "/api/programme/reports",
    tag = "reports",
    summary = "Frozen progress reports the caller may read, newest first",
    params(Page),
    responses((status = 200, description = "the reports", body = Paged<ReportSummary>), (status = 401, description = "not signed in", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<ReportSummary>>> {
    let page = page.checked()?;
    let readable = readable(&state, &caller).await?;
    let mut out = Vec::new();
    for summary in state.db.list_reports().await? {
        let content = match summary.body_id {
            None if !caller.identity.is_admin => match state.db.find_report(summary.id).await? {
                Some(stored) => Some(parse(&stored)?),
                None => None,
            },
            _ => None,
        };
        if may_read(&caller, &readable, &summary, content.as_ref()) {
            out.push(summary);
        }
    }
    Ok(Json(Paged::slice(out, page)))
}

#[utoipa::path(
    get,
    path = "/api/programme/reports/{id}",
    tag = "reports",
    summary = "One frozen report: JSON, or ?format=pdf, docx or csv",
    params(("id" = i64, Path, description = "id"), ("format" = Option<String>, Query, description = "json (default), pdf, docx or csv")),
    responses((status = 200, description = "the report as JSON, or with ?format= a PDF, DOCX or CSV file", body = ReportView), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "unknown format", body = ApiErrorBody))
)]
async fn one(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<FormatQuery>,
) -> Result<Response> {
    let view = load(&state, &caller, id).await?;
    let name = format!("voortgangsrapportage-{}-{id}", view.content.period);
    let file = |bytes: Vec<u8>, media: &'static str, ext: &str| {
        (
            [
                (header::CONTENT_TYPE, media.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.{ext}\""),
                ),
            ],
            bytes,
        )
            .into_response()
    };
    match query.format.as_deref().map(str::trim).unwrap_or("json") {
        "" | "json" => Ok(Json(view).into_response()),
        "csv" => Ok(file(
            crate::versions::progress_report::csv(&view.content)
                .map_err(|e| AppError::Internal(e.into()))?,
            "text/csv; charset=utf-8",
            "csv",
        )),
        "pdf" => {
            let blocks = crate::versions::progress_report::blocks(
                view.summary.body_name.as_deref(),
                view.summary.frozen_at,
                &view.summary.content_hash,
                &view.content,
            );
            let bytes = render_blocking(&state, move || Ok(dossier::pdf::render(&blocks)?)).await?;
            Ok(file(bytes, "application/pdf", "pdf"))
        }
        "docx" => {
            let blocks = crate::versions::progress_report::blocks(
                view.summary.body_name.as_deref(),
                view.summary.frozen_at,
                &view.summary.content_hash,
                &view.content,
            );
            let bytes = render_blocking(&state, move || {
                dossier::docx::render(&blocks).map_err(|e| AppError::Internal(e.into()))
            })
            .await?;
            Ok(file(
                bytes,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ))
        }
        _ => Err(Invalid {
            field: "format",
            message: "must be json, pdf, docx or csv".into(),
        }
        .into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/programme/reports/compare",
    tag = "reports",
    summary = "What changed between two frozen reports: milestones added, removed, status changed, date moved",
    params(("from" = i64, Query, description = "the earlier report"), ("to" = i64, Query, description = "the later report")),
    responses((status = 200, description = "the changes", body = ComparisonView), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<CompareQuery>,
) -> Result<Json<ComparisonView>> {
    let need = |field: &'static str, v: Option<i64>| {
        v.ok_or_else(|| {
            AppError::from(Invalid {
                field,
                message: "must be the id of a frozen report".into(),
            })
        })
    };
    let from = load(&state, &caller, need("from", query.from)?).await?;
    let to = load(&state, &caller, need("to", query.to)?).await?;
    let changes = progress_report::compare(&from.content, &to.content);
    Ok(Json(ComparisonView {
        from: from.summary,
        to: to.summary,
        changes,
    }))
}
