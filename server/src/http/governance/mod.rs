//! REST routes for role agreements, action lines, milestones, the programme dashboard and
//! milestone imports.
//!
//! # Access
//! Everyone who may see the body (its members of every role, and administrators) reads.
//! The programme team (chair and secretariat of the body) changes agreements, action lines and
//! milestones and imports tables. A party's sign-off is given by a person holding that party's
//! mandate in the body. A milestone's status may also be changed by members of an owner party;
//! progress notes may be added by every member except observers.
//!
//! # Layout
//! - [`role_agreements`] serves `/api/bodies/{id}/role-agreements`, `/api/role-agreements/{id}…`.
//! - [`milestones`] serves action lines and milestones with status, notes and links.
//! - [`dashboard`] serves due soon, late, by party, by action line; CSV export.
//! - [`imports`] serves `/api/bodies/{id}/imports`.

pub mod dashboard;
pub mod imports;
pub mod milestones;
pub mod role_agreements;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::NaiveDate;
use polder_shared::ApiError;

use crate::domain::roles::BodyRole;
use crate::domain::validate::Invalid;
use crate::error::{AppError, Result};
use crate::http::bodies;
use crate::http::extract::Caller;
use crate::state::AppState;

/// The governance routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(role_agreements::router())
        .merge(milestones::router())
        .merge(dashboard::router())
        .merge(imports::router())
}

/// The caller's role in the body, failing unless they may read it.
///
/// # Errors
/// [`AppError::NotFound`] for outsiders.
pub(crate) async fn reader(
    state: &AppState,
    caller: &Caller,
    body_id: i64,
) -> Result<Option<BodyRole>> {
    Ok(bodies::access(state, caller, body_id).await?.1)
}

/// Fails unless the caller is on the body's programme team (chair or secretariat) with a
/// credential that may write.
///
/// # Errors
/// [`AppError::NotFound`] for outsiders, [`AppError::Forbidden`] for everyone else.
pub(crate) async fn steering(state: &AppState, caller: &Caller, body_id: i64) -> Result<BodyRole> {
    let role = reader(state, caller, body_id).await?;
    caller.require_write_scope()?;
    match role {
        Some(role) if role.can_steer() => Ok(role),
        _ => Err(AppError::Forbidden),
    }
}

/// A 403 answer with a sentence saying why.
pub(crate) fn refused(message: impl Into<String>) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(ApiError::new("forbidden", message)),
    )
        .into_response()
}

/// Reads `?today=YYYY-MM-DD`; the server's local date when absent.
///
/// # Errors
/// [`Invalid`] naming `today`.
pub(crate) fn today(raw: Option<&str>) -> Result<NaiveDate> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(chrono::Local::now().date_naive()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Invalid {
                field: "today",
                message: "must be a date written as YYYY-MM-DD, for example 2026-05-01".into(),
            }
            .into()
        }),
    }
}

/// Resolves a party code, name or alias.
///
/// # Errors
/// [`Invalid`] naming `field` when no party has that name.
pub(crate) async fn party_id(state: &AppState, field: &'static str, name: &str) -> Result<i64> {
    state.db.resolve_party(name).await?.ok_or_else(|| {
        Invalid {
            field,
            message: format!("no party is called {name:?}; use a party code such as ZIN or VWS"),
        }
        .into()
    })
}
