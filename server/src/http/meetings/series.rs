//! Meeting series: `/api/bodies/{id}/meeting-series`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::kind;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::meetings::MeetingSeries;

/// Series routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create_series))
}

/// A new series.
#[derive(Deserialize, utoipa::ToSchema)]
struct CreateSeries {
    /// Name, unique in the body.
    name: String,
    /// One of the meeting kinds.
    kind: String,
    /// Other names (at most 20, each at most 100 characters).
    #[serde(default)]
    aliases: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/meeting-series",
    tag = "meetings",
    summary = "A body's meeting series",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the series", body = Paged<MeetingSeries>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<MeetingSeries>>> {
    access::body(&state, &caller, body_id).await?;
    let page = page.checked()?;
    Ok(Json(Paged::slice(
        state.db.list_meeting_series(body_id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/meeting-series",
    tag = "meetings",
    summary = "Create a meeting series (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateSeries,
    responses((status = 201, description = "the series", body = MeetingSeries), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "the body has a series of this name", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create_series(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateSeries>,
) -> Result<(StatusCode, Json<MeetingSeries>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let name = validate::text("name", &input.name, 1, 200)?;
    let kind = kind(&input.kind)?;
    if input.aliases.len() > 20 {
        return Err(Invalid {
            field: "aliases",
            message: "at most 20 aliases".into(),
        }
        .into());
    }
    let aliases = input
        .aliases
        .iter()
        .map(|a| validate::text("aliases", a, 1, 100))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let series = state
        .db
        .create_meeting_series(
            body_id,
            &name,
            kind,
            &aliases,
            caller.identity.user_id,
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(series)))
}
