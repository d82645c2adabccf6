//! Reading a credential from a request: `Authorization: Bearer`, `?token=`, or the session
//! cookie, in that order.

use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::{self, Credential, Identity};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// The credential a request carries, if any.
pub fn from_request(headers: &HeaderMap, query_token: Option<&str>) -> Option<Credential> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    if let Some(token) = bearer.or(query_token) {
        return Some(Credential::Token(token.to_owned()));
    }
    CookieJar::from_headers(headers)
        .get(auth::SESSION_COOKIE)
        .map(|cookie| Credential::Session(cookie.value().to_owned()))
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
    let credential = from_request(headers, query_token).ok_or(AppError::Unauthorized)?;
    auth::authenticate(state.storage.as_ref(), &credential)
        .await?
        .ok_or(AppError::Unauthorized)
}
