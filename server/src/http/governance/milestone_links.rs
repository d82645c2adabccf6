//! `POST /api/milestones/{id}/occurrences`: generates a recurring duty's missing occurrences
//! (idempotent). The start, predecessor, lag and recurrence fields of the milestone create and
//! update routes are read by [`super::read_links`].

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::today;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppPath, AppQuery, Caller};
use crate::state::AppState;
use crate::storage::governance::recurrences::Generated;

/// Occurrence routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(generate))
}

/// `?today=` of a generation.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct GenerateQuery {
    /// YYYY-MM-DD: occurrences are made up to 12 months after it; default today.
    today: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/occurrences",
    tag = "milestones",
    summary = "Generate the missing occurrences of the recurring duty this milestone belongs to, up to its end or 12 months ahead (chair, secretariat); generating again adds nothing",
    params(("id" = i64, Path, description = "id"), GenerateQuery),
    responses((status = 200, description = "what was made", body = Generated), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<GenerateQuery>,
) -> Result<Json<Generated>> {
    let (_, standing) = access::milestone(&state, &caller, id).await?;
    standing.steer()?;
    let today = today(query.today.as_deref())?;
    let generated = state
        .db
        .generate_occurrences_by(id, today, &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(generated))
}
