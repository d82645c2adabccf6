//! The decisions API.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The decisions routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
