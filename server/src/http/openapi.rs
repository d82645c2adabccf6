//! `/api/openapi.json`: the OpenAPI document, assembled from the routers of the resource files,
//! which register each route together with its `#[utoipa::path]` annotation (utoipa-axum's
//! `routes!`), so a route cannot be served undocumented; [`common_responses`] adds the
//! security schemes and the error answers every route gives by the kind of input it takes.
//! `tests/integration/openapi.rs` checks that every reference in it resolves and that every
//! documented route is served; `tests/api/run.sh` validates it with an
//! independent validator and calls every operation with generated input.

mod common_responses;

pub use common_responses::CommonResponses;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::AppError;
use crate::state::AppState;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Polder API",
        description = "Working groups, parties, drafts with their status flow, versions, comments, \
                       role agreements, action lines and milestones, disputes and escalation, \
                       notifications, calendar feeds and webhooks. \
                       Every list answers one page, `{items, total, offset, limit}` (query `offset`, \
                       `limit` 1 to 200, default 50); every error has one JSON shape. \
                       Browsers authenticate with the session cookie and send `x-csrf-token` \
                       (the session's token, from the `polder_csrf` cookie, `__Host-polder_csrf` \
                       over HTTPS) on state-changing requests; other clients use \
                       `Authorization: Bearer <token>`. Documents sync over `/ws/{doc_id}` \
                       (y-websocket protocol, not listed here); `/ws/inbox` pushes new \
                       notifications."
    ),
    components(schemas(crate::error::ApiErrorBody, super::versions::Format))
)]
struct ApiDoc;

/// Splits the API's routes from their documentation, completes the document (its info,
/// [`CommonResponses`]) and adds `/api/openapi.json`, which serves it.
pub fn serve(api: OpenApiRouter<AppState>) -> Router<AppState> {
    let (router, paths) = api.split_for_parts();
    let mut document = ApiDoc::openapi();
    document.merge(paths);
    CommonResponses.modify(&mut document);
    // Serialised once: the document's own structures (some MiB of maps) are freed at startup
    // instead of being held for the life of the process.
    let body = serde_json::to_vec(&document)
        .map(Bytes::from)
        .map_err(|e| e.to_string());
    drop(document);
    router.route(
        "/api/openapi.json",
        get(move || {
            let body = body.clone();
            async move {
                match body {
                    Ok(bytes) => {
                        ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
                    }
                    Err(error) => AppError::Internal(anyhow::anyhow!(
                        "the OpenAPI document cannot be serialised: {error}"
                    ))
                    .into_response(),
                }
            }
        }),
    )
}
