//! Milestones: `/api/bodies/{id}/milestones`, `/api/milestones/{id}` and its `/status`, and
//! `/api/due-dates/parse`, which reads a due date as a form shows it while it is typed.
//!
//! A milestone's answer carries its next reminder and the day an overdue dispute would open,
//! computed with the scheduler's rules from the current due date and the moment it began to
//! hold (creation, the last rescheduling or correction), so both follow a new date at once.
//!
//! Two ways change a due date: a **rescheduling** (`verschoven` through `/status`, with the
//! reason and with whom it was agreed) is a new agreement; a **correction** (`due` in the
//! PATCH, chair and secretariat) fixes how the date was recorded, keeps the status and is kept
//! in the history as `kind: correction`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    manual_key, owners, present, query_milestones, read_links, today, LinkFields, ListQuery,
    OwnerInput,
};
use crate::domain::calendar::HolidayRules;
use crate::domain::escalation::overdue_dispute_day;
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::milestone_status::{MilestoneStatus, StepError};
use crate::domain::reminders::{next_stage, DEFAULT_DAYS_BEFORE};
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
        .routes(routes!(parse_due_date))
}

/// A new milestone. `due` may be left out when it `follows` another: its due date is then the
/// predecessor's deadline plus the lag. `recurrence` ("elk kwartaal") makes it the first
/// occurrence of a recurring duty, counted from its deadline until `recurrence_until`.
#[derive(Deserialize, utoipa::ToSchema)]
struct CreateMilestone {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due: String,
    start: Option<String>,
    follows: Option<i64>,
    lag_days: Option<i64>,
    lag_weeks: Option<i64>,
    recurrence: Option<String>,
    recurrence_until: Option<String>,
    action_line_id: Option<i64>,
    #[serde(default)]
    owners: Vec<OwnerInput>,
    status: Option<String>,
    source_ref: Option<String>,
}

/// A change to a milestone; what is left out stays. `due` corrects the date as recorded
/// (`due_reason` says why); an empty `source_ref` removes it.
#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateMilestone {
    title: Option<String>,
    description: Option<String>,
    action_line_id: Option<i64>,
    owners: Option<Vec<OwnerInput>>,
    due: Option<String>,
    due_reason: Option<String>,
    source_ref: Option<String>,
    /// The start; empty removes it.
    start: Option<String>,
    /// The milestone this one follows; `null` removes the link.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    follows: Option<Option<i64>>,
    lag_days: Option<i64>,
    lag_weeks: Option<i64>,
    recurrence: Option<String>,
    recurrence_until: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct StatusInput {
    status: String,
    reason: Option<String>,
    new_due: Option<String>,
    agreed_with: Option<String>,
}

/// A milestone with its history, notes and links, as stored.
type StoredDetail = crate::storage::governance::milestone_log::MilestoneDetail;

/// A milestone with its history, notes and links, and what the scheduler will do next.
#[derive(Serialize)]
struct MilestoneDetail {
    #[serde(flatten)]
    detail: StoredDetail,
    /// The next reminder, while the milestone is open and has a deadline.
    next_reminder: Option<NextReminder>,
    /// The day an overdue milestone opens a dispute by itself, when the body's ladder does so.
    overdue_dispute_on: Option<String>,
}

/// A reminder the scheduler will send.
#[derive(Serialize, utoipa::ToSchema)]
struct NextReminder {
    /// `d-14`, `d-7`, `d-1` (working days before), `d0` (on the day), `overdue-N` (weekly).
    stage: String,
    /// The day, `YYYY-MM-DD`.
    on: String,
}

/// `?today=` of a milestone's answer.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ShowQuery {
    /// YYYY-MM-DD; default the server's date.
    today: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ParseQuery {
    /// The due date as written: `Q3 2025`, `medio 2025`, `1-7-2023`, `?`.
    text: String,
}

/// Adds the next reminder and the overdue-dispute day to a stored detail, by the rules the
/// scheduler plans with (`domain::reminders`, `domain::escalation`).
async fn answer(
    state: &AppState,
    detail: StoredDetail,
    today: NaiveDate,
) -> Result<MilestoneDetail> {
    let milestone = &detail.milestone;
    let due = milestone
        .due
        .latest_date()
        .filter(|_| milestone.status.is_open());
    let (mut next_reminder, mut overdue_dispute_on) = (None, None);
    if let Some(due) = due {
        let moved = detail
            .history
            .iter()
            .filter(|c| c.new_due_latest.is_some())
            .map(|c| c.at)
            .max();
        let series_start = crate::domain::dutch_time::date_of_millis(
            moved.map_or(milestone.created_at, |m| m.max(milestone.created_at)),
        );
        let rules = HolidayRules::default();
        next_reminder = next_stage(due, &DEFAULT_DAYS_BEFORE, series_start, today, &rules).map(
            |(stage, day)| NextReminder {
                stage: stage.key(),
                on: day.to_string(),
            },
        );
        let ladder = state.db.ladder_settings(milestone.body_id).await?;
        let day = overdue_dispute_day(due, ladder.overdue_margin_days, &rules);
        if ladder.auto_dispute && day >= series_start {
            overdue_dispute_on = Some(day.to_string());
        }
    }
    Ok(MilestoneDetail {
        detail,
        next_reminder,
        overdue_dispute_on,
    })
}

async fn answer_now(state: &AppState, detail: StoredDetail) -> Result<Json<MilestoneDetail>> {
    Ok(Json(answer(state, detail, today(None)?).await?))
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

async fn detail(state: &AppState, id: i64) -> Result<StoredDetail> {
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
    summary = "A body's milestones by deadline; filter by party (collectives included), action line, status, period",
    params(("id" = i64, Path, description = "id"), ("party" = Option<String>, Query, description = "party code"), ("action_line" = Option<i64>, Query, description = "action line id"), ("status" = Option<String>, Query, description = "status"), ("from" = Option<String>, Query, description = "due (deadline) on or after, YYYY-MM-DD"), ("to" = Option<String>, Query, description = "due (deadline) on or before, YYYY-MM-DD"), ("period" = Option<String>, Query, description = "due in 2025, 2025-Q3, 2025-H1 or 2025-07"), Page),
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
    let due = if input.due.trim().is_empty() && input.follows.is_some() {
        parse_due("due", "?")?
    } else if input.due.trim().is_empty() {
        return Err(Invalid {
            field: "due",
            message: "give a due date (e.g. \"Q3 2026\"), or the milestone it follows".into(),
        }
        .into());
    } else {
        parse_due("due", &input.due)?
    };
    check_line(&state, body_id, input.action_line_id).await?;
    let fields = LinkFields {
        start: input.start,
        follows: input.follows.map(Some),
        lag_days: input.lag_days,
        lag_weeks: input.lag_weeks,
        recurrence: input.recurrence,
        recurrence_until: input.recurrence_until,
    };
    let links = read_links(&state, &caller, body_id, None, fields).await?;
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
        .create_milestone_linked_by(&new, &links, today(None)?, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, answer_now(&state, detail).await?))
}

#[utoipa::path(
    get,
    path = "/api/milestones/{id}",
    tag = "milestones",
    summary = "One milestone with its history, notes, links, next reminder and overdue-dispute day",
    params(("id" = i64, Path, description = "id"), ShowQuery),
    responses((status = 200, description = "the milestone", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<ShowQuery>,
) -> Result<Json<MilestoneDetail>> {
    access::milestone(&state, &caller, id).await?;
    let today = today(query.today.as_deref())?;
    let detail = detail(&state, id).await?;
    Ok(Json(answer(&state, detail, today).await?))
}

#[utoipa::path(
    patch,
    path = "/api/milestones/{id}",
    tag = "milestones",
    summary = "Change title, description, source, action line or owners, or correct the due date (chair, secretariat)",
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
    let source_ref = match input.source_ref {
        Some(s) => Some(validate::text("source_ref", &s, 0, 300)?).filter(|s| !s.is_empty()),
        None => milestone.source_ref.clone(),
    };
    let due = input
        .due
        .as_deref()
        .map(|raw| parse_due("due", raw))
        .transpose()?;
    let due_reason = input
        .due_reason
        .map(|r| validate::text("due_reason", &r, 0, 4000))
        .transpose()?
        .filter(|r| !r.is_empty());
    let line = input.action_line_id.or(milestone.action_line_id);
    check_line(&state, milestone.body_id, line).await?;
    let owners = match &input.owners {
        Some(list) => Some(owners(&state, list).await?),
        None => None,
    };
    let fields = LinkFields {
        start: input.start,
        follows: input.follows,
        lag_days: input.lag_days,
        lag_weeks: input.lag_weeks,
        recurrence: input.recurrence,
        recurrence_until: input.recurrence_until,
    };
    let links = read_links(&state, &caller, milestone.body_id, Some(id), fields).await?;
    let change = MilestoneChange {
        title: &title,
        description: &description,
        source_ref: source_ref.as_deref(),
        action_line_id: line,
        owners: owners.as_deref(),
        due_correction: due.as_ref().map(|d| (d, due_reason.as_deref())),
        by: caller.identity.user_id,
    };
    let detail = state
        .db
        .update_milestone_linked_by(id, &change, &links, today(None)?, &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    answer_now(&state, detail).await
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
        Ok(detail) => answer_now(&state, detail).await,
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

#[utoipa::path(
    get,
    path = "/api/due-dates/parse",
    tag = "milestones",
    summary = "How a due date as written is read: its window, precision and uncertainty",
    params(ParseQuery),
    responses((status = 200, description = "the date as it would be stored", body = Due), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn parse_due_date(
    _caller: Caller,
    AppQuery(query): AppQuery<ParseQuery>,
) -> Result<Json<Due>> {
    Ok(Json(parse_due("text", &query.text)?))
}
