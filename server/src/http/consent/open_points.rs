//! Open points of a draft (docs/DOMAIN.md §17): `/api/drafts/{id}/open-points…` and
//! `/api/open-points/{id}`.
//!
//! Readers of the draft see its points; writers (members, chair, secretariat) add them, let
//! Polder find the markers in the current text (offered as `voorgesteld`), accept a proposal
//! with an owner, close, turn down and reopen. An owner is a member or observer of the draft's
//! body, or a party that takes part in it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::open_points::{
    self as rules, check_transition, PointKind, PointSource, PointStatus,
};
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller};
use crate::http::render::{check_render_size, render_blocking};
use crate::state::AppState;
use crate::storage::consent::open_points::{NewOpenPoint, OpenPoint, Owner, PointChange};
use crate::versions;

/// Longest text of an open point.
const MAX_TEXT: usize = 4_000;
/// Longest quote of an open point.
const MAX_QUOTE: usize = 2_000;
/// Longest note with a closing.
const MAX_NOTE: usize = 4_000;

/// The open-point routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(detect))
        .routes(routes!(update))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatusQuery {
    /// Only points of this status: `voorgesteld`, `open`, `gesloten` or `afgewezen`.
    status: Option<String>,
}

/// A draft's open points with the counts the draft shows.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OpenPoints {
    items: Vec<OpenPoint>,
    /// Points that are open.
    open: i64,
    /// Proposals not yet accepted or turned down.
    proposed: i64,
}

/// The proposals a detection stored.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Detected {
    proposed: Vec<OpenPoint>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreatePoint {
    /// `pm`, `nb`, `bespreekpunt` or `datum`.
    kind: String,
    /// What it is about (1 to 4000 characters).
    text: String,
    /// The passage it concerns (at most 2000 characters).
    quote: Option<String>,
    owner_person_id: Option<i64>,
    /// A party code.
    owner_party: Option<String>,
    /// `YYYY-MM-DD`.
    due: Option<String>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct UpdatePoint {
    /// `open` (accept or reopen), `gesloten` or `afgewezen`.
    status: Option<String>,
    /// The owner; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    owner_person_id: Option<Option<i64>>,
    /// The owning party's code; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    owner_party: Option<Option<String>>,
    /// `YYYY-MM-DD`; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    due: Option<Option<String>>,
    /// What it is about (1 to 4000 characters).
    text: Option<String>,
    /// Why it is closed or turned down (at most 4000 characters).
    note: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/drafts/{id}/open-points",
    tag = "open-points",
    summary = "A draft's open points with the counts of open ones and proposals",
    params(("id" = i64, Path, description = "id"), StatusQuery),
    responses((status = 200, body = OpenPoints), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(query): AppQuery<StatusQuery>,
) -> Result<Json<OpenPoints>> {
    access::draft(&state, &caller, id).await?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(PointStatus::parse(raw).ok_or_else(|| Invalid {
            field: "status",
            message: format!("must be one of {}", PointStatus::NAMES.join(", ")),
        })?),
    };
    let items = state.db.list_open_points(id, status).await?;
    let (open, proposed) = state.db.open_point_counts(id).await?;
    Ok(Json(OpenPoints {
        items,
        open,
        proposed,
    }))
}

/// Checks an owner for a point of `body_id`.
async fn owner(
    state: &AppState,
    body_id: i64,
    person: Option<i64>,
    party: Option<&str>,
) -> Result<Owner> {
    let party = party.map(str::trim).filter(|p| !p.is_empty());
    if let Some(code) = party {
        validate::text("owner_party", code, 1, 100)?;
    }
    state
        .db
        .point_owner(body_id, person, party)
        .await?
        .map_err(|problem| {
            Invalid {
                field: problem.field(),
                message: problem.message(),
            }
            .into()
        })
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/open-points",
    tag = "open-points",
    summary = "Add an open point by hand (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = CreatePoint,
    responses((status = 201, body = OpenPoint), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreatePoint>,
) -> Result<(StatusCode, Json<OpenPoint>)> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.write()?;
    if !access.is_open() {
        return Err(AppError::Conflict(
            "the draft was withdrawn; it takes no more open points".into(),
        ));
    }
    let kind: PointKind = rules::kind_input("kind", &input.kind)?;
    let text = validate::text("text", &input.text, 1, MAX_TEXT)?;
    let quote = input
        .quote
        .as_deref()
        .map(|q| validate::text("quote", q, 0, MAX_QUOTE))
        .transpose()?
        .filter(|q| !q.is_empty());
    let due = input
        .due
        .as_deref()
        .map(|d| rules::due_input("due", d))
        .transpose()?;
    let owner = owner(
        &state,
        access.draft.body_id,
        input.owner_person_id,
        input.owner_party.as_deref(),
    )
    .await?;
    let point = state
        .db
        .create_open_point(
            &NewOpenPoint {
                draft_id: id,
                kind,
                text,
                quote,
                source: PointSource::Manual,
                owner,
                due,
                created_by: caller.person_id()?,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(point)))
}

#[utoipa::path(
    post,
    path = "/api/drafts/{id}/open-points/detect",
    tag = "open-points",
    summary = "Find PM, NB, bespreekpunt and date markers in the current text and offer the new ones (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Detected), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 413, description = "the text is larger than the render limit", body = ApiErrorBody), (status = 503, description = "the document could not be loaded, or the server is busy", body = ApiErrorBody))
)]
async fn detect(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Detected>> {
    let access = access::draft(&state, &caller, id).await?;
    access.body.write()?;
    if !access.is_open() {
        return Err(AppError::Conflict(
            "the draft was withdrawn; it takes no more open points".into(),
        ));
    }
    let snapshot =
        state.hub.snapshot(&access.doc_id()?).await.map_err(|_| {
            AppError::Unavailable("the document could not be loaded; try again".into())
        })?;
    check_render_size(&state, "the current text", snapshot.len())?;
    let markers = render_blocking(&state, move || {
        let blocks = versions::document_blocks(&snapshot).map_err(|e| match e {
            versions::VersionError::TooDeep => AppError::Invalid(Invalid {
                field: "document",
                message: e.to_string(),
            }),
            other => AppError::Internal(other.into()),
        })?;
        Ok(rules::detect(&rules::block_texts(&blocks)))
    })
    .await?;
    let proposed = state
        .db
        .propose_markers(id, &markers, caller.person_id()?, &audit_actor(&caller))
        .await?;
    Ok(Json(Detected { proposed }))
}

#[utoipa::path(
    patch,
    path = "/api/open-points/{id}",
    tag = "open-points",
    summary = "Accept, close, turn down or reopen an open point, or change its owner, due day or text (members, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    request_body = UpdatePoint,
    responses((status = 200, body = OpenPoint), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<UpdatePoint>,
) -> Result<Json<OpenPoint>> {
    let current = state
        .db
        .find_open_point(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::draft(&state, &caller, current.draft_id).await?;
    access.body.write()?;
    let status = input
        .status
        .as_deref()
        .map(|s| rules::status_input("status", s))
        .transpose()?
        .unwrap_or(current.status);
    let text = match input.text.as_deref() {
        Some(text) => validate::text("text", text, 1, MAX_TEXT)?,
        None => current.text.clone(),
    };
    let note = input
        .note
        .as_deref()
        .map(|n| validate::text("note", n, 0, MAX_NOTE))
        .transpose()?
        .filter(|n| !n.is_empty());
    let due = match &input.due {
        None => current.due.clone(),
        Some(None) => None,
        Some(Some(raw)) if raw.trim().is_empty() => None,
        Some(Some(raw)) => Some(rules::due_input("due", raw)?.to_string()),
    };
    // only the owner fields given are checked: a point keeps an owner who left the body
    let given_party = input.owner_party.clone().flatten();
    let checked = owner(
        &state,
        access.draft.body_id,
        input.owner_person_id.flatten(),
        given_party.as_deref(),
    )
    .await?;
    let person = match input.owner_person_id {
        None => current.owner_person_id,
        Some(_) => checked.person,
    };
    let party = match (&input.owner_party, &current.owner_party) {
        (Some(_), _) => checked.party,
        (None, Some(code)) => state.db.resolve_party(code).await?,
        (None, None) => None,
    };
    let owner = Owner { person, party };
    check_transition(current.status, status, owner.is_set()).map_err(|message| Invalid {
        field: "status",
        message: message.into(),
    })?;
    let change = PointChange {
        from: current.status,
        status,
        text,
        owner,
        due,
        note,
        by: caller.person_id()?,
    };
    let updated = state
        .db
        .update_open_point(&current, &change, &audit_actor(&caller))
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "the open point changed while you edited it; reload it and try again".into(),
            )
        })?;
    Ok(Json(updated))
}
