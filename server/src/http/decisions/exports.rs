//! The decision register as CSV and as a PDF list: `/api/bodies/{id}/decisions.{csv,pdf}` and
//! `/api/decisions.{csv,pdf}`, with the register's filters and access (see [`super`]). The
//! rows and the list are IO-free (`domain::decision`, `versions::register`); the PDF is
//! rendered on the blocking pool within the render bounds.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{filter, scope, RegisterQuery};
use crate::domain::decision::{csv_row, Decision, CSV_HEADER, MAX_EXPORT_ROWS};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{AppPath, AppQuery, Caller};
use crate::http::render::render_blocking;
use crate::state::AppState;
use crate::storage::decisions::register::Scope;

/// The export routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(body_csv))
        .routes(routes!(body_pdf))
        .routes(routes!(programme_csv))
        .routes(routes!(programme_pdf))
}

/// The decisions of the filter (at most [`MAX_EXPORT_ROWS`]) and the list's title.
async fn load(
    state: &AppState,
    caller: &Caller,
    body: Option<i64>,
    query: &RegisterQuery,
) -> Result<(Vec<Decision>, String)> {
    let (scope, title) = match body {
        Some(id) => {
            access::body(state, caller, id).await?;
            let name = state
                .db
                .find_body(id)
                .await?
                .map_or_else(String::new, |b| b.name);
            (Scope::All, format!("Besluitenlijst {name}"))
        }
        None => (
            scope(state, caller).await?,
            "Besluitenlijst programma".to_owned(),
        ),
    };
    let (filter, party) = filter(state, query, body).await?;
    let (decisions, _) = state
        .db
        .list_decisions(&scope, &filter, party, (0, MAX_EXPORT_ROWS))
        .await?;
    Ok((decisions, title))
}

fn csv(decisions: &[Decision]) -> Result<Response> {
    let failed = |e: csv::Error| AppError::Internal(e.into());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(failed)?;
    for decision in decisions {
        writer.write_record(csv_row(decision)).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"besluiten.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn pdf(state: &AppState, decisions: Vec<Decision>, title: String) -> Result<Response> {
    let bytes = render_blocking(state, move || {
        Ok(crate::versions::dossier::pdf::render(
            &crate::versions::register::blocks(&title, &decisions),
        )?)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"besluiten.pdf\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/decisions.csv",
    tag = "decisions",
    summary = "A body's decision register as CSV (body readers)",
    params(("id" = i64, Path, description = "the body"), RegisterQuery),
    responses((status = 200, description = "the register as CSV", body = String, content_type = "text/csv"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn body_csv(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Response> {
    let (decisions, _) = load(&state, &caller, Some(id), &query).await?;
    csv(&decisions)
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/decisions.pdf",
    tag = "decisions",
    summary = "A body's decision register as a PDF list (body readers)",
    params(("id" = i64, Path, description = "the body"), RegisterQuery),
    responses((status = 200, description = "the register as PDF", body = Vec<u8>, content_type = "application/pdf"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn body_pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Response> {
    let (decisions, title) = load(&state, &caller, Some(id), &query).await?;
    pdf(&state, decisions, title).await
}

#[utoipa::path(
    get,
    path = "/api/decisions.csv",
    tag = "decisions",
    summary = "The programme's decision register as CSV",
    params(RegisterQuery),
    responses((status = 200, description = "the register as CSV", body = String, content_type = "text/csv"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn programme_csv(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Response> {
    let (decisions, _) = load(&state, &caller, None, &query).await?;
    csv(&decisions)
}

#[utoipa::path(
    get,
    path = "/api/decisions.pdf",
    tag = "decisions",
    summary = "The programme's decision register as a PDF list",
    params(RegisterQuery),
    responses((status = 200, description = "the register as PDF", body = Vec<u8>, content_type = "application/pdf"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn programme_pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Response> {
    let (decisions, title) = load(&state, &caller, None, &query).await?;
    pdf(&state, decisions, title).await
}
