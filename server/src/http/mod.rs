//! The HTTP API: one file per resource, each returning its routes together with their
//! documentation; [`api`] assembles them with the OpenAPI document, and the server's router is
//! composed in `crate::app` from [`api`], the sync endpoints of [`crate::ws`] and the web app's
//! files ([`with_static_files`], from [`client_app`]), then given the layers of every answer
//! ([`finish`]).
//!
//! # Layout
//! Resource files, which import none of each other, only the shared modules below:
//! - [`session`]: `/api/session` (sign in and out), `/api/me`, password change.
//! - [`parties`], [`people`], [`bodies`], [`drafts`], [`comments`], [`follows`], [`versions`],
//!   [`tokens`], [`audit`]: one REST resource each; [`archive`]: a body's archive download.
//! - [`governance`]: role agreements, action lines and milestones, dashboard, imports.
//! - [`escalation`]: disputes and their dossiers, the ladder, notifications, calendar feeds,
//!   webhooks.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics` (not in the API document).
//! - [`public`]: the public progress pages below `/openbaar` (no sign-in, HTML, not in the
//!   API document).
//! - [`client_app`]: the web client at `/`, built into the binary (or `--static-dir`).
//!
//! Shared by them:
//! - [`access`]: what the caller may do in a body (read, write, steer, sign off for a party),
//!   read in one query, and the loaders that find a draft's, dispute's, agreement's, milestone's
//!   or action line's body; outsiders get 404, members who may not 403
//!   ([`crate::error::AppError::Forbidden`], with a reason where one helps).
//! - [`extract`]: the caller, JSON bodies, queries and paths with the API's error shape,
//!   pagination, list limits and the audit [`extract::record`].
//! - [`render`]: exports, comparisons and dossiers on the blocking pool, bounded in number,
//!   time and document size.
//! - [`credentials`]: reading a session cookie or token from a request; read-only tokens
//!   change nothing.
//! - [`cookies`]: the session and CSRF cookies and HSTS.
//! - `openapi`: completes the document assembled from the resources' routers and serves it at
//!   `/api/openapi.json`. The error body it names is [`crate::error::ApiErrorBody`].

pub mod access;
pub mod archive;
pub mod audit;
pub mod bodies;
pub mod client_app;
pub mod comments;
pub mod consent;
pub mod cookies;
pub mod credentials;
pub mod decisions;
pub mod drafts;
pub mod escalation;
pub mod extract;
pub mod follows;
pub mod governance;
pub mod health;
pub mod meetings;
mod openapi;
pub mod parties;
pub mod people;
pub mod people_removal;
pub mod public;
pub mod render;
pub mod session;
pub mod tokens;
pub mod versions;

use std::path::Path;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Longest an ordinary HTTP request may take (WebSocket connections are not limited by it).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The API: every resource's routes with their documentation, `/api/openapi.json` assembled
/// from them, the probes, and the JSON 404 for unknown `/api/…` paths. Not yet given its state
/// (see [`finish`]). `sockets` are websocket routes the app composes in (the live inbox): they
/// are documented here and answer refusals in the API's JSON error shape.
///
/// Request bodies: every extractor (JSON, bytes, text) takes at most `--max-body-bytes`; the
/// import route reads its own body up to `--max-import-bytes`, a consultation response up to
/// its attachment's 10 MB and the form; and no body of the API may pass the largest of
/// these, whatever reads it. Too large answers 413 with the API's JSON error.
pub fn api(state: &AppState, sockets: OpenApiRouter<AppState>) -> Router<AppState> {
    let body_limit = state.work.max_body_bytes;
    // a consultation response carries an attachment of up to 10 MB (its route's own limit)
    let hard_limit = body_limit
        .max(state.work.max_import_bytes)
        .max(consent::consultations::MAX_UPLOAD_BYTES);
    let documented = OpenApiRouter::new()
        .merge(session::router())
        .merge(audit::router())
        .merge(parties::router())
        .merge(people::router())
        .merge(people_removal::router())
        .merge(bodies::router())
        .merge(archive::router())
        .merge(drafts::router())
        .merge(comments::router())
        .merge(follows::router())
        .merge(tokens::router())
        .merge(versions::router())
        .merge(governance::router())
        .merge(escalation::router())
        .merge(meetings::router())
        .merge(decisions::router())
        .merge(consent::router())
        .merge(sockets);
    let api = openapi::serve(documented)
        .merge(health::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::ws::access::check_after_changes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deliver_after_changes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            credentials::refuse_read_only_writes,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(hard_limit))
        .layer(axum::middleware::map_response(move |response: Response| {
            too_large_as_api_error(response, hard_limit)
        }))
        .layer(axum::middleware::map_response(
            crate::error::json_error_bodies,
        ));
    Router::new()
        .merge(api)
        .route("/api/{*rest}", any(unknown_api_route))
}

/// Middleware: after a successful state-changing request, the scheduler is woken to deliver
/// the events the change left in the outbox (a mention, a status change, …) at once rather
/// than at its next interval. A wake-up that finds nothing costs one query.
async fn deliver_after_changes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let changes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let response = next.run(request).await;
    if changes && response.status().is_success() {
        state.outbox.wake();
    }
    response
}

/// The web app at `/`: built into the binary, or from `static_dir` when given (see
/// [`client_app`]); paths that name no file get `index.html` (the app routes in the browser).
pub fn with_static_files(router: Router<AppState>, static_dir: Option<&Path>) -> Router<AppState> {
    let source = client_app::ClientSource::configured(static_dir);
    if source.has_index() {
        tracing::info!(files = %source.describe(), "serving the web client");
    } else {
        tracing::warn!(
            files = %source.describe(),
            "the web client was not built: / answers a page that says how to build it \
             (cd client && npm ci && npm run build)"
        );
    }
    client_app::serve(router, source)
}

/// Gives the composed router (API, sync endpoints, files) the layers of every answer and its
/// state. Spans name the matched route, never the raw URI, so query strings (which may carry
/// `?token=`) never reach the logs.
pub fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            cookies::strict_transport_security,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("unmatched", MatchedPath::as_str);
                tracing::info_span!("http", method = %request.method(), route)
            }),
        )
        .with_state(state)
}

/// The Content-Security-Policy of the web app: nothing inline, nothing from elsewhere, never
/// framed. Kept equal to `CONTENT_SECURITY_POLICY` in `client/vite.config.ts` (plus
/// `frame-ancestors`, which only a header can carry).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// Security headers on every response; caching rules for the web app's files.
async fn security_headers(uri: Uri, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    let path = uri.path();
    let cache = if path.starts_with("/assets/") {
        // file names carry a content hash
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

/// The body-limit layer answers 413 in plain text; the API answers in its JSON error shape.
async fn too_large_as_api_error(response: Response, limit: usize) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || is_json {
        return response;
    }
    crate::error::AppError::TooLarge(format!(
        "the request body is larger than any request of this server may be: at most {limit} \
         bytes (the larger of --max-import-bytes and --max-body-bytes); send less"
    ))
    .into_response()
}

/// Unknown `/api/…` paths answer with the API's JSON 404, not the web app.
async fn unknown_api_route() -> crate::error::AppError {
    crate::error::AppError::NotFound
}
