//! The session and CSRF cookies, and `Strict-Transport-Security`.
//!
//! Over HTTPS (`--secure-cookies`, or a `https://` public URL) the cookies are named with the
//! `__Host-` prefix and are `Secure`, `Path=/`, without `Domain`, and every response carries
//! [`HSTS`]. Over plain HTTP (a local demo) they keep their plain names.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::auth;
use crate::state::AppState;

/// Name of the CSRF cookie over plain HTTP (readable by the page, unlike the session).
pub const CSRF_COOKIE: &str = "polder_csrf";
/// Name of the CSRF cookie over HTTPS.
pub const SECURE_CSRF_COOKIE: &str = "__Host-polder_csrf";
/// `Strict-Transport-Security` sent over HTTPS: one year, this host only.
pub const HSTS: &str = "max-age=31536000";
/// How long a session lasts: 14 days.
pub const SESSION_DAYS: i64 = 14;

/// The cookie names in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieNames {
    /// The HttpOnly session cookie.
    pub session: &'static str,
    /// The CSRF cookie the page reads.
    pub csrf: &'static str,
}

/// The names for a server that is (`secure`) or is not served over HTTPS.
pub fn names(secure: bool) -> CookieNames {
    if secure {
        CookieNames {
            session: auth::SECURE_SESSION_COOKIE,
            csrf: SECURE_CSRF_COOKIE,
        }
    } else {
        CookieNames {
            session: auth::SESSION_COOKIE,
            csrf: CSRF_COOKIE,
        }
    }
}

fn base(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .secure(secure)
        .path("/")
        .max_age(time::Duration::days(SESSION_DAYS))
        .build()
}

/// The session cookie: HttpOnly, `SameSite=Lax`.
pub fn session(secure: bool, session_id: String) -> Cookie<'static> {
    let mut cookie = base(names(secure).session, session_id, secure);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie
}

/// The CSRF cookie: readable by the page, `SameSite=Strict`.
pub fn csrf(secure: bool, token: String) -> Cookie<'static> {
    let mut cookie = base(names(secure).csrf, token, secure);
    cookie.set_http_only(false);
    cookie.set_same_site(SameSite::Strict);
    cookie
}

/// Cookies that remove both (with the attributes a `__Host-` cookie needs to be replaced).
pub fn removals(secure: bool) -> [Cookie<'static>; 2] {
    let names = names(secure);
    [names.session, names.csrf].map(|name| {
        let mut cookie = base(name, String::new(), secure);
        cookie.make_removal();
        cookie
    })
}

/// Adds `Strict-Transport-Security` to every response of a server served over HTTPS.
pub async fn strict_transport_security(
    State(state): State<AppState>,
    mut response: Response,
) -> Response {
    if state.secure_cookies {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
