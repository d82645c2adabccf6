//! `GET /ws/inbox`: the signed-in person's new notifications, pushed live as JSON text frames.
//!
//! Authenticated like the sync endpoint (session cookie with a same-origin check, or a token
//! as `?token=` or `Authorization: Bearer`). The first frame is
//! `{"type":"unread","count":N}`; every new inbox item follows as
//! `{"type":"notification","item":{…}}`. The connection looks for new items when the scheduler
//! signals one (same process) and every [`POLL_EVERY`] otherwise (another process). Frames go
//! through a bounded queue; a client that does not keep up is disconnected and reloads.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use crate::auth;
use crate::error::{AppError, Result};
use crate::http::credentials;
use crate::http::openapi::ApiErrorBody;
use crate::scheduler::signal;
use crate::state::AppState;

/// How often a connection checks the database without a signal.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// Frames that may wait for one slow client.
const QUEUE: usize = 64;

/// The live inbox route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ws/inbox", get(upgrade))
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[utoipa::path(
    get,
    path = "/ws/inbox",
    tag = "notifications",
    summary = "The caller's new notifications, live (upgrades to a websocket)",
    description = "Upgrades to a websocket (send the usual `Upgrade: websocket` handshake). Authenticated like the sync endpoint: the session cookie with a same-origin `Origin`, or a token as `?token=` or `Authorization: Bearer`. The first frame is `{\"type\":\"unread\",\"count\":N}`; every new inbox item follows as `{\"type\":\"notification\",\"item\":{…}}`.",
    params(("token" = Option<String>, Query, description = "an API token, instead of the session cookie or a bearer header")),
    responses((status = 101, description = "switching protocols: the connection becomes a websocket carrying JSON text frames"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody))
)]
async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response> {
    if matches!(
        credentials::from_request(&headers, query.token.as_deref()),
        Some(auth::Credential::Session(_))
    ) && !same_origin(&headers)
    {
        return Err(AppError::Forbidden);
    }
    let identity = credentials::identify(&state, &headers, query.token.as_deref()).await?;
    let person = identity.user_id.ok_or(AppError::Forbidden)?;
    let tracker = state.tracker.clone();
    Ok(ws
        .max_message_size(4096)
        .on_upgrade(move |socket| tracker.track_future(run(state, person, socket))))
}

async fn run(state: AppState, person: i64, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<String>(QUEUE);
    let shutdown = state.shutdown.clone();
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.send(Message::Text(frame.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.send(Message::Close(None)).await;
    });
    let mut wakeups = signal::subscribe();
    let mut last = match state.db.last_inbox_id(person).await {
        Ok(last) => last,
        Err(error) => {
            tracing::warn!(%error, "live inbox cannot start");
            return;
        }
    };
    let unread = state.db.unread_count(person).await.unwrap_or(0);
    let mut open = tx
        .try_send(json!({ "type": "unread", "count": unread }).to_string())
        .is_ok();
    let mut poll = tokio::time::interval(POLL_EVERY);
    while open {
        let check = tokio::select! {
            () = shutdown.cancelled() => break,
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => false,
            },
            woken = wakeups.recv() => match woken {
                Ok(who) => who == person,
                Err(broadcast::error::RecvError::Lagged(_)) => true,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = poll.tick() => true,
        };
        if !check {
            continue;
        }
        match state.db.inbox_after(person, last).await {
            Ok(items) => {
                for item in items {
                    last = last.max(item.id);
                    let frame = json!({ "type": "notification", "item": item }).to_string();
                    if tx.try_send(frame).is_err() {
                        // slow consumer: close; the client reloads its inbox on reconnect
                        open = false;
                        break;
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "live inbox poll failed");
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// Whether a cookie-authenticated upgrade comes from a page of this server (see
/// `crate::ws`): its `Origin` names the `Host`.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/').eq_ignore_ascii_case(host)),
        (_, None) => true,
        (None, Some(_)) => false,
    }
}
