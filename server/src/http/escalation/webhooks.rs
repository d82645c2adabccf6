//! Webhooks per body: `GET|POST /api/bodies/{id}/webhooks`, `DELETE /api/webhooks/{id}`
//! (switch off) and `GET /api/webhooks/{id}/deliveries` (the delivery log). Administrators and
//! the body's chair and secretariat manage them. Every notification of the body is posted as
//! JSON, signed with HMAC-SHA256 (`X-Polder-Signature`, see [`crate::notify::webhook`]); the
//! signing secret is shown once, at creation.
//!
//! A URL is refused (422) unless it is `http(s)` and its host is neither an internal address
//! nor a name for this machine (see [`crate::notify::webhook::address`]); the addresses a name
//! resolves to are checked again at every attempt. Switching a webhook off cancels the
//! deliveries it has not made yet. The delivery log says per delivery and attempt only whether
//! it arrived, never the receiver's status, body or error; it is paged over every delivery of
//! the webhook, newest first.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::secret;
use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::access;
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::escalation::webhooks::{DeliveryLog, Webhook};

/// Longest webhook URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2000;

/// The webhook routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(remove))
        .routes(routes!(deliveries))
}

async fn manage(state: &AppState, caller: &Caller, body: i64) -> Result<()> {
    if access::body(state, caller, body).await?.administers() {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

#[utoipa::path(
    get,
    path = "/api/bodies/{id}/webhooks",
    tag = "webhooks",
    summary = "A body's webhooks (administrators, chair, secretariat)",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "the webhooks", body = Paged<Webhook>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<Webhook>>> {
    let page = page.checked()?;
    manage(&state, &caller, id).await?;
    Ok(Json(Paged::slice(state.db.list_webhooks(id).await?, page)))
}

/// A new webhook.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateInput {
    /// The receiver: `http(s)`, at most 2000 bytes, not an internal address.
    url: String,
}

/// A webhook just added, with its signing secret (shown this once).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedWebhook {
    /// Id.
    id: i64,
    /// Receiver URL, as stored.
    url: String,
    /// The HMAC-SHA256 signing secret of `X-Polder-Signature`.
    secret: String,
}

#[utoipa::path(
    post,
    path = "/api/bodies/{id}/webhooks",
    tag = "webhooks",
    summary = "Add a webhook (administrators, chair, secretariat); the signing secret is shown once",
    params(("id" = i64, Path, description = "id")),
    request_body = CreateInput,
    responses((status = 201, description = "the webhook with its signing secret", body = CreatedWebhook), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreateInput>,
) -> Result<(StatusCode, Json<CreatedWebhook>)> {
    caller.require_write_scope()?;
    manage(&state, &caller, id).await?;
    let url = input.url.trim();
    if url.len() > MAX_URL_BYTES {
        return Err(Invalid {
            field: "url",
            message: format!("must be at most {MAX_URL_BYTES} bytes"),
        }
        .into());
    }
    state
        .webhook_policy
        .check_url(url)
        .map_err(|error| Invalid {
            field: "url",
            message: error.to_string(),
        })?;
    let signing_secret = secret::new_token();
    let webhook = state
        .db
        .create_webhook(
            id,
            url,
            &signing_secret,
            caller.identity.user_id,
            &audit_actor(&caller),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook {
            id: webhook,
            url: url.to_owned(),
            secret: signing_secret,
        }),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/webhooks/{id}",
    tag = "webhooks",
    summary = "Switch a webhook off (administrators, chair, secretariat)",
    params(("id" = i64, Path, description = "id")),
    responses((status = 204, description = "switched off"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "conflicts with the current state", body = ApiErrorBody))
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    caller.require_write_scope()?;
    let body = state.db.webhook_body(id).await?.ok_or(AppError::NotFound)?;
    manage(&state, &caller, body).await?;
    let switched_off = state
        .db
        .deactivate_webhook(id, body, &audit_actor(&caller))
        .await?;
    if !switched_off {
        return Err(AppError::Conflict("this webhook is already off".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/webhooks/{id}/deliveries",
    tag = "webhooks",
    summary = "A webhook's delivery log, newest first (administrators, chair, secretariat)",
    params(("id" = i64, Path, description = "id"), Page),
    responses((status = 200, description = "a page of the deliveries", body = Paged<DeliveryLog>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<DeliveryLog>>> {
    let page = page.checked()?;
    let body = state.db.webhook_body(id).await?.ok_or(AppError::NotFound)?;
    manage(&state, &caller, body).await?;
    let (items, total) = state.db.delivery_log(id, page.offset, page.limit).await?;
    Ok(Json(Paged::new(items, total, page)))
}
