//! `/api/bodies/{id}/decisions`, `/api/decisions` and `/api/decisions/{id}`: a body's register,
//! the programme register and one decision. Access rules: see [`super`].

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{filter, scope, RegisterQuery};
use crate::domain::decision::Decision;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{AppPath, AppQuery, Caller, Paged};
use crate::state::AppState;
use crate::storage::decisions::register::Scope;

/// The register routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(body_register))
        .routes(routes!(programme_register))
        .routes(routes!(show_decision))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/decisions",
    tag = "decisions",
    summary = "A body's decision register, newest first (body readers)",
    params(("id" = i64, Path, description = "the body"), RegisterQuery),
    responses((status = 200, description = "the decisions", body = Paged<Decision>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn body_register(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Json<Paged<Decision>>> {
    access::body(&state, &caller, id).await?;
    let page = query.page()?;
    let (filter, party) = filter(&state, &query, Some(id)).await?;
    let (items, total) = state
        .db
        .list_decisions(&Scope::All, &filter, party, (page.offset, page.limit))
        .await?;
    Ok(Json(Paged::new(items, total, page)))
}

#[utoipa::path(
    get,
    path = "/api/decisions",
    tag = "decisions",
    summary = "The programme's decision register: every body the caller may read, and the answers to their bodies' requests",
    params(RegisterQuery),
    responses((status = 200, description = "the decisions", body = Paged<Decision>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn programme_register(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<RegisterQuery>,
) -> Result<Json<Paged<Decision>>> {
    let page = query.page()?;
    let (filter, party) = filter(&state, &query, None).await?;
    let scope = scope(&state, &caller).await?;
    let (items, total) = state
        .db
        .list_decisions(&scope, &filter, party, (page.offset, page.limit))
        .await?;
    Ok(Json(Paged::new(items, total, page)))
}

#[utoipa::path(
    get,
    path = "/api/decisions/{id}",
    tag = "decisions",
    summary = "One decision (readers of its body, or of the body whose request it answers)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the decision", body = Decision), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show_decision(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Decision>> {
    let (decision, requesting) = state
        .db
        .find_decision(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if access::body(&state, &caller, decision.body_id)
        .await
        .is_ok()
    {
        return Ok(Json(decision));
    }
    match requesting {
        Some(body) => {
            access::body(&state, &caller, body).await?;
            Ok(Json(decision))
        }
        None => Err(AppError::NotFound),
    }
}
