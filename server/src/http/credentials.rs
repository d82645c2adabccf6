//! Reading a credential from a request: `Authorization: Bearer`, `?token=`, or the session
//! cookie, in that order; and the rule that a read-only credential changes nothing.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::{self, Credential, Identity};
use crate::error::{AppError, Result};
use crate::http::cookies;
use crate::state::AppState;

fn token(headers: &HeaderMap, query_token: Option<&str>) -> Option<Credential> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    bearer
        .or(query_token)
        .map(|token| Credential::Token(token.to_owned()))
}

fn session(headers: &HeaderMap, name: &str) -> Option<Credential> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| Credential::Session(cookie.value().to_owned()))
}

/// The credential a request carries, if any, reading the session cookie by the name this
/// server uses (`__Host-polder_session` over HTTPS, `polder_session` otherwise).
pub fn credential(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Option<Credential> {
    token(headers, query_token)
        .or_else(|| session(headers, cookies::names(state.secure_cookies).session))
}

/// What kind of credential a request seems to carry, with a session cookie of either name.
/// For checks that only ask whether a cookie is involved (the same-origin check of websocket
/// upgrades), so that no cookie escapes them; [`identify`] reads the one name in use.
pub fn from_request(headers: &HeaderMap, query_token: Option<&str>) -> Option<Credential> {
    token(headers, query_token)
        .or_else(|| session(headers, auth::SECURE_SESSION_COOKIE))
        .or_else(|| session(headers, auth::SESSION_COOKIE))
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
        if let Some(credential @ Credential::Token(_)) = token(request.headers(), None) {
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
