//! `/api/audit`: administrators read the log that every state-changing route appends to
//! with [`crate::http::extract::record`].

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiErrorBody, Result};
use crate::http::extract::{AppQuery, Caller, Page, Paged};
use crate::state::AppState;
use crate::storage::audit::AuditEntry;

/// `/api/audit`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
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
