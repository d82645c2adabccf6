//! `/api/openapi.json`: the OpenAPI document, generated from the `#[utoipa::path]` annotation
//! on every handler and the schemas derived on their types; [`common_responses`] adds the
//! security schemes and the error answers every route gives by the kind of input it takes.
//! `tests/integration/openapi.rs` checks that it lists exactly the routes the server answers
//! and that every reference in it resolves; `tests/api/run.sh` validates it with an
//! independent validator and calls every operation with generated input.

mod common_responses;

pub use common_responses::CommonResponses;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

pub use crate::error::ApiErrorBody;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Polder API",
        description = "Working groups, parties, drafts with their status flow, versions, comments, \
                       role agreements, action lines and milestones, disputes and escalation, \
                       notifications, calendar feeds and webhooks. \
                       Most lists are paginated (`offset`, `limit`); every error has one JSON shape. \
                       Browsers authenticate with the session cookie and send `x-csrf-token` \
                       (the session's token, from the `polder_csrf` cookie, `__Host-polder_csrf` \
                       over HTTPS) on state-changing requests; other clients use \
                       `Authorization: Bearer <token>`. Documents sync over `/ws/{doc_id}` \
                       (y-websocket protocol, not listed here); `/ws/inbox` pushes new \
                       notifications."
    ),
    paths(
        super::session::session_state,
        super::session::sign_in,
        super::session::sign_out,
        super::session::me,
        super::session::change_password,
        super::parties::list,
        super::parties::create,
        super::parties::show,
        super::people::list,
        super::people::create,
        super::people::show,
        super::bodies::list,
        super::bodies::create,
        super::bodies::show,
        super::bodies::members,
        super::bodies::put_member,
        super::bodies::remove_member,
        super::drafts::list,
        super::drafts::create,
        super::drafts::show,
        super::drafts::update,
        super::drafts::history,
        super::drafts::transition,
        super::comments::list,
        super::comments::create,
        super::comments::resolve,
        super::comments::reopen,
        super::versions::list,
        super::versions::create,
        super::versions::show,
        super::versions::compare,
        super::tokens::list,
        super::tokens::create,
        super::tokens::revoke,
        super::audit::list,
        super::governance::role_agreements::list,
        super::governance::role_agreements::create,
        super::governance::role_agreements::show,
        super::governance::role_agreements::update,
        super::governance::role_agreements::set_role,
        super::governance::role_agreements::remove_party,
        super::governance::role_agreements::sign,
        super::governance::role_agreements::history,
        super::governance::role_agreements::pending,
        super::governance::milestones::list_lines,
        super::governance::milestones::create_line,
        super::governance::milestones::show_line,
        super::governance::milestones::list,
        super::governance::milestones::create,
        super::governance::milestones::show,
        super::governance::milestones::update,
        super::governance::milestones::change_status,
        super::governance::milestones::history,
        super::governance::milestones::notes,
        super::governance::milestones::add_note,
        super::governance::milestones::links,
        super::governance::milestones::add_link,
        super::governance::dashboard::dashboard,
        super::governance::dashboard::export_csv,
        super::governance::imports::import_table,
        super::escalation::disputes::list,
        super::escalation::disputes::raise,
        super::escalation::disputes::show,
        super::escalation::disputes::position,
        super::escalation::disputes::option,
        super::escalation::disputes::comment,
        super::escalation::disputes::escalate,
        super::escalation::disputes::resolve,
        super::escalation::disputes::withdraw,
        super::escalation::dossier::markdown,
        super::escalation::dossier::pdf,
        super::escalation::dossier::docx,
        super::escalation::ladder::show,
        super::escalation::ladder::put,
        super::escalation::inbox::list,
        super::escalation::inbox::unread,
        super::escalation::inbox::read_all,
        super::escalation::inbox::mark_read,
        super::escalation::inbox::mark_unread,
        super::escalation::inbox::settings,
        super::escalation::inbox::put_settings,
        crate::ws::inbox::upgrade,
        super::escalation::calendar::serve,
        super::escalation::calendar::list,
        super::escalation::calendar::create_personal,
        super::escalation::calendar::create_party,
        super::escalation::calendar::revoke,
        super::escalation::webhooks::list,
        super::escalation::webhooks::create,
        super::escalation::webhooks::remove,
        super::escalation::webhooks::deliveries,
    ),
    components(schemas(ApiErrorBody, super::versions::Format)),
    modifiers(&CommonResponses)
)]
pub struct ApiDoc;

/// `/api/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
