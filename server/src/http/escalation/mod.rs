//! REST routes for disputes, notifications and calendar feeds (being written).

use axum::Router;

use crate::state::AppState;

/// The escalation and notification routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
