//! Endorsement rounds on a version and the body's consent gate.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The rounds routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
