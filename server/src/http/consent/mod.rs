//! The consent API: endorsement rounds on a draft's version and the body's gate
//! ([`rounds`]), consultation rounds with their guests ([`consultations`]) and open points
//! ([`open_points`]).

pub mod consultations;
pub mod open_points;
pub mod rounds;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The consent routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(rounds::router())
        .merge(consultations::router())
        .merge(open_points::router())
}
