//! The sync endpoint `GET /ws/{doc_id}`: authorisation before the upgrade, then one
//! [`connection`] loop per socket.
//!
//! Nothing is loaded for a request that is not allowed: the document id is checked (400), the
//! credential (401), the access to the document (403) and the connection limit (503) before
//! the upgrade is accepted and the document is touched.

pub mod connection;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use polder_shared::DocId;
use serde::Deserialize;

use crate::auth::{self, Access};
use crate::error::{AppError, Result};
use crate::http::credentials;
use crate::state::AppState;

/// Initial read buffer per connection; it grows for larger messages. tungstenite's default
/// (128 KiB, allocated up front) would dominate the memory of an idle connection.
const READ_BUFFER_BYTES: usize = 2 * 1024;
/// Bytes of queued frames after which the writer writes to the socket even before a flush.
const WRITE_BUFFER_BYTES: usize = 4 * 1024;

/// `/ws/{doc_id}`.
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
    if matches!(
        credentials::from_request(&headers, query.token.as_deref()),
        Some(auth::Credential::Session(_))
    ) && !same_origin(&headers)
    {
        // A page on another site could open this socket with the visitor's cookie.
        return Err(AppError::Forbidden);
    }
    let identity = credentials::identify(&state, &headers, query.token.as_deref()).await?;
    let access = auth::document_access(state.storage.as_ref(), &identity, &doc_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    if !state.storage.document_exists(&doc_id).await? {
        if !identity.is_admin {
            return Err(AppError::Forbidden);
        }
        if state
            .storage
            .create_document(&doc_id, &identity.name)
            .await?
        {
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
    let max = state.limits.max_message_bytes;
    let tracker = state.tracker.clone();
    let conn = connection::Connection {
        id: state.hub.next_conn_id(),
        doc_id,
        user: identity.name.clone(),
        user_id: identity.user_id,
        can_write: access == Access::Write,
        stamp: Some(std::sync::Arc::new(stamp)),
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
async fn presence_stamp(state: &AppState, identity: &auth::Identity) -> Result<serde_json::Value> {
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

/// Whether a cookie-authenticated upgrade comes from a page of this server: its `Origin` names
/// the same host as the `Host` header (browsers always send `Origin` on WebSocket upgrades).
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
        // Non-browser clients send no Origin; a cross-site page cannot suppress it.
        (_, None) => true,
        (None, Some(_)) => false,
    }
}
