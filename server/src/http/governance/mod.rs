//! REST routes for role agreements, action lines, milestones and imports (being written).

use axum::Router;

use crate::state::AppState;

/// The governance routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
