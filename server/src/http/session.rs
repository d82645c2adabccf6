//! Signing in and out, `/api/me`, password changes.
//!
//! Sign-in answers alike for an unknown account and a wrong password, is throttled per account
//! and per client address (see [`crate::auth::throttle`]), and sets two cookies: the HttpOnly
//! session and the session's CSRF token, which the page must echo in `x-csrf-token` on every
//! state-changing request (see [`crate::http::cookies`] for their names and attributes).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::throttle::{self, Attempt};
use crate::auth::{csrf, password, proxy, secret, Credential};
use crate::domain::validate;
use crate::error::{ApiErrorBody, AppError, Result};
use crate::http::cookies::{self, SESSION_DAYS};
use crate::http::credentials;
use crate::http::extract::{audit_actor, AppJson, Caller};
use crate::state::AppState;
use crate::storage::audit::Actor;
use crate::storage::now_ms;
use crate::storage::people::Person;

/// `/api/session`, `/api/me`, `/api/me/password`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session_state, sign_in, sign_out))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(guest_sign_in))
}

/// A guest's sign-in through the link of their invitation.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct GuestSignIn {
    /// The secret of the link `/gast/{secret}`.
    #[schema(value_type = String)]
    secret: SecretString,
}

/// Sign-in form.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SignIn {
    email: String,
    #[schema(value_type = String)]
    password: SecretString,
}

/// Password change form.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PasswordChange {
    #[schema(value_type = String)]
    current: SecretString,
    #[schema(value_type = String)]
    new: SecretString,
}

/// The client's network address: the peer of the connection, or behind a trusted proxy the
/// address it forwarded (see [`proxy::client_ip`]).
pub fn client_ip(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    proxy::client_ip(peer, &parts.headers, &state.auth.trusted_proxies)
}

struct ClientAddress(IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts, state)))
    }
}

#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    summary = "Sign in: sets the HttpOnly session cookie and the CSRF cookie",
    security(()),
    request_body = SignIn,
    responses((status = 204, description = "done"), (status = 401, description = "unknown account or wrong password", body = ApiErrorBody), (status = 429, description = "too many failed attempts; see Retry-After", body = ApiErrorBody))
)]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    AppJson(form): AppJson<SignIn>,
) -> Result<(CookieJar, StatusCode)> {
    let email = form.email.trim().to_lowercase();
    let reservation = reserve(&state, &email, address).await?;
    let user = state.db.find_user_by_email(&email).await?;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let valid = password::verify_password(stored, form.password)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let (true, Some(user)) = (valid, user) else {
        tracing::info!("failed sign-in");
        return Err(AppError::InvalidCredentials);
    };
    reservation.succeeded(&state.db).await?;
    let jar = start_session(&state, jar, user.id, &user.name, address).await?;
    Ok((jar, StatusCode::NO_CONTENT))
}

/// Counts a sign-in attempt for `account` from `address`, or refuses it while throttled.
async fn reserve(
    state: &AppState,
    account: &str,
    address: IpAddr,
) -> Result<throttle::Reservation> {
    match throttle::attempt(
        &state.db,
        account,
        &proxy::address_key(address),
        state.auth.max_failures_per_address,
        now_ms(),
    )
    .await?
    {
        Attempt::Allowed(reservation) => Ok(reservation),
        Attempt::Throttled(wait) => {
            tracing::info!("sign-in throttled");
            let minutes = wait.as_secs().div_ceil(60).max(1);
            Err(AppError::TooManyRequests {
                message: format!(
                    "too many failed sign-in attempts; try again in {minutes} minute(s)"
                ),
                retry_after_secs: wait.as_secs().max(1),
            })
        }
    }
}

/// Opens a session for the person and adds its cookie and CSRF cookie to `jar`.
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user_id: i64,
    name: &str,
    address: IpAddr,
) -> Result<CookieJar> {
    let party = state.db.find_person(user_id).await?.and_then(|p| p.party);
    let by = Actor::person(user_id, name, party);
    let session_id = secret::new_session_id();
    let expires = now_ms() + SESSION_DAYS * 24 * 3600 * 1000;
    state
        .db
        .create_session_by(
            &secret::hash(&session_id),
            user_id,
            expires,
            &address.to_string(),
            &by,
        )
        .await?;
    let secure = state.secure_cookies;
    let csrf = cookies::csrf(secure, csrf::token_for(&session_id));
    let session = cookies::session(secure, session_id);
    Ok(jar.add(session).add(csrf))
}

#[utoipa::path(
    post,
    path = "/api/guest/session",
    tag = "session",
    summary = "A guest signs in with the secret of their invitation link (throttled like signing in)",
    security(()),
    request_body = GuestSignIn,
    responses((status = 200, description = "signed in; the consultation the link is for", body = Object), (status = 401, description = "unknown or expired link", body = ApiErrorBody), (status = 429, description = "too many failed attempts; see Retry-After", body = ApiErrorBody))
)]
async fn guest_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    AppJson(form): AppJson<GuestSignIn>,
) -> Result<(CookieJar, Json<serde_json::Value>)> {
    let raw = form.secret.expose_secret();
    if raw.is_empty() || raw.len() > 100 {
        return Err(AppError::InvalidCredentials);
    }
    let hash = secret::hash(raw);
    // the hash names the account being tried, so a wrong secret never appears anywhere
    let reservation = reserve(&state, &format!("guest:{hash}"), address).await?;
    let Some((user_id, consultation_id)) = state.db.guest_link(&hash, now_ms()).await? else {
        tracing::info!("failed guest sign-in");
        return Err(AppError::InvalidCredentials);
    };
    let user = state
        .db
        .find_user(user_id)
        .await?
        .ok_or(AppError::InvalidCredentials)?;
    reservation.succeeded(&state.db).await?;
    let jar = start_session(&state, jar, user.id, &user.name, address).await?;
    Ok((
        jar,
        Json(serde_json::json!({ "consultation_id": consultation_id })),
    ))
}

/// Whether the request carries a live session, without answering 401 (browsers log every 401).
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "session",
    summary = "Whether the request carries a live session (and, if so, its CSRF cookie again)",
    security(()),
    responses((status = 200, body = Object))
)]
async fn session_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    caller: Option<Caller>,
) -> (CookieJar, Json<serde_json::Value>) {
    let signed_in = caller.is_some();
    // A live cookie session gets its CSRF cookie (again): the page asks this when it loads, so
    // a lost or outdated CSRF cookie is repaired without signing in anew.
    let jar = match credentials::credential(&state, &headers, None) {
        Some(Credential::Session(session_id)) if signed_in => jar.add(cookies::csrf(
            state.secure_cookies,
            csrf::token_for(&session_id),
        )),
        _ => jar,
    };
    (jar, Json(serde_json::json!({ "signed_in": signed_in })))
}

#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    summary = "Sign out",
    security(()),
    responses((status = 204, description = "done"))
)]
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode)> {
    let secure = state.secure_cookies;
    if let Some(cookie) = jar.get(cookies::names(secure).session) {
        state
            .db
            .delete_session(&secret::hash(cookie.value()))
            .await?;
    }
    let [session, csrf] = cookies::removals(secure);
    Ok((jar.add(session).add(csrf), StatusCode::NO_CONTENT))
}

/// `/api/me`: the person (with party), or for a service token its name.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "session",
    summary = "Who is signed in",
    responses((status = 200, body = Object), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn me(caller: Caller) -> Result<Json<serde_json::Value>> {
    Ok(Json(match &caller.person {
        Some(Person {
            id,
            name,
            email,
            party,
            colour,
            is_admin,
        }) => serde_json::json!({
            "id": id, "name": name, "email": email, "party": party, "colour": colour, "is_admin": is_admin,
            "is_guest": caller.identity.is_guest,
        }),
        None => serde_json::json!({
            "id": null, "name": caller.identity.name, "email": null, "party": null,
            "colour": crate::storage::people::NO_PARTY_COLOUR, "is_admin": caller.identity.is_admin,
            "is_guest": false,
        }),
    }))
}

#[utoipa::path(
    put,
    path = "/api/me/password",
    tag = "session",
    summary = "Change one's password (ends all sessions and revokes all API tokens)",
    request_body = PasswordChange,
    responses((status = 204, description = "done"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 422, description = "invalid input; the message names the field", body = ApiErrorBody))
)]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(form): AppJson<PasswordChange>,
) -> Result<StatusCode> {
    let person = caller.person_id()?;
    let user = state
        .db
        .find_user(person)
        .await?
        .ok_or(AppError::NotFound)?;
    let valid = password::verify_password(Some(user.password_hash), form.current)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if !valid {
        return Err(AppError::Forbidden(None));
    }
    validate::text("new", form.new.expose_secret(), 12, 200)?;
    let hash = password::hash_password(form.new)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    state
        .db
        .set_password(person, &hash, &audit_actor(&caller))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
