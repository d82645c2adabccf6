//! `/api/disputes/{id}/dossier.{md,pdf,docx}`: the dispute's record as one document for the
//! meeting of the next body. The document and its writers are IO-free, in
//! [`crate::versions::dossier`]; these routes check access, load the record and run the
//! writer on the blocking pool within the render bounds of [`crate::http::render`].

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{AppPath, Caller};
use crate::http::render::render_blocking;
use crate::state::AppState;
use crate::storage::escalation::dossier::Dossier;
use crate::versions::dossier as export;

/// The dossier routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(markdown))
        .routes(routes!(pdf))
        .routes(routes!(docx))
}

async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<Dossier> {
    crate::http::access::dispute(state, caller, id).await?;
    state.db.dossier(id).await?.ok_or(AppError::NotFound)
}

fn file(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.md",
    tag = "disputes",
    summary = "The dispute's dossier as Markdown",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = String, content_type = "text/markdown"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn markdown(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || {
        Ok(export::to_markdown(&dossier).into_bytes())
    })
    .await?;
    Ok(file(
        bytes,
        "text/markdown; charset=utf-8",
        format!("dossier-{id}.md"),
    ))
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.pdf",
    tag = "disputes",
    summary = "The dispute's dossier as PDF",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = Vec<u8>, content_type = "application/pdf"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || {
        Ok(export::pdf::render(&export::blocks(&dossier))?)
    })
    .await?;
    Ok(file(bytes, "application/pdf", format!("dossier-{id}.pdf")))
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}/dossier.docx",
    tag = "disputes",
    summary = "The dispute's dossier as a Word document",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
async fn docx(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Response> {
    let dossier = load(&state, &caller, id).await?;
    let bytes = render_blocking(&state, move || {
        export::docx::render(&export::blocks(&dossier))
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
    })
    .await?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        format!("dossier-{id}.docx"),
    ))
}
