//! `/api/openapi.json`: the OpenAPI document, generated from the `#[utoipa::path]` annotation
//! on every handler and the schemas derived on their types. `tests/integration/openapi.rs`
//! checks that it lists exactly the routes the server answers.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

/// The shared error body, `{"error": {"code": "...", "message": "..."}}`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ApiErrorBody {
    error: ApiErrorDetailBody,
}

/// A machine-readable code and a sentence a person understands.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ApiErrorDetailBody {
    code: String,
    message: String,
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Polder API",
        description = "Working groups, parties, drafts with their status flow, versions, comments. \
                       Every list is paginated (`offset`, `limit`); every error has one JSON shape. \
                       Browsers authenticate with the session cookie and send `x-csrf-token` \
                       (the `polder_csrf` cookie) on state-changing requests; other clients use \
                       `Authorization: Bearer <token>`. Documents sync over `/ws/{doc_id}` \
                       (y-websocket protocol)."
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
    ),
    components(schemas(ApiErrorBody))
)]
pub struct ApiDoc;

/// `/api/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
