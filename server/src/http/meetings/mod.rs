//! The meetings API: a body's meeting series and meetings (the jaarplanning), the calendar
//! across bodies, agendas, packs and minutes.
//!
//! # Layout
//! - [`series`] serves `/api/bodies/{id}/meeting-series`.
//! - [`planning`] serves `/api/meetings`, `/api/bodies/{id}/meetings` and `/api/meetings/{id}`
//!   with its cancellation and minutes.
//! - [`agenda`] serves `/api/meetings/{id}/agenda…`.
//! - [`packs`] sends a pack and serves its PDF and DOCX.

pub mod agenda;
pub mod packs;
pub mod planning;
pub mod series;

use utoipa_axum::router::OpenApiRouter;

use crate::domain::meeting::{MeetingKind, MeetingStatus};
use crate::domain::validate::Invalid;
use crate::error::{AppError, Result};
use crate::http::access::BodyAccess;
use crate::state::AppState;
use crate::storage::meetings::MeetingDetail;

/// The meetings routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(series::router())
        .merge(planning::router())
        .merge(agenda::router())
        .merge(packs::router())
}

/// A meeting's detail as the caller sees it.
///
/// # Errors
/// [`AppError::NotFound`] when it is gone.
pub(crate) async fn detail(
    state: &AppState,
    access: &BodyAccess,
    id: i64,
) -> Result<MeetingDetail> {
    let mut detail = state
        .db
        .meeting_detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    detail.can_steer = access.steer().is_ok();
    Ok(detail)
}

/// Reads a meeting (or series) kind.
///
/// # Errors
/// [`Invalid`] listing the kinds.
pub(crate) fn kind(raw: &str) -> std::result::Result<MeetingKind, Invalid> {
    MeetingKind::parse(raw.trim()).ok_or_else(|| Invalid {
        field: "kind",
        message: format!("must be one of {}", MeetingKind::NAMES.join(", ")),
    })
}

/// Reads the status of a scheduled meeting: `gepland` or `voorlopig` (cancelling is its own
/// route).
///
/// # Errors
/// [`Invalid`] otherwise.
pub(crate) fn status(raw: &str) -> std::result::Result<MeetingStatus, Invalid> {
    match MeetingStatus::parse(raw.trim()) {
        Some(s @ (MeetingStatus::Gepland | MeetingStatus::Voorlopig)) => Ok(s),
        _ => Err(Invalid {
            field: "status",
            message:
                "must be gepland or voorlopig; cancel a meeting with POST /api/meetings/{id}/cancel"
                    .into(),
        }),
    }
}
