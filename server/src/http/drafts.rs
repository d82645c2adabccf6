//! Advice drafts: `/api/bodies/{id}/drafts` and `/api/drafts/{id}…` with the status flow.
//!
//! Access follows body membership: members (and chair and secretariat) read and write,
//! observers read, everyone else gets 404. Chair and secretariat create drafts and move them
//! through the flow; every step forward freezes a named version, and a frozen draft is
//! read-only for every sync connection, including the ones open at that moment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::draft_status::{DraftStatus, Step};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::drafts::{
    Draft, NewDraft, NewTransition, NewVersion, Transition, TransitionError,
};

/// The template fields of an assignment (opdrachtomschrijving).
pub const TEMPLATE_FIELDS: [&str; 7] = [
    "goal",
    "terms_of_reference",
    "preconditions",
    "composition",
    "timeline",
    "milestones",
    "direction",
];

/// Draft routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(history, transition))
}

/// A new draft.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateDraft {
    title: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    template: serde_json::Map<String, serde_json::Value>,
}

/// Changes to a draft's title or template.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct UpdateDraft {
    title: Option<String>,
    #[schema(value_type = Option<Object>)]
    template: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A requested status change.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct TransitionInput {
    to: String,
    note: Option<String>,
}

/// The result of a status change.
#[derive(Serialize)]
struct TransitionResult {
    draft: Draft,
    version_id: Option<i64>,
}

fn checked_template(
    template: serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (key, value) in template {
        if !TEMPLATE_FIELDS.contains(&key.as_str()) {
            return Err(Invalid {
                field: "template",
                message: format!("unknown field {key:?}; use {}", TEMPLATE_FIELDS.join(", ")),
            }
            .into());
        }
        let serde_json::Value::String(text) = value else {
            return Err(Invalid {
                field: "template",
                message: format!("{key} must be text"),
            }
            .into());
        };
        if text.chars().count() > 20_000 {
            return Err(Invalid {
                field: "template",
                message: format!("{key} may be at most 20000 characters long"),
            }
            .into());
        }
        out.insert(key, serde_json::Value::String(text));
    }
    Ok(serde_json::Value::Object(out))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/drafts",
    tag = "drafts",
    summary = "A body's drafts, newest first",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, body = Paged<Draft>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Draft>>> {
    access::body(&state, &caller, body_id).await?;
    let page = page.checked()?;
    let (drafts, total) = state
        .db
        .list_drafts(body_id, page.offset, page.limit)
        .await?;
    Ok(Json(Paged::new(drafts, total, page)))
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/drafts",
    tag = "drafts",
    summary = "Create a draft (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateDraft,
    responses((status = 201, body = Draft), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(body_id): AppPath<i64>,
    AppJson(input): AppJson<CreateDraft>,
) -> Result<(StatusCode, Json<Draft>)> {
    caller.require_write_scope()?;
    access::body(&state, &caller, body_id).await?.steer()?;
    let title = validate::text("title", &input.title, 1, 300)?;
    let template = checked_template(input.template)?;
    let doc_id = format!("draft-{:016x}", rand::thread_rng().gen::<u64>());
    let person = caller.person_id()?;
    let new = NewDraft {
        body_id,
        doc_id: &doc_id,
        title: &title,
        template: &template,
        by: person,
    };
    let draft = state
        .db
        .create_draft_by(&new, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(draft)))
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}",
    tag = "drafts",
    summary = "One draft",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Draft), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Draft>> {
    Ok(Json(access::draft(&state, &caller, id).await?.draft))
}

#[utoipa::path(
    patch,
    path = "/api/drafts/{id}",
    tag = "drafts",
    summary = "Change title or template fields (chair, secretariat; only in concept)",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdateDraft,
    responses((status = 200, body = Draft), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdateDraft>,
) -> Result<Json<Draft>> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.steer()?;
    if access.draft.status.is_frozen() {
        return Err(AppError::Conflict(format!(
            "the draft is {} and frozen; move it back to concept to change it",
            access.draft.status.as_str()
        )));
    }
    let title = match input.title {
        Some(title) => validate::text("title", &title, 1, 300)?,
        None => access.draft.title.clone(),
    };
    let template = match input.template {
        Some(template) => checked_template(template)?,
        None => access.draft.template.clone(),
    };
    let draft = state
        .db
        .update_draft(id, &title, &template, &audit_actor(&caller))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(draft))
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/transitions",
    tag = "drafts",
    summary = "The draft's status history",
    params(Page, ("id" = i64, Path, description = "id")),
    responses((status = 200, body = Paged<Transition>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Transition>>> {
    let page = page.checked()?;
    access::draft(&state, &caller, id).await?;
    Ok(Json(Paged::slice(
        state.db.list_transitions(id).await?,
        page,
    )))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/transitions",
    tag = "drafts",
    summary = "Move the draft along its status flow (chair, secretariat); a step forward freezes a version",
    params(("id" = i64, Path, description = "id")),
    request_body = TransitionInput,
    responses((status = 200, body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<TransitionInput>,
) -> Result<Json<TransitionResult>> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.steer()?;
    let from = access.draft.status;
    let to = DraftStatus::parse(&input.to).map_err(|e| Invalid {
        field: "to",
        message: e.to_string(),
    })?;
    let step = from
        .step_to(to)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let note = input
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 0, 2000))
        .transpose()?
        .filter(|n| !n.is_empty());
    let doc_id = access.doc_id()?;
    let by = caller.person_id()?;
    let actor = audit_actor(&caller);
    let step_of = |version| NewTransition {
        from,
        to,
        by,
        note: note.as_deref(),
        version,
    };
    let hub_error = |_| AppError::Unavailable("the document could not be loaded; try again".into());
    let result = match step {
        Step::Forward => {
            // Freeze first, so no edit can slip in between the snapshot and the status change.
            let state_bytes = state
                .hub
                .set_frozen(
                    &doc_id,
                    true,
                    "read-only: the draft moved on in its status flow and is frozen",
                )
                .await
                .map_err(hub_error)?;
            let hash = crate::versions::content_hash(&state_bytes);
            let supersede =
                match super::consent::superseded_round(&state, id, &state_bytes, &hash).await {
                    Ok(round) => round,
                    Err(error) => {
                        if !from.is_frozen() {
                            let _ = state.hub.set_frozen(&doc_id, false, "").await;
                        }
                        return Err(error);
                    }
                };
            let name = format!(
                "{} — {}",
                to.as_str(),
                crate::domain::dutch_time::format_minute(chrono::Utc::now())
            );
            let version = NewVersion {
                name: &name,
                state: &state_bytes,
                content_hash: &hash,
                supersede,
            };
            let stored = state
                .db
                .record_transition(id, step_of(Some(version)), &actor)
                .await;
            if stored.is_err() && !from.is_frozen() {
                let _ = state.hub.set_frozen(&doc_id, false, "").await;
            }
            stored
        }
        Step::Revise => {
            let stored = state.db.record_transition(id, step_of(None), &actor).await;
            if stored.is_ok() {
                state
                    .hub
                    .set_frozen(&doc_id, false, "")
                    .await
                    .map_err(hub_error)?;
            }
            stored
        }
        Step::Withdraw => {
            state
                .hub
                .set_frozen(&doc_id, true, "read-only: the draft was withdrawn")
                .await
                .map_err(hub_error)?;
            let stored = state.db.record_transition(id, step_of(None), &actor).await;
            if stored.is_err() && !from.is_frozen() {
                let _ = state.hub.set_frozen(&doc_id, false, "").await;
            }
            stored
        }
    };
    let (draft, version_id) = result.map_err(|e| match e {
        TransitionError::Conflict | TransitionError::Refused(_) => {
            AppError::Conflict(e.to_string())
        }
        TransitionError::Storage(e) => e.into(),
    })?;
    Ok(Json(TransitionResult { draft, version_id }))
}
