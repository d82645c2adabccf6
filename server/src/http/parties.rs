//! `/api/parties`: organisations and collectives, with aliases and colours.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::parties::{AliasOutcome, NewParty, Party};

/// `/api/parties`, `/api/parties/{id}` and `/api/parties/{code}/aliases`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(add_alias))
}

/// Another name for a party.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewAlias {
    /// The name as it is written in tables ("Zorginstituut", "NZa").
    alias: String,
}

#[utoipa::path(
    post,
    path = "/api/parties/{code}/aliases",
    tag = "parties",
    summary = "Add an alias to a party (administrators; the programme team does this from the import)",
    params(("code" = String, Path, description = "party code")),
    request_body = NewAlias,
    responses((status = 200, description = "the party with its aliases", body = Party), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn add_alias(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(code): AppPath<String>,
    AppJson(input): AppJson<NewAlias>,
) -> Result<Json<Party>> {
    caller.require_admin()?;
    let alias = validate::text("alias", &input.alias, 1, 100)?;
    let party_id = state
        .db
        .resolve_party(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    match state
        .db
        .add_party_alias(party_id, &alias, None, &audit_actor(&caller))
        .await?
    {
        AliasOutcome::Added(party) | AliasOutcome::Unchanged(party) => Ok(Json(party)),
        AliasOutcome::TakenBy(other) => Err(AppError::Conflict(format!(
            "{alias:?} already names the party {other}"
        ))),
    }
}

/// A new party.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateParty {
    code: String,
    name: String,
    colour: String,
    #[serde(default)]
    aliases: Vec<String>,
    /// Member codes; a party with members is a collective.
    #[serde(default)]
    members: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/parties",
    tag = "parties",
    summary = "Parties and collectives",
    params(Page),
    responses((status = 200, body = Paged<Party>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Party>>> {
    let page = page.checked()?;
    Ok(Json(Paged::slice(state.db.list_parties().await?, page)))
}

#[utoipa::path(
    get,
    path = "/api/parties/{id}",
    tag = "parties",
    summary = "One party",
    params(("id" = i64, Path, description = "id")),
    responses((status = 200, body = Party), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Party>> {
    state
        .db
        .find_party(id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[utoipa::path(
    post,
    path = "/api/parties",
    tag = "parties",
    summary = "Create a party or collective (administrators)",
    request_body = CreateParty,
    responses((status = 201, body = Party), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<CreateParty>,
) -> Result<(StatusCode, Json<Party>)> {
    caller.require_admin()?;
    let mut members = Vec::new();
    for code in &input.members {
        let id = state.db.resolve_party(code).await?.ok_or_else(|| {
            AppError::Invalid(validate::Invalid {
                field: "members",
                message: format!("there is no party {code:?}"),
            })
        })?;
        members.push(id);
    }
    let party = NewParty {
        code: validate::party_code("code", &input.code)?,
        name: validate::text("name", &input.name, 1, 200)?,
        colour: validate::colour("colour", &input.colour)?,
        aliases: input
            .aliases
            .iter()
            .map(|a| validate::text("aliases", a, 1, 100))
            .collect::<std::result::Result<_, _>>()?,
        members,
    };
    let created = state
        .db
        .create_party_by(&party, &audit_actor(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
