//! Signing in and out with a session cookie, and `/api/me`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::auth::{self, password, secret};
use crate::error::{AppError, Result};
use crate::http::credentials;
use crate::state::AppState;
use crate::storage::now_ms;

/// How long a session lasts.
const SESSION_DAYS: i64 = 14;

/// `/api/session` and `/api/me`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(sign_in).delete(sign_out))
        .route("/api/me", get(me))
}

/// Sign-in form.
#[derive(Deserialize)]
struct SignIn {
    email: String,
    password: SecretString,
}

/// Who is signed in.
#[derive(Serialize)]
struct Me {
    id: Option<i64>,
    name: String,
    is_admin: bool,
}

async fn sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    Json(form): Json<SignIn>,
) -> Result<(CookieJar, StatusCode)> {
    let user = state.storage.find_user_by_email(form.email.trim()).await?;
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let valid = password::verify_password(stored, form.password)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let (true, Some(user)) = (valid, user) else {
        return Err(AppError::Unauthorized);
    };
    let session_id = secret::new_session_id();
    let expires = now_ms() + SESSION_DAYS * 24 * 3600 * 1000;
    state
        .storage
        .create_session(&secret::hash(&session_id), user.id, expires)
        .await?;
    let cookie = Cookie::build((auth::SESSION_COOKIE, session_id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .path("/")
        .max_age(time::Duration::days(SESSION_DAYS))
        .build();
    Ok((jar.add(cookie), StatusCode::NO_CONTENT))
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode)> {
    if let Some(cookie) = jar.get(auth::SESSION_COOKIE) {
        state
            .storage
            .delete_session(&secret::hash(cookie.value()))
            .await?;
    }
    Ok((
        jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>> {
    let identity = credentials::identify(&state, &headers, None).await?;
    Ok(Json(Me {
        id: identity.user_id,
        name: identity.name,
        is_admin: identity.is_admin,
    }))
}
