//! Webhooks per body: `GET|POST /api/bodies/{id}/webhooks`, `DELETE /api/webhooks/{id}`
//! (switch off) and `GET /api/webhooks/{id}/deliveries` (the delivery log). Administrators and
//! the body's chair and secretariat manage them. Every notification of the body is posted as
//! JSON, signed with HMAC-SHA256 (`X-Polder-Signature`, see [`crate::notify::webhook`]); the
//! signing secret is shown once, at creation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::auth::secret;
use crate::domain::roles::BodyRole;
use crate::domain::validate::Invalid;
use crate::error::{AppError, Result};
use crate::http::audit::record;
use crate::http::bodies;
use crate::http::extract::{AppJson, AppPath, Caller};
use crate::state::AppState;
use crate::storage::escalation::webhooks::{DeliveryLog, Webhook};

/// The webhook routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/bodies/{id}/webhooks", get(list).post(create))
        .route("/api/webhooks/{id}", axum::routing::delete(remove))
        .route("/api/webhooks/{id}/deliveries", get(deliveries))
}

async fn manage(state: &AppState, caller: &Caller, body: i64) -> Result<()> {
    let (_, role) = bodies::access(state, caller, body).await?;
    if caller.identity.is_admin || role.is_some_and(BodyRole::can_steer) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<Webhook>>> {
    manage(&state, &caller, id).await?;
    Ok(Json(state.db.list_webhooks(id).await?))
}

#[derive(Deserialize)]
struct CreateInput {
    url: String,
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
    AppJson(input): AppJson<CreateInput>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    caller.require_write_scope()?;
    manage(&state, &caller, id).await?;
    let url = input.url.trim();
    let valid = reqwest::Url::parse(url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid || url.len() > 2000 {
        return Err(Invalid {
            field: "url",
            message: "must be an http(s) URL".into(),
        }
        .into());
    }
    let signing_secret = secret::new_token();
    let webhook = state
        .db
        .create_webhook(id, url, &signing_secret, caller.identity.user_id)
        .await?;
    record(
        &state,
        &caller,
        "webhook.create",
        json!({ "webhook": webhook, "body": id }),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": webhook, "url": url, "secret": signing_secret })),
    ))
}

async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    caller.require_write_scope()?;
    let body = state.db.webhook_body(id).await?.ok_or(AppError::NotFound)?;
    manage(&state, &caller, body).await?;
    if !state.db.deactivate_webhook(id).await? {
        return Err(AppError::Conflict("this webhook is already off".into()));
    }
    record(
        &state,
        &caller,
        "webhook.deactivate",
        json!({ "webhook": id, "body": body }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<Vec<DeliveryLog>>> {
    let body = state.db.webhook_body(id).await?.ok_or(AppError::NotFound)?;
    manage(&state, &caller, body).await?;
    Ok(Json(state.db.delivery_log(id, 100).await?))
}
