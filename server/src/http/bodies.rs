//! `/api/bodies`: working groups and the other bodies on the escalation ladder, with their
//! parties and members. Administrators manage them; members see their own bodies.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::bodies::{BodyKind, Participation};
use crate::domain::roles::BodyRole;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::bodies::{Body, Membership, NewBody};

/// `/api/bodies…`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(members))
        .routes(routes!(put_member, remove_member))
}

/// A new body.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateBody {
    name: String,
    kind: String,
    ladder_level: Option<i64>,
    parent_id: Option<i64>,
    #[serde(default)]
    parties: Vec<BodyPartyInput>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct BodyPartyInput {
    code: String,
    #[serde(default = "member")]
    participation: String,
}

fn member() -> String {
    "member".into()
}

/// A membership to set.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct MemberInput {
    role: String,
    #[serde(default)]
    holds_mandate: bool,
}

#[utoipa::path(
    get,
    path = "/api/bodies",
    tag = "bodies",
    summary = "Bodies: all for administrators, otherwise the caller's own",
    params(Page),
    responses((status = 200, body = Paged<Body>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Body>>> {
    let page = page.checked()?;
    let filter = if caller.identity.is_admin {
        None
    } else {
        Some(caller.person_id()?)
    };
    Ok(Json(Paged::slice(
        state.db.list_bodies(filter).await?,
        page,
    )))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}",
    tag = "bodies",
    summary = "One body (members and administrators)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Body), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Body>> {
    access::body(&state, &caller, id).await?;
    Ok(Json(
        state.db.find_body(id).await?.ok_or(AppError::NotFound)?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/members",
    tag = "bodies",
    summary = "A body's members by party",
    params(Page, ("id" = i64, Path, description = "id")),
    responses((status = 200, body = Paged<Membership>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn members(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Membership>>> {
    let page = page.checked()?;
    access::body(&state, &caller, id).await?;
    Ok(Json(Paged::slice(state.db.list_members(id).await?, page)))
}

#[utoipa::path(
    post,
    path = "/api/bodies",
    tag = "bodies",
    summary = "Create a body (administrators)",
    request_body = CreateBody,
    responses((status = 201, body = Body), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 409, description = "a body with this name already exists", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<CreateBody>,
) -> Result<(StatusCode, Json<Body>)> {
    caller.require_admin()?;
    let name = validate::text("name", &input.name, 1, 200)?;
    let Some(kind) = BodyKind::parse(&input.kind) else {
        return Err(Invalid {
            field: "kind",
            message: format!("must be one of {}", BodyKind::NAMES.join(", ")),
        }
        .into());
    };
    let ladder_level = input.ladder_level.unwrap_or(kind.default_level());
    if let Some(parent) = input.parent_id {
        state.db.find_body(parent).await?.ok_or_else(|| Invalid {
            field: "parent_id",
            message: "there is no body with this id".into(),
        })?;
    }
    let mut parties = Vec::new();
    for party in &input.parties {
        let Some(participation) = Participation::parse(&party.participation) else {
            return Err(Invalid {
                field: "parties",
                message: "participation must be member or informed".into(),
            }
            .into());
        };
        let id = state
            .db
            .resolve_party(&party.code)
            .await?
            .ok_or_else(|| Invalid {
                field: "parties",
                message: format!("there is no party {:?}", party.code),
            })?;
        parties.push((id, participation));
    }
    let body = state
        .db
        .create_body_by(
            &NewBody {
                name: &name,
                kind,
                ladder_level,
                parent_id: input.parent_id,
                parties: &parties,
            },
            &audit_actor(&caller),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

#[utoipa::path(
    put,
    path = "/api/bodies/{id}/members/{person_id}",
    tag = "bodies",
    summary = "Give a person a role in a body (administrators)",
    params(("id" = i64, Path, description = "id"), ("person_id" = i64, Path, description = "person id")),
    request_body = MemberInput,
    responses((status = 200, body = Membership), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn put_member(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, person_id)): AppPath<(i64, i64)>,
    AppJson(input): AppJson<MemberInput>,
) -> Result<Json<Membership>> {
    caller.require_admin()?;
    state.db.find_body(id).await?.ok_or(AppError::NotFound)?;
    state
        .db
        .find_person(person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = BodyRole::parse(&input.role).ok_or_else(|| Invalid {
        field: "role",
        message: "must be chair, secretariat, member or observer".into(),
    })?;
    let membership = state
        .db
        .put_membership_by(
            id,
            person_id,
            role,
            input.holds_mandate,
            &audit_actor(&caller),
        )
        .await?;
    Ok(Json(membership))
}

#[utoipa::path(
    delete,
    path = "/api/bodies/{id}/members/{person_id}",
    tag = "bodies",
    summary = "End a membership (administrators)",
    params(("id" = i64, Path, description = "id"), ("person_id" = i64, Path, description = "person id")),
    responses((status = 204, description = "done"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, person_id)): AppPath<(i64, i64)>,
) -> Result<StatusCode> {
    caller.require_admin()?;
    let removed = state
        .db
        .remove_membership_by(id, person_id, &audit_actor(&caller))
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
