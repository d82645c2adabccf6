//! Liveness, readiness and metrics for operators.
//!
//! `/metrics` tells a lot about the instance (documents, connections, errors), so it answers
//! only to `Authorization: Bearer` with the configured metrics token (`--metrics-token`) or an
//! `admin`-scoped API token: 401 without a token, 403 with any other.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::ExposeSecret;

use crate::auth::{self, Credential};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// `/healthz`, `/readyz` and `/metrics`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The server can serve: the database answers and it is not shutting down. The answer also
/// says whether Redis answers (`redis: ok`, `down`, or `off` without `--redis-url`): a process
/// whose Redis is down still serves everything, with other processes' updates arriving by
/// polling the database, so Redis does not decide readiness.
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    let redis = match &state.redis {
        None => "off",
        Some(bus) if crate::hub::Bus::healthy(bus) => "ok",
        Some(_) => "down",
    };
    if state.shutdown.is_cancelled() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("shutting down\ndatabase: ok\nredis: {redis}\n"),
        );
    }
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            format!("ready\ndatabase: ok\nredis: {redis}\n"),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database unavailable\ndatabase: down\nredis: {redis}\n"),
            )
        }
    }
}

/// Prometheus text exposition, for the metrics token or an administrator's token.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    may_read_metrics(&state, &headers).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response())
}

async fn may_read_metrics(state: &AppState, headers: &HeaderMap) -> Result<()> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(AppError::Unauthorized)?;
    if let Some(expected) = &state.auth.metrics_token {
        if constant_time_eq(expected.expose_secret().as_bytes(), bearer.as_bytes()) {
            return Ok(());
        }
    }
    let identity = auth::authenticate(&state.db, &Credential::Token(bearer.to_owned()))
        .await?
        .ok_or(AppError::Unauthorized)?;
    if identity.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
