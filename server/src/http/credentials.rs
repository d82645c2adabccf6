//! The credential of a REST request (read by [`crate::auth::request`], with this server's
//! cookie name), and the rule that a read-only credential changes nothing.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{self, Credential, Identity};
use crate::error::{AppError, Result};
use crate::http::cookies;
use crate::state::AppState;

/// The credential a request carries, if any, reading the session cookie by the name this
/// server uses (`__Host-polder_session` over HTTPS, `polder_session` otherwise).
pub fn credential(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Option<Credential> {
    auth::request::credential(
        headers,
        query_token,
        cookies::names(state.secure_cookies).session,
    )
}

/// The identity behind a request's credential.
///
/// # Errors
/// [`AppError::Unauthorized`] without a valid credential; storage errors.
pub async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Result<Identity> {
    let credential = credential(state, headers, query_token).ok_or(AppError::Unauthorized)?;
    auth::authenticate(&state.db, &credential)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// Whether a method only reads.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The identity a token request was already authenticated as by
/// [`refuse_read_only_writes`], so the handler's [`crate::http::extract::Caller`] does not
/// look it up again.
#[derive(Clone)]
pub struct Authenticated(pub Identity);

/// Middleware over the REST API: a request that may change state (any method but GET, HEAD
/// and OPTIONS) with a read-only token is refused with 403 before any handler runs, whatever
/// the route, so no route can forget it. Sessions are never read-only; requests without a
/// valid token (signing in, for one) pass to the handler, which decides.
pub async fn refuse_read_only_writes(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_safe(request.method()) {
        if let Some(credential @ Credential::Token(_)) =
            auth::request::token(request.headers(), None)
        {
            match auth::authenticate(&state.db, &credential).await {
                Ok(Some(identity)) if identity.read_only => {
                    return AppError::ReadOnlyCredential.into_response();
                }
                Ok(Some(identity)) => {
                    request.extensions_mut().insert(Authenticated(identity));
                }
                // an unknown token: the handler answers as it would without this check
                Ok(None) => {}
                Err(error) => return AppError::from(error).into_response(),
            }
        }
    }
    next.run(request).await
}
