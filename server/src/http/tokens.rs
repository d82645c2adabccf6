//! `/api/tokens`: a person's own API tokens, shown once at creation and stored hashed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::secret;
use crate::domain::validate::{self, Invalid};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::tokens::TokenInfo;

/// `/api/tokens` and `/api/tokens/{id}`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateToken {
    name: String,
    /// `read` or `write` (`admin` for administrators).
    scope: String,
}

/// A new token: the secret is in this answer only.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedToken {
    id: i64,
    name: String,
    scope: String,
    token: String,
}

#[utoipa::path(
    get,
    path = "/api/tokens",
    tag = "tokens",
    summary = "One's API tokens (never the secrets)",
    params(Page),
    responses((status = 200, body = Paged<TokenInfo>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<TokenInfo>>> {
    let page = page.checked()?;
    let tokens = state.db.list_tokens(caller.person_id()?).await?;
    Ok(Json(Paged::slice(tokens, page)))
}

#[utoipa::path(
    post,
    path = "/api/tokens",
    tag = "tokens",
    summary = "Create an API token; the secret is in this answer only",
    request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let person = caller.person_id()?;
    caller.require_write_scope()?;
    let name = validate::text("name", &input.name, 1, 100)?;
    let scope = input.scope.trim().to_owned();
    let allowed = match scope.as_str() {
        "read" | "write" => true,
        "admin" => caller.identity.is_admin,
        _ => false,
    };
    if !allowed {
        return Err(Invalid {
            field: "scope",
            message: "must be read or write (admin only for administrators)".into(),
        }
        .into());
    }
    let token = secret::new_token();
    let id = state
        .db
        .create_token_by(
            &name,
            &scope,
            &secret::hash(&token),
            Some(person),
            &audit_actor(&caller),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id,
            name,
            scope,
            token,
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/tokens/{id}",
    tag = "tokens",
    summary = "Revoke one of one's tokens",
    params(("id" = i64, Path, description = "id")),
    responses((status = 204, description = "done"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    let revoked = state
        .db
        .revoke_token(id, caller.person_id()?, &audit_actor(&caller))
        .await?;
    if !revoked {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
