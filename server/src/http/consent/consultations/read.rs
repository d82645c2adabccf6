//! One consultation and the version it is on, for the body's readers and the invitees. The
//! version route is the only way a guest reads any content.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{load, version_blocks, view};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{AppPath, AppQuery, Caller};
use crate::state::AppState;
use crate::storage::consent::consultations::Consultation;
use crate::versions;

/// `json` (default) or `html`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum VersionFormat {
    #[default]
    Json,
    Html,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VersionQuery {
    /// `json` (default) or `html`.
    #[serde(default)]
    #[param(inline)]
    format: VersionFormat,
}

#[utoipa::path(
    get,
    path = "/api/consultations/{id}",
    tag = "consultations",
    summary = "One consultation (body readers, and invitees with only their own invitation)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Consultation), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
pub(super) async fn show_consultation(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Consultation>> {
    let access = load(&state, &caller, id).await?;
    Ok(Json(view(&state, access).await?))
}

#[utoipa::path(
    get,
    path = "/api/consultations/{id}/version",
    tag = "consultations",
    summary = "The version consulted on, as JSON or HTML (body readers and invitees)",
    params(("id" = i64, Path, description = "id"), VersionQuery),
    responses((status = 200, description = "the version in the format asked for", content((Object = "application/json"), (String = "text/html"))), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 413, description = "the version is larger than the render limit", body = ApiErrorBody), (status = 503, description = "the server is busy rendering (see Retry-After) or the render took too long", body = ApiErrorBody))
)]
pub(super) async fn consultation_version(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<VersionQuery>,
) -> Result<Response> {
    let access = load(&state, &caller, id).await?;
    let consultation = access.consultation;
    let (info, _) = state
        .db
        .version_state(consultation.draft_id, consultation.version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let blocks = version_blocks(&state, &consultation).await?;
    Ok(match query.format {
        VersionFormat::Json => {
            Json(serde_json::json!({ "version": info, "blocks": blocks })).into_response()
        }
        VersionFormat::Html => {
            let title = format!("{} — {}", consultation.draft_title, info.name);
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                versions::to_html(&blocks, &title),
            )
                .into_response()
        }
    })
}
