//! The signed-in person's notifications: `/api/notifications` (list, `?unread=true`),
//! `/api/notifications/unread-count`, marking read and unread, and
//! `/api/me/notification-settings` (e-mail `immediate` | `daily_digest` | `off`, language
//! `nl` | `en`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppJson, AppPath, AppQuery, Caller, Page, Paged};
use crate::notify::Language;
use crate::state::AppState;
use crate::storage::escalation::notifications::{EmailMode, InboxItem, NotificationSettings};

/// The inbox routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread))
        .routes(routes!(read_all))
        .routes(routes!(mark_read, mark_unread))
        .routes(routes!(settings, put_settings))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    unread: bool,
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/notifications",
    tag = "notifications",
    summary = "The caller's notifications, newest first",
    params(("unread" = Option<bool>, Query, description = "only unread items"), ("offset" = Option<i64>, Query, description = "items to skip"), ("limit" = Option<i64>, Query, description = "page size, 1 to 200 (default 50)")),
    responses((status = 200, description = "one page of inbox items", body = Paged<serde_json::Value>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Paged<InboxItem>>> {
    let person = caller.person_id()?;
    let page = Page {
        offset: query.offset.unwrap_or(0),
        limit: query.limit.unwrap_or(50),
    }
    .checked()?;
    let (items, total) = state
        .db
        .list_inbox(person, query.unread, page.offset, page.limit)
        .await?;
    Ok(Json(Paged::new(items, total, page)))
}

#[utoipa::path(
    get,
    path = "/api/notifications/unread-count",
    tag = "notifications",
    summary = "How many of the caller's notifications are unread",
    responses((status = 200, description = "`{\"unread\": n}`", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn unread(State(state): State<AppState>, caller: Caller) -> Result<Json<serde_json::Value>> {
    let person = caller.person_id()?;
    Ok(Json(
        json!({ "unread": state.db.unread_count(person).await? }),
    ))
}

#[utoipa::path(
    post,
    path = "/api/notifications/read-all",
    tag = "notifications",
    summary = "Mark all the caller's notifications read",
    responses((status = 200, description = "`{\"marked\": n}`", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn read_all(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>> {
    let person = caller.person_id()?;
    let changed = state
        .db
        .mark_all_read(person, &audit_actor(&caller))
        .await?;
    Ok(Json(json!({ "marked": changed })))
}

#[utoipa::path(
    post,
    path = "/api/notifications/{id}/read",
    tag = "notifications",
    summary = "Mark one of the caller's notifications read",
    params(("id" = i64, Path, description = "id")),
    responses((status = 204, description = "marked"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    set(&state, &caller, id, true).await
}

#[utoipa::path(
    delete,
    path = "/api/notifications/{id}/read",
    tag = "notifications",
    summary = "Mark one of the caller's notifications unread",
    params(("id" = i64, Path, description = "id")),
    responses((status = 204, description = "marked"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody))
)]
async fn mark_unread(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<StatusCode> {
    set(&state, &caller, id, false).await
}

async fn set(state: &AppState, caller: &Caller, id: i64, read: bool) -> Result<StatusCode> {
    let person = caller.person_id()?;
    let marked = state
        .db
        .set_read(person, id, read, &audit_actor(caller))
        .await?;
    if !marked {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/me/notification-settings",
    tag = "notifications",
    summary = "The caller's e-mail mode and language",
    responses((status = 200, description = "the settings", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<NotificationSettings>> {
    let person = caller.person_id()?;
    Ok(Json(state.db.notification_settings(person).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SettingsInput {
    email: Option<String>,
    language: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/me/notification-settings",
    tag = "notifications",
    summary = "Change the caller's e-mail mode (immediate, daily_digest, off) or language (nl, en)",
    request_body = SettingsInput,
    responses((status = 200, description = "the settings", body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<SettingsInput>,
) -> Result<Json<NotificationSettings>> {
    caller.require_write_scope()?;
    let person = caller.person_id()?;
    let mut settings = state.db.notification_settings(person).await?;
    if let Some(email) = &input.email {
        settings.email = match email.as_str() {
            "immediate" => EmailMode::Immediate,
            "daily_digest" => EmailMode::DailyDigest,
            "off" => EmailMode::Off,
            _ => {
                return Err(Invalid {
                    field: "email",
                    message: "must be immediate, daily_digest or off".into(),
                }
                .into())
            }
        };
    }
    if let Some(language) = &input.language {
        settings.language = match language.as_str() {
            "nl" => Language::Nl,
            "en" => Language::En,
            _ => {
                return Err(Invalid {
                    field: "language",
                    message: "must be nl or en".into(),
                }
                .into())
            }
        };
    }
    state
        .db
        .put_notification_settings(person, settings, &audit_actor(&caller))
        .await?;
    Ok(Json(settings))
}
