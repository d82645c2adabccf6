//! Action lines: `/api/bodies/{id}/action-lines`, `/api/action-lines/{id}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{manual_key, owners, OwnerInput};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::governance::action_lines::{ActionLine, ActionLineChange, NewActionLine};
use crate::storage::governance::milestones::{Milestone, MilestoneFilter};

/// Action-line routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_lines, create_line))
        .routes(routes!(show_line, update_line))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CreateLine {
    title: String,
    #[serde(default)]
    description: String,
    number: Option<String>,
    #[serde(default)]
    owners: Vec<OwnerInput>,
}

/// A change to an action line; what is left out stays. An empty `number` removes it; `owners`
/// replaces the owner parties.
#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateLine {
    title: Option<String>,
    description: Option<String>,
    number: Option<String>,
    owners: Option<Vec<OwnerInput>>,
    /// The action line of the same body this one follows; `null` removes the link.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<i64>)]
    follows_action_line_id: Option<Option<i64>>,
}

#[derive(Serialize)]
struct LineDetail {
    #[serde(flatten)]
    action_line: ActionLine,
    milestones: Vec<Milestone>,
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/action-lines",
    tag = "milestones",
    summary = "A body's action lines",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the action lines", body = Paged<ActionLine>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list_lines(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<ActionLine>>> {
    access::body(&state, &caller, body_id).await?;
    let page = page.checked()?;
    Ok(Json(Paged::slice(
        state.db.list_action_lines(body_id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/action-lines",
    tag = "milestones",
    summary = "Create an action line (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateLine,
    responses((status = 201, description = "the action line", body = ActionLine), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create_line(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateLine>,
) -> Result<(StatusCode, Json<ActionLine>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let title = validate::text("title", &input.title, 1, 300)?;
    let description = validate::text("description", &input.description, 0, 20_000)?;
    let number = input
        .number
        .map(|n| validate::text("number", &n, 1, 20))
        .transpose()?;
    let owners = owners(&state, &input.owners).await?;
    let new = NewActionLine {
        body_id,
        parent_id: None,
        number,
        title,
        description,
        natural_key: manual_key(),
        owners,
        created_by: caller.identity.user_id,
    };
    let line = state
        .db
        .create_action_line_by(&new, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(line)))
}

#[utoipa::path(
    get,
    path = "/api/action-lines/{id}",
    tag = "milestones",
    summary = "One action line with its milestones",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the action line", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show_line(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<LineDetail>> {
    let (line, _) = access::action_line(&state, &caller, id).await?;
    let filter = MilestoneFilter {
        party_id: None,
        action_line_id: Some(id),
    };
    let milestones = state.db.list_milestones(line.body_id, filter).await?;
    Ok(Json(LineDetail {
        action_line: line,
        milestones,
    }))
}

#[utoipa::path(
    patch,
    path = "/api/action-lines/{id}",
    tag = "milestones",
    summary = "Change an action line's number, title, description or owners (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdateLine,
    responses((status = 200, description = "the action line", body = ActionLine), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update_line(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdateLine>,
) -> Result<Json<ActionLine>> {
    let (line, access) = access::action_line(&state, &caller, id).await?;
    access.steer()?;
    let title = match input.title {
        Some(t) => validate::text("title", &t, 1, 300)?,
        None => line.title.clone(),
    };
    let description = match input.description {
        Some(d) => validate::text("description", &d, 0, 20_000)?,
        None => line.description.clone(),
    };
    let number = match input.number {
        Some(n) => Some(validate::text("number", &n, 0, 20)?).filter(|n| !n.is_empty()),
        None => line.number.clone(),
    };
    let owners = match &input.owners {
        Some(list) => Some(owners(&state, list).await?),
        None => None,
    };
    if let Some(Some(follows)) = input.follows_action_line_id {
        let found = state.db.find_action_line(follows).await?;
        let field = "follows_action_line_id";
        if found.is_none_or(|l| l.body_id != line.body_id) {
            return Err(Invalid {
                field,
                message: "no action line with this id in this body".into(),
            }
            .into());
        }
        if state.db.action_line_would_cycle(id, follows).await? {
            return Err(Invalid {
                field,
                message: "this action line cannot follow that one: it would follow itself through the chain (a cycle)".into(),
            }
            .into());
        }
    }
    let change = ActionLineChange {
        number: number.as_deref(),
        title: &title,
        description: &description,
        owners: owners.as_deref(),
        follows: input.follows_action_line_id,
    };
    state
        .db
        .update_action_line(id, &change, &audit_actor(&caller))
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}
