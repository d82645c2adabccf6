//! A meeting's agenda: `/api/meetings/{id}/agenda` and `/api/meetings/{id}/agenda/{item_id}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::meeting::{AgendaKind, MAX_AGENDA_ITEMS};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, Caller};
use crate::state::AppState;
use crate::storage::meetings::agenda::AgendaError;
use crate::storage::meetings::{AgendaItem, NewAgendaItem};

/// Agenda routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add))
        .routes(routes!(update_item, remove))
}

/// A new agenda item: free (`item`, with a title) or linked to the thing its kind names.
#[derive(Deserialize, utoipa::ToSchema)]
struct AddItem {
    kind: String,
    title: Option<String>,
    note: Option<String>,
    version_id: Option<i64>,
    milestone_id: Option<i64>,
    dispute_id: Option<i64>,
    decision_request_id: Option<i64>,
}

/// A change to an item; `position` (from 1) moves it, and the others shift.
#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateItem {
    title: Option<String>,
    note: Option<String>,
    position: Option<i64>,
}

fn invalid(field: &'static str, message: &str) -> AppError {
    Invalid {
        field,
        message: message.to_owned(),
    }
    .into()
}

#[utoipa::path(
    post,
    path = "/api/meetings/{id}/agenda",
    tag = "meetings",
    summary = "Add an agenda item, free or linked to a version, milestone, dispute or decision request (chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = AddItem,
    responses((status = 201, description = "the item", body = AgendaItem), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<AddItem>,
) -> Result<(StatusCode, Json<AgendaItem>)> {
    let (meeting, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    let kind = AgendaKind::parse(input.kind.trim()).ok_or_else(|| {
        invalid(
            "kind",
            &format!("must be one of {}", AgendaKind::NAMES.join(", ")),
        )
    })?;
    let note = validate::text("note", input.note.as_deref().unwrap_or_default(), 0, 5000)?;
    let given_title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| validate::text("title", t, 1, 500))
        .transpose()?;
    let (field, target) = match kind {
        AgendaKind::Item => ("title", None),
        AgendaKind::Version => ("version_id", Some(input.version_id)),
        AgendaKind::Milestone => ("milestone_id", Some(input.milestone_id)),
        AgendaKind::Dispute => ("dispute_id", Some(input.dispute_id)),
        AgendaKind::DecisionRequest => ("decision_request_id", Some(input.decision_request_id)),
    };
    let (title, target) = match target {
        None => (
            given_title.ok_or_else(|| invalid("title", "may not be empty for a free item"))?,
            None,
        ),
        Some(None) => return Err(invalid(field, &format!("is required for kind {kind}"))),
        Some(Some(target_id)) => {
            let unknown = || invalid(field, "names nothing you can read");
            let found = state
                .db
                .agenda_target(kind, target_id)
                .await?
                .ok_or_else(unknown)?;
            if found.body_id != meeting.body_id
                && access::body(&state, &caller, found.body_id).await.is_err()
            {
                return Err(unknown());
            }
            let title = match given_title {
                Some(t) => t,
                None => found.title.chars().take(500).collect(),
            };
            (title, Some(target_id))
        }
    };
    let new = NewAgendaItem {
        kind,
        title,
        note,
        target,
    };
    let item = state
        .db
        .add_agenda_item(id, meeting.body_id, &new, &audit_actor(&caller))
        .await
        .map_err(|e| match e {
            AgendaError::Full => invalid(
                "kind",
                &format!("an agenda holds at most {MAX_AGENDA_ITEMS} items"),
            ),
            AgendaError::Storage(s) => s.into(),
        })?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[utoipa::path(
    patch,
    path = "/api/meetings/{id}/agenda/{item_id}",
    tag = "meetings",
    summary = "Change or move an agenda item (chair, secretariat)",
    params(("id" = i64, Path, description = "meeting id"), ("item_id" = i64, Path, description = "agenda item id")),
    request_body = UpdateItem,
    responses((status = 200, description = "the item", body = AgendaItem), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, item_id)): AppPath<(i64, i64)>,
    AppJson(input): AppJson<UpdateItem>,
) -> Result<Json<AgendaItem>> {
    let (meeting, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    let title = input
        .title
        .as_deref()
        .map(|t| validate::text("title", t, 1, 500))
        .transpose()?;
    let note = input
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 0, 5000))
        .transpose()?;
    let position = match input.position {
        Some(p) if (1..=i64::try_from(MAX_AGENDA_ITEMS).unwrap_or(100)).contains(&p) => {
            Some(usize::try_from(p).unwrap_or(1))
        }
        Some(_) => return Err(invalid("position", "must be from 1 to 100")),
        None => None,
    };
    state
        .db
        .update_agenda_item(
            id,
            meeting.body_id,
            item_id,
            (title.as_deref(), note.as_deref(), position),
            &audit_actor(&caller),
        )
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[utoipa::path(
    delete,
    path = "/api/meetings/{id}/agenda/{item_id}",
    tag = "meetings",
    summary = "Remove an agenda item (chair, secretariat)",
    params(("id" = i64, Path, description = "meeting id"), ("item_id" = i64, Path, description = "agenda item id")),
    responses((status = 204, description = "removed"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, item_id)): AppPath<(i64, i64)>,
) -> Result<StatusCode> {
    let (meeting, access) = access::meeting(&state, &caller, id).await?;
    access.steer()?;
    if state
        .db
        .remove_agenda_item(id, meeting.body_id, item_id, &audit_actor(&caller))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
