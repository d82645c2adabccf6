//! REST routes for disputes and escalation, notifications, calendar feeds and webhooks, and the
//! live inbox at `GET /ws/inbox` (served by [`crate::ws::inbox`], composed here).
//!
//! # Access
//! - Disputes are seen by the members (every role) of the working group they belong to, by the
//!   members of every forum body the dispute has reached on the ladder, and by administrators.
//! - Raising, stating a position and proposing options: members, chairs and secretariats of
//!   the working group who belong to a party (never observers). A position is the party's: any
//!   such representative of an involved party may state it (the dossier records whether they
//!   held the party's mandate); the latest statement at a level is the party's position there.
//! - Comments: everyone who sees the dispute and belongs to the working group or a reached forum.
//! - Escalating and resolving: the chair and secretariat of the working group or of the forum
//!   body at the dispute's current level. Withdrawing: a representative of the raising party.
//! - The ladder: members read it; administrators and the body's chair and secretariat set it.
//! - Notifications, settings and personal feeds: the signed-in person, their own only. Party
//!   feeds: people of that party (or administrators). Webhooks: administrators and the body's
//!   chair and secretariat. `GET /api/calendar/{secret}.ics` needs only the secret.
//!
//! # Layout
//! - [`disputes`] — `/api/bodies/{id}/disputes`, `/api/disputes/{id}…`.
//! - [`dossier`] — `/api/disputes/{id}/dossier.{md,pdf,docx}` (writers in [`crate::versions::dossier`]).
//! - [`ladder`] — `/api/bodies/{id}/ladder`.
//! - [`inbox`] — `/api/notifications…`, `/api/me/notification-settings`.
//! - [`calendar`] — feeds and `/api/calendar/{secret}.ics`.
//! - [`webhooks`] — `/api/bodies/{id}/webhooks`, `/api/webhooks/{id}…`.

pub mod calendar;
pub mod disputes;
pub mod dossier;
pub mod inbox;
pub mod ladder;
pub mod webhooks;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The escalation and notification routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(disputes::router())
        .merge(dossier::router())
        .merge(ladder::router())
        .merge(inbox::router())
        .merge(calendar::router())
        .merge(webhooks::router())
}
