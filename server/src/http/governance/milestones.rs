//! Milestones: `/api/bodies/{id}/milestones`, `/api/milestones/{id}` and its `/status`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{manual_key, owners, query_milestones, ListQuery, OwnerInput};
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::milestone_status::{MilestoneStatus, StepError};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::governance::milestone_log::StatusChange;
use crate::storage::governance::milestones::{
    Due, Milestone, MilestoneChange, NewMilestone, StatusError, StatusStep,
};

/// Milestone routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(history, change_status))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CreateMilestone {
    title: String,
    #[serde(default)]
    description: String,
    due: String,
    action_line_id: Option<i64>,
    #[serde(default)]
    owners: Vec<OwnerInput>,
    status: Option<String>,
    source_ref: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateMilestone {
    title: Option<String>,
    description: Option<String>,
    action_line_id: Option<i64>,
    owners: Option<Vec<OwnerInput>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct StatusInput {
    status: String,
    reason: Option<String>,
    new_due: Option<String>,
    agreed_with: Option<String>,
}

/// A milestone with its history, notes and links.
type MilestoneDetail = crate::storage::governance::milestone_log::MilestoneDetail;

fn parse_due(field: &'static str, raw: &str) -> Result<Due> {
    let raw = validate::text(field, raw, 1, 200)?;
    Ok(Due::from_fuzzy(&fuzzy_date::parse(
        &raw,
        &ParseContext::default(),
    )))
}

async fn check_line(state: &AppState, body_id: i64, line: Option<i64>) -> Result<()> {
    if let Some(line) = line {
        let found = state.db.find_action_line(line).await?;
        if found.is_none_or(|l| l.body_id != body_id) {
            return Err(Invalid {
                field: "action_line_id",
                message: "no action line with this id in this body".into(),
            }
            .into());
        }
    }
    Ok(())
}

async fn detail(state: &AppState, id: i64) -> Result<MilestoneDetail> {
    state
        .db
        .milestone_detail(id)
        .await?
        .ok_or(AppError::NotFound)
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/milestones",
    tag = "milestones",
    summary = "A body's milestones by deadline; filter by party (collectives included), action line, status",
    params(("id" = i64, Path, description = "id"), ("party" = Option<String>, Query, description = "party code"), ("action_line" = Option<i64>, Query, description = "action line id"), ("status" = Option<String>, Query, description = "status"), Page),
    responses((status = 200, description = "the milestones", body = Paged<Milestone>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Paged<Milestone>>> {
    access::body(&state, &caller, body_id).await?;
    let page = query.page().checked()?;
    let items = query_milestones(&state, body_id, &query).await?;
    Ok(Json(Paged::slice(items, page)))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/milestones",
    tag = "milestones",
    summary = "Create a milestone with a fuzzy due date (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateMilestone,
    responses((status = 201, description = "the milestone", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateMilestone>,
) -> Result<(StatusCode, Json<MilestoneDetail>)> {
    access::body(&state, &caller, body_id).await?.steer()?;
    let title = validate::text("title", &input.title, 1, 500)?;
    let description = validate::text("description", &input.description, 0, 20_000)?;
    let due = parse_due("due", &input.due)?;
    check_line(&state, body_id, input.action_line_id).await?;
    let status = input
        .status
        .as_deref()
        .map(|s| MilestoneStatus::parse_field("status", s))
        .transpose()?
        .unwrap_or(MilestoneStatus::Gepland);
    if status == MilestoneStatus::Verschoven {
        return Err(Invalid {
            field: "status",
            message: "a new milestone cannot start as verschoven; create it and then reschedule it"
                .into(),
        }
        .into());
    }
    let source_ref = input
        .source_ref
        .map(|s| validate::text("source_ref", &s, 1, 300))
        .transpose()?;
    let owners = owners(&state, &input.owners).await?;
    let new = NewMilestone {
        body_id,
        action_line_id: input.action_line_id,
        title,
        description,
        due,
        status,
        natural_key: manual_key(),
        source_ref,
        owners,
        created_by: caller.identity.user_id,
    };
    let detail = state
        .db
        .create_milestone_by(&new, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}",
    tag = "milestones",
    summary = "One milestone with its history, notes and links",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the milestone", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<MilestoneDetail>> {
    access::milestone(&state, &caller, id).await?;
    Ok(Json(detail(&state, id).await?))
}

#[utoipa::path(
    patch,
    path = "/api/milestones/{id}",
    tag = "milestones",
    summary = "Change title, description, action line or owners (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdateMilestone,
    responses((status = 200, description = "the milestone", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdateMilestone>,
) -> Result<Json<MilestoneDetail>> {
    let (milestone, access) = access::milestone(&state, &caller, id).await?;
    access.steer()?;
    let title = match input.title {
        Some(t) => validate::text("title", &t, 1, 500)?,
        None => milestone.title.clone(),
    };
    let description = match input.description {
        Some(d) => validate::text("description", &d, 0, 20_000)?,
        None => milestone.description.clone(),
    };
    let line = input.action_line_id.or(milestone.action_line_id);
    check_line(&state, milestone.body_id, line).await?;
    let owners = match &input.owners {
        Some(list) => Some(owners(&state, list).await?),
        None => None,
    };
    let change = MilestoneChange {
        title: &title,
        description: &description,
        action_line_id: line,
        owners: owners.as_deref(),
    };
    state
        .db
        .update_milestone(id, &change, &audit_actor(&caller))
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// Whether the caller's party owns the milestone, directly or through a collective.
async fn owns(state: &AppState, caller: &Caller, milestone: &Milestone) -> Result<bool> {
    let Some(code) = caller.party() else {
        return Ok(false);
    };
    if milestone.owners.iter().any(|o| o.code == code) {
        return Ok(true);
    }
    for owner in &milestone.owners {
        let collective = state.db.find_party(owner.party_id).await?;
        if collective.is_some_and(|p| p.members.iter().any(|m| m == code)) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/status",
    tag = "milestones",
    summary = "Change the status (chair, secretariat, members of an owner party); verschoven needs new_due and reason",
    params(("id" = i64, Path, description = "id")),
    request_body = StatusInput,
    responses((status = 200, description = "the milestone", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<StatusInput>,
) -> Result<Json<MilestoneDetail>> {
    let (milestone, access) = access::milestone(&state, &caller, id).await?;
    caller.require_write_scope()?;
    let allowed = match access.role {
        Some(role) if role.can_steer() => true,
        Some(role) if role.can_write() => owns(&state, &caller, &milestone).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Forbidden(None));
    }
    let to = MilestoneStatus::parse_field("status", &input.status)?;
    let new_due = match input.new_due.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) if to == MilestoneStatus::Verschoven => Some(parse_due("new_due", raw)?),
        Some(_) => {
            return Err(Invalid {
                field: "new_due",
                message: "a new due date is only given when rescheduling (status verschoven)"
                    .into(),
            }
            .into())
        }
        None => None,
    };
    let reason = input
        .reason
        .map(|r| validate::text("reason", &r, 0, 4000))
        .transpose()?
        .filter(|r| !r.is_empty());
    let agreed_with = input
        .agreed_with
        .map(|a| validate::text("agreed_with", &a, 0, 200))
        .transpose()?
        .filter(|a| !a.is_empty());
    let step = StatusStep {
        to,
        reason,
        agreed_with,
        new_due,
        by: caller.identity.user_id,
    };
    match state
        .db
        .change_milestone_status_by(id, &step, &audit_actor(&caller))
        .await
    {
        Ok(detail) => Ok(Json(detail)),
        Err(StatusError::NotFound) => Err(AppError::NotFound),
        Err(StatusError::Step(StepError::Invalid(invalid))) => Err(invalid.into()),
        Err(StatusError::Step(other)) => Err(AppError::Conflict(other.to_string())),
        Err(StatusError::Storage(err)) => Err(err.into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/status",
    tag = "milestones",
    summary = "The status history",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the status changes, oldest first", body = Paged<StatusChange>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<StatusChange>>> {
    let page = page.checked()?;
    access::milestone(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.milestone_history(id).await?,
        page,
    )))
}
