//! Action lines and milestones: `/api/bodies/{id}/action-lines`, `/api/action-lines/{id}`,
//! `/api/bodies/{id}/milestones`, `/api/milestones/{id}` with `/status`, `/notes`, `/links`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{party_id, query_milestones, ListQuery};
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::milestone_status::{MilestoneStatus, StepError};
use crate::domain::owner_role::OwnerRole;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::governance::action_lines::{ActionLine, NewActionLine};
use crate::storage::governance::milestone_log::{Link, NewLink, Note, StatusChange};
use crate::storage::governance::milestones::{
    Due, Milestone, MilestoneChange, MilestoneFilter, NewMilestone, StatusError, StatusStep,
};

/// Action-line and milestone routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_lines, create_line))
        .routes(routes!(show_line))
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(history, change_status))
        .routes(routes!(notes, add_note))
        .routes(routes!(links, add_link))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OwnerInput {
    party: String,
    #[serde(default = "lead")]
    role: String,
}

fn lead() -> String {
    "lead".into()
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

// named apart from the dispute's `NoteInput`: one schema name per document
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = MilestoneNoteInput)]
struct NoteInput {
    body: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LinkInput {
    draft_id: Option<i64>,
    comment_id: Option<i64>,
    anchor: Option<String>,
    decision_text: Option<String>,
}

/// A milestone with its history, notes and links.
type MilestoneDetail = crate::storage::governance::milestone_log::MilestoneDetail;

#[derive(Serialize)]
struct LineDetail {
    #[serde(flatten)]
    action_line: ActionLine,
    milestones: Vec<Milestone>,
}

async fn owners(state: &AppState, input: &[OwnerInput]) -> Result<Vec<(i64, OwnerRole)>> {
    let mut out: Vec<(i64, OwnerRole)> = Vec::with_capacity(input.len());
    for owner in input {
        let Some(role) = OwnerRole::parse(owner.role.trim()) else {
            return Err(Invalid {
                field: "owners",
                message: format!(
                    "unknown owner role {:?}; use lead or contributor",
                    owner.role.trim()
                ),
            }
            .into());
        };
        let id = party_id(state, "owners", &owner.party).await?;
        if out.iter().any(|(p, _)| *p == id) {
            return Err(Invalid {
                field: "owners",
                message: format!("{} is listed twice", owner.party),
            }
            .into());
        }
        out.push((id, role));
    }
    Ok(out)
}

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

fn manual_key() -> String {
    format!("manual/{:016x}", rand::thread_rng().gen::<u64>())
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
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the status changes, oldest first", body = Vec<StatusChange>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<StatusChange>>> {
    access::milestone(&state, &caller, id).await?;
    Ok(Json(state.db.milestone_history(id).await?))
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/notes",
    tag = "milestones",
    summary = "Progress notes",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the notes", body = Vec<Note>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn notes(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Note>>> {
    access::milestone(&state, &caller, id).await?;
    Ok(Json(state.db.milestone_notes(id).await?))
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/notes",
    tag = "milestones",
    summary = "Add a progress note (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = NoteInput,
    responses((status = 201, description = "the notes", body = Vec<Note>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<(StatusCode, Json<Vec<Note>>)> {
    access::milestone(&state, &caller, id).await?.1.write()?;
    let body = validate::text("body", &input.body, 1, 10_000)?;
    let notes = state
        .db
        .add_milestone_note(id, caller.identity.user_id, &body, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(notes)))
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}/links",
    tag = "milestones",
    summary = "Links to the advice passage or decision",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the links", body = Vec<Link>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn links(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Link>>> {
    access::milestone(&state, &caller, id).await?;
    Ok(Json(state.db.milestone_links(id).await?))
}

#[utoipa::path(
    post,
    path = "/api/milestones/{id}/links",
    tag = "milestones",
    summary = "Link a draft passage or a decision (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = LinkInput,
    responses((status = 201, description = "the links", body = Vec<Link>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn add_link(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<LinkInput>,
) -> Result<(StatusCode, Json<Vec<Link>>)> {
    let (milestone, access) = access::milestone(&state, &caller, id).await?;
    access.steer()?;
    let decision_text = input
        .decision_text
        .map(|t| validate::text("decision_text", &t, 1, 20_000))
        .transpose()?;
    let anchor = input
        .anchor
        .map(|a| validate::text("anchor", &a, 1, 2000))
        .transpose()?;
    if input.draft_id.is_none() && decision_text.is_none() {
        return Err(Invalid {
            field: "draft_id",
            message: "give the advice draft (draft_id, optionally comment_id or anchor) or the decision_text".into(),
        }
        .into());
    }
    if let Some(draft_id) = input.draft_id {
        let draft = state.db.find_draft(draft_id).await?;
        if draft.is_none_or(|d| d.body_id != milestone.body_id) {
            return Err(Invalid {
                field: "draft_id",
                message: "no advice draft with this id in this body".into(),
            }
            .into());
        }
        if let Some(comment) = input.comment_id {
            if state.db.find_comment(draft_id, comment).await?.is_none() {
                return Err(Invalid {
                    field: "comment_id",
                    message: "no comment with this id in that draft".into(),
                }
                .into());
            }
        }
    } else if input.comment_id.is_some() || anchor.is_some() {
        return Err(Invalid {
            field: "draft_id",
            message: "a comment or anchor needs the draft it is in".into(),
        }
        .into());
    }
    let link = NewLink {
        draft_id: input.draft_id,
        comment_id: input.comment_id,
        anchor,
        decision_text,
    };
    let links = state
        .db
        .add_milestone_link(id, &link, caller.identity.user_id, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(links)))
}
