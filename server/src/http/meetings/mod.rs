//! The meetings API.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The meetings routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
