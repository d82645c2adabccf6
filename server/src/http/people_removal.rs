//! `DELETE /api/admin/people/{id}`: an administrator removes a person (see
//! [`crate::storage::person_removal`] and `docs/SECURITY.md`, "Removing a person").

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::validate::Invalid;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::extract::{audit_actor, AppPath, Caller};
use crate::state::AppState;
use crate::storage::person_removal::RemovalError;

impl From<RemovalError> for AppError {
    fn from(error: RemovalError) -> Self {
        match error {
            RemovalError::NotFound => AppError::NotFound,
            RemovalError::AlreadyRemoved
            | RemovalError::LastAdministrator
            | RemovalError::AuditNotMigrated => AppError::Conflict(error.to_string()),
            RemovalError::Storage(storage) => storage.into(),
        }
    }
}

/// `/api/admin/people/{id}`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(remove))
}

/// A removed person, as named from now on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RemovedPerson {
    /// Their id (kept, so the record stays linked).
    id: i64,
    /// How the record names them now: `voormalig lid, ZIN` or `voormalig lid`.
    pseudonym: String,
}

#[utoipa::path(
    delete,
    path = "/api/admin/people/{id}",
    tag = "people",
    summary = "Remove a person (administrators): their account, contact data, sessions, tokens, settings, feeds, memberships and grants are erased; what they did stays on the record under a pseudonym",
    params(("id" = i64, Path, description = "the person's id")),
    responses((status = 200, body = RemovedPerson), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 404, description = "not found or not visible to you", body = ApiErrorBody), (status = 409, description = "already removed, the last administrator, or an audit log that does not verify", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<i64>,
) -> Result<Json<RemovedPerson>> {
    caller.require_admin()?;
    caller.require_write_scope()?;
    if caller.identity.user_id == Some(id) {
        return Err(AppError::Invalid(Invalid {
            field: "id",
            message: "you cannot remove yourself; ask another administrator".to_owned(),
        }));
    }
    let removed = state.db.remove_person(id, &audit_actor(&caller)).await?;
    Ok(Json(RemovedPerson {
        id: removed.id,
        pseudonym: removed.pseudonym,
    }))
}
