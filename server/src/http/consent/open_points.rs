//! Open points of a draft.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The open_points routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
