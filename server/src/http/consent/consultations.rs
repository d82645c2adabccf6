//! Consultation rounds, their invitees and responses, and the guests' view.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The consultations routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
