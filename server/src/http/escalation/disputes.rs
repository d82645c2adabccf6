//! `/api/bodies/{id}/disputes` and `/api/disputes/{id}…`: raise, read, state positions, propose
//! options, comment, escalate, resolve, withdraw. Access rules: see [`super`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::escalation::DisputeStatus;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::escalation::disputes::changes::{Escalation, NewOption, NewPosition};
use crate::storage::escalation::disputes::{Change, Dispute, NewDispute, SUBJECT_KINDS};

/// The dispute routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, raise))
        .routes(routes!(show))
        .routes(routes!(position))
        .routes(routes!(option))
        .routes(routes!(comment))
        .routes(routes!(escalate))
        .routes(routes!(resolve))
        .routes(routes!(withdraw))
}

/// The caller's party id.
async fn caller_party(state: &AppState, caller: &Caller) -> Result<i64> {
    let code = caller.party().ok_or(AppError::Forbidden(None))?;
    state
        .db
        .resolve_party(code)
        .await?
        .ok_or(AppError::Forbidden(None))
}

fn closed() -> AppError {
    AppError::Conflict("this dispute is already resolved or withdrawn".into())
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    open: bool,
    offset: Option<i64>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/disputes",
    tag = "disputes",
    summary = "A working group's disputes (body readers); ?open=true for the open ones only",
    params(("id" = i64, Path, description = "id"), ("open" = Option<bool>, Query, description = "only disputes that are not resolved or withdrawn"), Page),
    responses((status = 200, description = "the disputes", body = Paged<serde_json::Value>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Paged<Dispute>>> {
    let page = Page::asked(query.offset, query.limit)?;
    access::body(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.list_disputes(id, query.open).await?,
        page,
    )))
}

/// Most other parties one dispute names when raised: 50 (each is looked up and notified).
pub const MAX_DISPUTE_PARTIES: usize = 50;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct RaiseInput {
    subject_kind: String,
    subject_id: i64,
    title: String,
    description: String,
    #[serde(default)]
    parties: Vec<String>,
    passage: Option<String>,
    /// Options proposed with it (at most [`MAX_RAISE_OPTIONS`]), stored in the same
    /// transaction as the dispute.
    #[serde(default)]
    options: Vec<OptionInput>,
}

/// Most options proposed with a new dispute.
pub const MAX_RAISE_OPTIONS: usize = 20;

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/disputes",
    tag = "disputes",
    summary = "Raise a dispute for the caller's party (chair, secretariat, members; never observers)",
    params(("id" = i64, Path, description = "id")),
    request_body = RaiseInput,
    responses((status = 201, description = "the dispute", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn raise(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<RaiseInput>,
) -> Result<(StatusCode, Json<Dispute>)> {
    caller.require_write_scope()?;
    access::body(&state, &caller, body_id).await?.write()?;
    crate::http::extract::at_most("parties", input.parties.len(), MAX_DISPUTE_PARTIES)?;
    crate::http::extract::at_most("options", input.options.len(), MAX_RAISE_OPTIONS)?;
    let person = caller.person_id()?;
    let party = caller_party(&state, &caller).await?;
    if !SUBJECT_KINDS.contains(&input.subject_kind.as_str()) {
        return Err(Invalid {
            field: "subject_kind",
            message: format!("must be one of {}", SUBJECT_KINDS.join(", ")),
        }
        .into());
    }
    if state
        .db
        .dispute_subject_body(&input.subject_kind, input.subject_id)
        .await?
        != Some(body_id)
    {
        return Err(Invalid {
            field: "subject_id",
            message: "there is no such subject in this working group".into(),
        }
        .into());
    }
    let title = validate::text("title", &input.title, 1, 200)?;
    let description = validate::text("description", &input.description, 1, 10_000)?;
    let passage = match &input.passage {
        Some(p) => Some(validate::text("passage", p, 1, 5_000)?),
        None => None,
    };
    let mut options = Vec::with_capacity(input.options.len());
    for (i, option) in input.options.iter().enumerate() {
        // the message says which option and which of its fields
        let named = |part: &str, error: Invalid| Invalid {
            field: "options",
            message: format!("option {}: {part} {}", i + 1, error.message),
        };
        options.push((
            validate::text("title", &option.title, 1, 200).map_err(|e| named("title", e))?,
            validate::text("description", &option.description, 0, 10_000)
                .map_err(|e| named("description", e))?,
        ));
    }
    let mut parties = vec![party];
    for code in &input.parties {
        let id = state.db.resolve_party(code).await?.ok_or_else(|| Invalid {
            field: "parties",
            message: format!("there is no party {code:?}"),
        })?;
        if !parties.contains(&id) {
            parties.push(id);
        }
    }
    let new = NewDispute {
        body_id,
        subject_kind: input.subject_kind.clone(),
        subject_id: input.subject_id,
        title,
        description,
        raised_by_party: party,
        raised_by_person: Some(person),
        parties,
    };
    let dispute = state
        .db
        .raise_dispute_by(
            &new,
            passage.as_deref(),
            &options
                .iter()
                .map(|(title, description)| NewOption {
                    title,
                    description,
                    party_id: Some(party),
                })
                .collect::<Vec<_>>(),
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(dispute)))
}

#[utoipa::path(
    get,
    path = "/api/disputes/{id}",
    tag = "disputes",
    summary = "One dispute with its positions, options, comments, history and ladder",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the dossier", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<crate::storage::escalation::dossier::Dossier>> {
    access::dispute(&state, &caller, id).await?;
    state
        .db
        .dossier(id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TextInput {
    text: String,
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/positions",
    tag = "disputes",
    summary = "State the caller's party's position (a representative of an involved party)",
    params(("id" = i64, Path, description = "id")),
    request_body = TextInput,
    responses((status = 201, description = "the dispute", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn position(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<TextInput>,
) -> Result<(StatusCode, Json<Dispute>)> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if !access.is_representative() {
        return Err(AppError::Forbidden(None));
    }
    let party = caller_party(&state, &caller).await?;
    if !access.dispute.parties.iter().any(|p| p.party_id == party) {
        return Err(AppError::Forbidden(None));
    }
    let text = validate::text("text", &input.text, 1, 10_000)?;
    let person = caller.person_id()?;
    let mandate = access.holds_mandate;
    let position = NewPosition {
        party_id: party,
        text: &text,
        person,
        with_mandate: mandate,
    };
    let dispute = state
        .db
        .state_position_by(&access.dispute, &position, &audit_actor(&caller))
        .await?
        .map_err(|_| closed())?;
    Ok((StatusCode::CREATED, Json(dispute)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct OptionInput {
    title: String,
    #[serde(default)]
    description: String,
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/options",
    tag = "disputes",
    summary = "Propose an option (chair, secretariat, members; the forum at the current level)",
    params(("id" = i64, Path, description = "id")),
    request_body = OptionInput,
    responses((status = 201, description = "the option's id", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn option(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<OptionInput>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if !access.is_representative() && !access.can_steer() {
        return Err(AppError::Forbidden(None));
    }
    let title = validate::text("title", &input.title, 1, 200)?;
    let description = validate::text("description", &input.description, 0, 10_000)?;
    let party = match caller.party() {
        Some(code) => state.db.resolve_party(code).await?,
        None => None,
    };
    let option = state
        .db
        .add_dispute_option(
            &access.dispute,
            &title,
            &description,
            party,
            (caller.person_id()?, &audit_actor(&caller)),
        )
        .await?
        .ok_or_else(closed)?;
    Ok((StatusCode::CREATED, Json(json!({ "id": option }))))
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/comments",
    tag = "disputes",
    summary = "Comment (members of every role of the working group or a reached forum)",
    params(("id" = i64, Path, description = "id")),
    request_body = TextInput,
    responses((status = 201, description = "the comment's id", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<TextInput>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if access.role.is_none() && !access.reached_forum {
        return Err(AppError::Forbidden(None));
    }
    let text = validate::text("text", &input.text, 1, 10_000)?;
    let comment = state
        .db
        .add_dispute_comment(id, &text, (caller.person_id()?, &audit_actor(&caller)))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": comment }))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NoteInput {
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/escalate",
    tag = "disputes",
    summary = "Escalate one level up the ladder (chair, secretariat of the group or the current forum)",
    params(("id" = i64, Path, description = "id")),
    request_body = NoteInput,
    responses((status = 200, description = "the dispute", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<Json<Dispute>> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if !access.can_steer() {
        return Err(AppError::Forbidden(None));
    }
    let note = match &input.note {
        Some(n) => Some(validate::text("note", n, 0, 5_000)?),
        None => None,
    };
    let person = caller.person_id()?;
    let dispute = &access.dispute;
    let by = audit_actor(&caller);
    let escalation = Escalation {
        from_level: dispute.level,
        actor_id: Some(person),
        actor: &by.name,
        note: note.as_deref(),
        now: Utc::now(),
    };
    match state
        .db
        .escalate_dispute_by(dispute, &escalation, &by)
        .await?
    {
        Ok(escalated) => Ok(Json(escalated)),
        Err(Change::AtTop) => Err(AppError::Conflict(
            "this dispute is at the top of its escalation ladder".into(),
        )),
        Err(Change::Stale) => Err(AppError::Conflict(
            "this dispute was escalated in the meantime; reload and try again".into(),
        )),
        Err(_) => Err(closed()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct DecisionInput {
    decision: String,
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/resolve",
    tag = "disputes",
    summary = "Record the decision and close the dispute (chair, secretariat of the group or the current forum)",
    params(("id" = i64, Path, description = "id")),
    request_body = DecisionInput,
    responses((status = 200, description = "the dispute", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<DecisionInput>,
) -> Result<Json<Dispute>> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if !access.can_steer() {
        return Err(AppError::Forbidden(None));
    }
    let decision = validate::text("decision", &input.decision, 1, 20_000)?;
    let by = (caller.person_id()?, &audit_actor(&caller));
    let resolved = state
        .db
        .close_dispute(
            &access.dispute,
            DisputeStatus::Besloten,
            Some(&decision),
            by,
        )
        .await?
        .map_err(|_| closed())?;
    Ok(Json(resolved))
}

#[utoipa::path(
    post,
    path = "/api/disputes/{id}/withdraw",
    tag = "disputes",
    summary = "Withdraw the dispute (a representative of the raising party)",
    params(("id" = i64, Path, description = "id")),
    request_body = NoteInput,
    responses((status = 200, description = "the dispute", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<NoteInput>,
) -> Result<Json<Dispute>> {
    caller.require_write_scope()?;
    let access = access::dispute(&state, &caller, id).await?;
    if !access.is_representative() {
        return Err(AppError::Forbidden(None));
    }
    let party = caller_party(&state, &caller).await?;
    if party != access.dispute.raised_by_party_id {
        return Err(AppError::Forbidden(None));
    }
    let note = match &input.note {
        Some(n) => Some(validate::text("note", n, 0, 5_000)?),
        None => None,
    };
    let by = (caller.person_id()?, &audit_actor(&caller));
    let withdrawn = state
        .db
        .close_dispute(
            &access.dispute,
            DisputeStatus::Ingetrokken,
            note.as_deref(),
            by,
        )
        .await?
        .map_err(|_| closed())?;
    Ok(Json(withdrawn))
}
