//! `/api/drafts/{id}/follow` and `/api/milestones/{id}/follow`: following a draft or a
//! milestone, so its status changes reach the follower. Everyone who may read the thing
//! (observers and administrators too) may follow it; it is a person's own choice.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiErrorBody, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppPath, Caller};
use crate::state::AppState;
use crate::storage::events::FollowKind;

/// Follow routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(draft_state, follow_draft, unfollow_draft))
        .routes(routes!(
            milestone_state,
            follow_milestone,
            unfollow_milestone
        ))
}

/// Whether the caller follows the thing, and how many people do.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FollowState {
    /// Whether the caller follows it.
    following: bool,
    /// How many people follow it.
    followers: i64,
}

/// Checks that the caller may read the thing (`NotFound` otherwise).
async fn readable(state: &AppState, caller: &Caller, kind: FollowKind, id: i64) -> Result<()> {
    match kind {
        FollowKind::Draft => access::draft(state, caller, id).await.map(|_| ()),
        FollowKind::Milestone => access::milestone(state, caller, id).await.map(|_| ()),
    }
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    kind: FollowKind,
    id: i64,
) -> Result<Json<FollowState>> {
    let (following, followers) = state
        .db
        .follow_state(caller.identity.user_id, kind, id)
        .await?;
    Ok(Json(FollowState {
        following,
        followers,
    }))
}

async fn show(
    state: AppState,
    caller: Caller,
    kind: FollowKind,
    id: i64,
) -> Result<Json<FollowState>> {
    readable(&state, &caller, kind, id).await?;
    answer(&state, &caller, kind, id).await
}

async fn set(
    state: AppState,
    caller: Caller,
    kind: FollowKind,
    id: i64,
    follow: bool,
) -> Result<Json<FollowState>> {
    readable(&state, &caller, kind, id).await?;
    caller.require_write_scope()?;
    let person = caller.person_id()?;
    state
        .db
        .set_follow(person, kind, id, follow, &audit_actor(&caller))
        .await?;
    answer(&state, &caller, kind, id).await
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/follow",
    tag = "drafts",
    summary = "Whether I follow a draft, and how many people do",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn draft_state(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    show(state, caller, FollowKind::Draft, id).await
}

#[utoipa::path(
    put,
    path = "/api/drafts/{id}/follow",
    tag = "drafts",
    summary = "Follow a draft: its status changes reach me (everyone who reads it)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn follow_draft(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    set(state, caller, FollowKind::Draft, id, true).await
}

#[utoipa::path(
    delete,
    path = "/api/drafts/{id}/follow",
    tag = "drafts",
    summary = "Stop following a draft",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn unfollow_draft(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    set(state, caller, FollowKind::Draft, id, false).await
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/follow",
    tag = "milestones",
    summary = "Whether I follow a milestone, and how many people do",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn milestone_state(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    show(state, caller, FollowKind::Milestone, id).await
}

#[utoipa::path(
    put,
    path = "/api/milestones/{id}/follow",
    tag = "milestones",
    summary = "Follow a milestone: its status changes reach me (everyone who reads it)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn follow_milestone(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    set(state, caller, FollowKind::Milestone, id, true).await
}

#[utoipa::path(
    delete,
    path = "/api/milestones/{id}/follow",
    tag = "milestones",
    summary = "Stop following a milestone",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = FollowState), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn unfollow_milestone(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<FollowState>> {
    set(state, caller, FollowKind::Milestone, id, false).await
}
