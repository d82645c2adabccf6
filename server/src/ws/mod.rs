//! The WebSocket endpoints: sync at `GET /ws/{doc_id}` (authorisation before the upgrade, then
//! one [`connection`] loop per socket) and the live inbox at `GET /ws/inbox` ([`inbox`]).
//!
//! - [`auth`]: the one authenticator both upgrades go through (with the same-origin check
//!   for cookies).
//! - [`inbox`]: the signed-in person's new notifications, pushed live.
//! - [`access`]: open sockets are authorised again when access changes.
//! - `presence`: the per-connection presence size cap and rate limit.
//!
//! Nothing is loaded for a request that is not allowed: the document id is checked (400), the
//! credential (401), the access to the document (403) and the connection limit (503) before
//! the upgrade is accepted and the document is touched.

pub mod access;
pub mod auth;
pub mod connection;
pub mod inbox;
mod presence;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use polder_shared::DocId;
use serde::Deserialize;

use crate::auth::{self as credentials_auth, Access};
use crate::error::{AppError, Result};
use crate::state::AppState;

/// Initial read buffer per connection; it grows for larger messages. tungstenite's default
/// (128 KiB, allocated up front) would dominate the memory of an idle connection.
const READ_BUFFER_BYTES: usize = 2 * 1024;
/// Bytes of queued frames after which the writer writes to the socket even before a flush.
const WRITE_BUFFER_BYTES: usize = 4 * 1024;

/// `/ws/{doc_id}` (`/ws/inbox` is [`inbox::router`]).
pub fn router() -> Router<AppState> {
    Router::new().route("/ws/{doc_id}", get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    token: Option<String>,
}

async fn upgrade(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Query(query): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response> {
    let doc_id = DocId::parse(&raw_id).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let upgrader = auth::authenticate(&state, &headers, query.token.as_deref()).await?;
    let identity = upgrader.identity;
    if identity.is_guest {
        // a guest reads a consultation's version through the REST route only
        return Err(AppError::refused(crate::auth::guest::REFUSAL));
    }
    let access = credentials_auth::document_access(&state.db, &identity, &doc_id)
        .await?
        .ok_or(AppError::Forbidden(None))?;
    if !state.db.document_exists(&doc_id).await? {
        if !identity.is_admin {
            return Err(AppError::Forbidden(None));
        }
        if state.db.create_document(&doc_id, &identity.name).await? {
            tracing::info!(doc_id = %doc_id, by = %identity.name, "document created");
        }
    }
    let permit = state
        .connection_permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            AppError::Unavailable(
                "the server has reached its connection limit; try again later".into(),
            )
        })?;
    let stamp = presence_stamp(&state, &identity).await?;
    let expires_at = match upgrader.credential.session() {
        Some(session) => {
            state
                .db
                .session_expiry(&credentials_auth::secret::hash(session))
                .await?
        }
        None => None,
    };
    let max = state.limits.max_message_bytes;
    let tracker = state.tracker.clone();
    let conn = connection::Connection {
        id: state.hub.next_conn_id(),
        doc_id,
        user: identity.name.clone(),
        user_id: identity.user_id,
        can_write: access == Access::Write,
        stamp: Some(std::sync::Arc::new(stamp)),
        credential: upgrader.credential,
        epoch: upgrader.epoch,
        expires_at,
        state,
        _permit: permit,
    };
    Ok(ws
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| tracker.track_future(conn.run(socket))))
}

/// The `user` fields the server writes into this connection's presence: who it really is.
async fn presence_stamp(
    state: &AppState,
    identity: &credentials_auth::Identity,
) -> Result<serde_json::Value> {
    let person = match identity.user_id {
        Some(id) => state.db.find_person(id).await?,
        None => None,
    };
    Ok(match person {
        Some(person) => serde_json::json!({
            "id": person.id,
            "name": person.name,
            "party": person.party,
            "color": person.colour,
        }),
        None => serde_json::json!({
            "name": identity.name,
            "party": null,
            "color": crate::storage::people::NO_PARTY_COLOUR,
        }),
    })
}
