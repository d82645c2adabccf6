//! Reading a credential from a request's headers: `Authorization: Bearer`, `?token=`, or the
//! session cookie, in that order. The REST API and the websocket upgrades read it here alike.

use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::CookieJar;

use super::{Credential, SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// The token a request carries, as `Authorization: Bearer` or else as `?token=`.
pub fn token(headers: &HeaderMap, query_token: Option<&str>) -> Option<Credential> {
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

/// The credential a request carries, if any, reading the session cookie named `cookie_name`
/// (the one name the server uses).
pub fn credential(
    headers: &HeaderMap,
    query_token: Option<&str>,
    cookie_name: &str,
) -> Option<Credential> {
    token(headers, query_token).or_else(|| session(headers, cookie_name))
}

/// What kind of credential a request seems to carry, with a session cookie of either name.
/// For checks that only ask whether a cookie is involved (the same-origin check of websocket
/// upgrades), so that no cookie escapes them.
pub fn any_credential(headers: &HeaderMap, query_token: Option<&str>) -> Option<Credential> {
    token(headers, query_token)
        .or_else(|| session(headers, SECURE_SESSION_COOKIE))
        .or_else(|| session(headers, SESSION_COOKIE))
}
