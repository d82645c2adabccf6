//! `/api/audit` (administrators read the log), [`actor`] (the caller as the log names them, for
//! storage functions that append the entry in the change's own transaction) and [`record`], for
//! routes whose change is not yet made in one transaction with its entry.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::http::extract::{AppQuery, Caller, Page, Paged};
use crate::http::openapi::ApiErrorBody;
use crate::state::AppState;
use crate::storage::audit::{Actor, AuditEntry};

/// `/api/audit`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/audit", get(list))
}

#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "audit",
    summary = "The audit log, newest first (administrators)",
    params(Page),
    responses((status = 200, body = Paged<AuditEntry>), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(page): AppQuery<Page>,
) -> Result<Json<Paged<AuditEntry>>> {
    caller.require_admin()?;
    let page = page.checked()?;
    let (items, total) = state.db.list_audit(page.offset, page.limit).await?;
    Ok(Json(Paged::new(items, total, page)))
}

/// The caller as the audit log names them.
pub fn actor(caller: &Caller) -> Actor {
    Actor {
        name: caller.actor(),
        party: caller.party().map(str::to_owned),
    }
}

/// Appends an audit entry for a change the caller made, in a transaction of its own.
///
/// # Errors
/// Storage errors (the change itself has already been made).
pub async fn record(
    state: &AppState,
    caller: &Caller,
    action: &str,
    subject: serde_json::Value,
) -> Result<()> {
    state
        .db
        .append_audit(&caller.actor(), caller.party(), action, &subject)
        .await?;
    Ok(())
}
