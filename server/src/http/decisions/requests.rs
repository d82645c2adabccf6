//! `/api/bodies/{id}/decision-requests` and `/api/decision-requests/{id}…`: put a question to a
//! body, change or withdraw it, and record the body's outcome. Access rules: see [`super`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{readable, steers, stored};
use crate::domain::decision::{
    self, Decision, RequestStatus, MAX_DISPUTE_PARTIES, MAX_FOLLOW_UPS, MAX_FOLLOW_UP_OWNERS,
};
use crate::domain::fuzzy_date::{self, ParseContext};
use crate::domain::owner_role::OwnerRole;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access::{self, BodyAccess};
use crate::http::extract::{at_most, audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::decisions::outcomes::{
    DisputeSubject, FollowUpInput, OpenDispute, RecordOutcome,
};
use crate::storage::decisions::requests::{DecisionRequest, DecisionRequestSummary, RequestFields};
use crate::storage::governance::milestones::Due;

/// The decision-request routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(outcome))
        .routes(routes!(withdraw))
}

/// How the caller stands towards a request: in the deciding and in the requesting body.
struct RequestAccess {
    request: DecisionRequest,
    deciding: Option<BodyAccess>,
    requesting: Option<BodyAccess>,
}

impl RequestAccess {
    fn may_edit(&self) -> bool {
        steers(&self.deciding) || steers(&self.requesting)
    }

    fn answer(mut self) -> DecisionRequest {
        self.request.can_decide = steers(&self.deciding);
        self.request.can_edit = self.may_edit() && self.request.summary.status.is_open();
        self.request
    }
}

/// Loads a request the caller may read (as a reader of its deciding or requesting body).
async fn request(state: &AppState, caller: &Caller, id: i64) -> Result<RequestAccess> {
    let request = state
        .db
        .find_decision_request(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let deciding = readable(state, caller, request.summary.body_id).await?;
    let requesting = match request.summary.requesting_body_id {
        Some(body) => readable(state, caller, body).await?,
        None => None,
    };
    if deciding.is_none() && requesting.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(RequestAccess {
        request,
        deciding,
        requesting,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `open`, `aangehouden`, `besloten` or `ingetrokken`.
    status: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/decision-requests",
    tag = "decisions",
    summary = "The decision requests put to a body (body readers)",
    params(("id" = i64, Path, description = "the deciding body"), ListQuery),
    responses((status = 200, description = "the requests", body = Paged<DecisionRequestSummary>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Paged<DecisionRequestSummary>>> {
    access::body(&state, &caller, id).await?;
    let page = Page::asked(query.offset, query.limit)?;
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => Some(RequestStatus::parse(raw).ok_or_else(|| Invalid {
            field: "status",
            message: "must be one of open, aangehouden, besloten, ingetrokken".into(),
        })?),
        None => None,
    };
    let (items, total) = state
        .db
        .list_decision_requests(id, status, (page.offset, page.limit))
        .await?;
    Ok(Json(Paged::new(items, total, page)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RequestInput {
    title: String,
    question: String,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    asked_of: String,
    requesting_body_id: Option<i64>,
    meeting_id: Option<i64>,
    version_id: Option<i64>,
    deadline: Option<String>,
}

/// Checks the links of a request: the meeting is one of the deciding body, the version one the
/// caller may read.
async fn checked_links(
    state: &AppState,
    caller: &Caller,
    body_id: i64,
    meeting_id: Option<i64>,
    version_id: Option<i64>,
) -> Result<()> {
    if let Some(meeting) = meeting_id {
        if state.db.meeting_of(meeting).await?.map(|(body, _)| body) != Some(body_id) {
            return Err(Invalid {
                field: "meeting_id",
                message: "there is no such meeting of the deciding body".into(),
            }
            .into());
        }
    }
    if let Some(version) = version_id {
        let readable = match state.db.find_version_ref(version).await? {
            Some(found) => access::draft(state, caller, found.draft_id).await.is_ok(),
            None => false,
        };
        if !readable {
            return Err(Invalid {
                field: "version_id",
                message: "there is no such version you may read".into(),
            }
            .into());
        }
    }
    Ok(())
}

/// Fails unless the caller steers the deciding body or the requesting body.
async fn may_put(
    state: &AppState,
    caller: &Caller,
    body_id: i64,
    requesting: Option<i64>,
) -> Result<()> {
    let deciding = readable(state, caller, body_id).await?;
    let asking = match requesting {
        Some(body) => readable(state, caller, body).await?,
        None => None,
    };
    if steers(&deciding) || steers(&asking) {
        return Ok(());
    }
    if deciding.is_none() && asking.is_none() {
        return Err(AppError::NotFound);
    }
    Err(AppError::Forbidden(None))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/decision-requests",
    tag = "decisions",
    summary = "Put a decision request to a body (chair, secretariat of the deciding or the requesting body)",
    params(("id" = i64, Path, description = "the deciding body")),
    request_body = RequestInput,
    responses((status = 201, description = "the request", body = DecisionRequest), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<RequestInput>,
) -> Result<(StatusCode, Json<DecisionRequest>)> {
    caller.require_write_scope()?;
    if state.db.find_body(body_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if let Some(requesting) = input.requesting_body_id {
        if state.db.find_body(requesting).await?.is_none() || requesting == body_id {
            return Err(Invalid {
                field: "requesting_body_id",
                message: "there is no such other body".into(),
            }
            .into());
        }
    }
    may_put(&state, &caller, body_id, input.requesting_body_id).await?;
    let person = caller.person_id()?;
    let text = decision::request_text(
        &input.title,
        &input.question,
        &input.options,
        &input.asked_of,
        input.deadline.as_deref(),
    )?;
    checked_links(&state, &caller, body_id, input.meeting_id, input.version_id).await?;
    let fields = RequestFields {
        text,
        requesting_body_id: input.requesting_body_id,
        meeting_id: input.meeting_id,
        version_id: input.version_id,
    };
    let created = state
        .db
        .create_decision_request(body_id, &fields, (person, &audit_actor(&caller)))
        .await?;
    let id = created.summary.id;
    Ok((
        StatusCode::CREATED,
        Json(request(&state, &caller, id).await?.answer()),
    ))
}

#[utoipa::path(
    get,
    path = "/api/decision-requests/{id}",
    tag = "decisions",
    summary = "One decision request with its decisions (readers of the deciding or the requesting body)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the request", body = DecisionRequest), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<DecisionRequest>> {
    Ok(Json(request(&state, &caller, id).await?.answer()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RequestPatch {
    title: Option<String>,
    question: Option<String>,
    options: Option<Vec<String>>,
    asked_of: Option<String>,
    requesting_body_id: Option<i64>,
    meeting_id: Option<i64>,
    version_id: Option<i64>,
    deadline: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/decision-requests/{id}",
    tag = "decisions",
    summary = "Change an open or deferred request (chair, secretariat of the deciding or the requesting body)",
    params(("id" = i64, Path, description = "id")),
    request_body = RequestPatch,
    responses((status = 200, description = "the request", body = DecisionRequest), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<RequestPatch>,
) -> Result<Json<DecisionRequest>> {
    caller.require_write_scope()?;
    let found = request(&state, &caller, id).await?;
    if !found.may_edit() {
        return Err(AppError::Forbidden(None));
    }
    let current = &found.request;
    let body_id = current.summary.body_id;
    let requesting = input
        .requesting_body_id
        .or(current.summary.requesting_body_id);
    if input.requesting_body_id.is_some() {
        if requesting == Some(body_id) {
            return Err(Invalid {
                field: "requesting_body_id",
                message: "there is no such other body".into(),
            }
            .into());
        }
        may_put(&state, &caller, body_id, requesting).await?;
    }
    let options = input.options.as_ref().unwrap_or(&current.options);
    let deadline = input
        .deadline
        .as_deref()
        .or(current.summary.deadline.as_deref())
        .filter(|d| !d.trim().is_empty());
    let text = decision::request_text(
        input.title.as_deref().unwrap_or(&current.summary.title),
        input.question.as_deref().unwrap_or(&current.question),
        options,
        input.asked_of.as_deref().unwrap_or(&current.asked_of),
        deadline,
    )?;
    let meeting_id = input.meeting_id.or(current.summary.meeting_id);
    let version_id = input.version_id.or(current.version.as_ref().map(|v| v.id));
    checked_links(&state, &caller, body_id, input.meeting_id, input.version_id).await?;
    let fields = RequestFields {
        text,
        requesting_body_id: requesting,
        meeting_id,
        version_id,
    };
    state
        .db
        .update_decision_request(id, &fields, &audit_actor(&caller))
        .await
        .map_err(stored)?;
    Ok(Json(request(&state, &caller, id).await?.answer()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OwnerInput {
    party: String,
    #[serde(default = "lead")]
    role: String,
}

fn lead() -> String {
    "lead".into()
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct FollowUpIn {
    title: String,
    due: String,
    #[serde(default)]
    owners: Vec<OwnerInput>,
    body_id: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OpenDisputeIn {
    parties: Vec<String>,
    statement: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OutcomeInput {
    outcome: String,
    decided_on: String,
    meeting_id: Option<i64>,
    #[serde(default)]
    rationale: String,
    conditions: Option<String>,
    /// What it is about, for the register's topic filter.
    topic: Option<String>,
    #[serde(default)]
    follow_ups: Vec<FollowUpIn>,
    close_dispute_id: Option<i64>,
    open_dispute: Option<OpenDisputeIn>,
}

async fn party(state: &AppState, field: &'static str, name: &str) -> Result<i64> {
    state.db.resolve_party(name).await?.ok_or_else(|| {
        Invalid {
            field,
            message: format!("no party is called {name:?}; use a party code such as ZIN or VWS"),
        }
        .into()
    })
}

async fn follow_ups(
    state: &AppState,
    input: &[FollowUpIn],
    bodies: (i64, Option<i64>),
) -> Result<Vec<FollowUpInput>> {
    let (deciding, requesting) = bodies;
    let mut out = Vec::with_capacity(input.len());
    for follow_up in input {
        at_most("owners", follow_up.owners.len(), MAX_FOLLOW_UP_OWNERS)?;
        let body_id = follow_up.body_id.unwrap_or(requesting.unwrap_or(deciding));
        if body_id != deciding && Some(body_id) != requesting {
            return Err(Invalid {
                field: "follow_ups",
                message: "a follow-up belongs to the requesting or the deciding body".into(),
            }
            .into());
        }
        let due = validate::text("due", &follow_up.due, 1, 200)?;
        let mut owners: Vec<(i64, OwnerRole)> = Vec::with_capacity(follow_up.owners.len());
        for owner in &follow_up.owners {
            let role = OwnerRole::parse(owner.role.trim()).ok_or_else(|| Invalid {
                field: "owners",
                message: "an owner's role is lead or contributor".into(),
            })?;
            let id = party(state, "owners", &owner.party).await?;
            if !owners.iter().any(|(p, _)| *p == id) {
                owners.push((id, role));
            }
        }
        out.push(FollowUpInput {
            body_id,
            title: validate::text("title", &follow_up.title, 1, 200)?,
            due: Due::from_fuzzy(&fuzzy_date::parse(&due, &ParseContext::default())),
            owners,
        });
    }
    Ok(out)
}

#[utoipa::path(
    post,
    path = "/api/decision-requests/{id}/outcome",
    tag = "decisions",
    summary = "Record the deciding body's outcome (chair, secretariat of the deciding body)",
    params(("id" = i64, Path, description = "id")),
    request_body = OutcomeInput,
    responses((status = 201, description = "the decision", body = Decision), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<OutcomeInput>,
) -> Result<(StatusCode, Json<Decision>)> {
    caller.require_write_scope()?;
    let found = request(&state, &caller, id).await?;
    if !steers(&found.deciding) {
        return Err(AppError::Forbidden(None));
    }
    let person = caller.person_id()?;
    let summary = &found.request.summary;
    if !summary.status.is_open() {
        return Err(AppError::Conflict(
            "this request is already decided or withdrawn".into(),
        ));
    }
    let text = decision::outcome_text(
        &input.outcome,
        &input.decided_on,
        &input.rationale,
        input.conditions.as_deref(),
        input.topic.as_deref(),
    )?;
    at_most("follow_ups", input.follow_ups.len(), MAX_FOLLOW_UPS)?;
    checked_links(&state, &caller, summary.body_id, input.meeting_id, None).await?;
    let follow_ups = follow_ups(
        &state,
        &input.follow_ups,
        (summary.body_id, summary.requesting_body_id),
    )
    .await?;
    let close = match input.close_dispute_id {
        Some(dispute) => {
            let seen = access::dispute(&state, &caller, dispute)
                .await
                .map_err(|_| Invalid {
                    field: "close_dispute_id",
                    message: "there is no such dispute you may see".into(),
                })?;
            if !seen.dispute.status.is_open() {
                return Err(AppError::Conflict(
                    "the dispute to close is already resolved or withdrawn".into(),
                ));
            }
            Some(seen.dispute)
        }
        None => None,
    };
    let open = match &input.open_dispute {
        Some(open) => {
            at_most("parties", open.parties.len(), MAX_DISPUTE_PARTIES)?;
            let mut parties = Vec::with_capacity(open.parties.len());
            for code in &open.parties {
                let id = party(&state, "open_dispute", code).await?;
                if !parties.contains(&id) {
                    parties.push(id);
                }
            }
            let Some(&raised_by_party) = parties.first() else {
                return Err(Invalid {
                    field: "open_dispute",
                    message: "name the parties of the dispute, the raising party first".into(),
                }
                .into());
            };
            let subject = match &found.request.version {
                Some(version) => {
                    let draft = state
                        .db
                        .find_draft(version.draft_id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    DisputeSubject::Draft {
                        draft_id: draft.id,
                        body_id: draft.body_id,
                    }
                }
                None if !follow_ups.is_empty() => DisputeSubject::FirstFollowUp,
                None => {
                    return Err(Invalid {
                        field: "open_dispute",
                        message: "a dispute is about a draft or a milestone: give the request a supporting version, or the outcome a follow-up milestone".into(),
                    }
                    .into())
                }
            };
            Some(OpenDispute {
                subject,
                raised_by_party,
                parties,
                statement: validate::text("open_dispute", &open.statement, 1, 10_000)?,
            })
        }
        None => None,
    };
    let record = RecordOutcome {
        text: &text,
        meeting_id: input.meeting_id,
        follow_ups,
        close_dispute: close.as_ref(),
        open_dispute: open,
        person,
    };
    let decision = state
        .db
        .record_outcome(id, &record, &audit_actor(&caller))
        .await
        .map_err(stored)?;
    Ok((StatusCode::CREATED, Json(decision)))
}

#[utoipa::path(
    post,
    path = "/api/decision-requests/{id}/withdraw",
    tag = "decisions",
    summary = "Withdraw an open or deferred request (chair, secretariat of the deciding or the requesting body)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the request", body = DecisionRequest), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<DecisionRequest>> {
    caller.require_write_scope()?;
    let found = request(&state, &caller, id).await?;
    if !found.may_edit() {
        return Err(AppError::Forbidden(None));
    }
    state
        .db
        .withdraw_decision_request(id, &audit_actor(&caller))
        .await
        .map_err(stored)?;
    Ok(Json(request(&state, &caller, id).await?.answer()))
}
