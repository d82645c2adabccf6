//! `GET /ws/inbox`: the signed-in person's new notifications, pushed live as JSON text frames.
//!
//! Authenticated like the sync endpoint (one authenticator, [`super::auth`]: session cookie
//! with a same-origin check, or a token as `?token=` or `Authorization: Bearer`). The first
//! frame is `{"type":"unread","count":N}`; every new inbox item follows as
//! `{"type":"notification","item":{…}}`.
//!
//! Items are pushed: the scheduler that stores a notification wakes that person's sockets
//! (`InboxSignal`), in this process and, through its relay, in the others of a cluster. Only a
//! slow safety poll ([`POLL_EVERY`]) remains, for a wake-up that got lost. A socket's cursor is
//! the `seq` of the last item it sent (see [`cursor_after`]): a person's items commit in `seq`
//! order, so however their deliveries interleave, none is skipped and none is sent twice. A person may hold [`SocketLimits::max_inbox_per_person`] sockets
//! (429 beyond), the process [`SocketLimits::max_inbox_connections`] (503 beyond). Every open
//! socket is re-authorised when access changes and closed with a permanent 44xx code when its
//! credential ends. Frames go through a bounded queue; a client that does not keep up is
//! disconnected and reloads.
//!
//! [`SocketLimits::max_inbox_per_person`]: crate::config::SocketLimits::max_inbox_per_person
//! [`SocketLimits::max_inbox_connections`]: crate::config::SocketLimits::max_inbox_connections

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::{Registration, SocketKind};
use crate::error::{ApiErrorBody, AppError, Result};
use crate::hub::{CloseReason, Kick};
use crate::scheduler::signal::InboxSubscription;
use crate::state::AppState;
use crate::storage::escalation::notifications::InboxItem;

/// How often a connection checks the database without a wake-up: only items whose wake-up got
/// lost wait for it.
pub const POLL_EVERY: Duration = Duration::from_secs(30);
/// How often it checks while Redis, which carries other processes' wake-ups, does not answer.
pub const POLL_DEGRADED: Duration = Duration::from_secs(2);

/// The poll interval now: fast while wake-ups from other processes cannot arrive.
fn poll_interval(state: &AppState) -> Duration {
    match &state.redis {
        Some(bus) if !crate::hub::Bus::healthy(bus) => POLL_DEGRADED,
        _ => POLL_EVERY,
    }
}
/// Frames that may wait for one slow client.
const QUEUE: usize = 64;
/// Largest frame a client may send (it has nothing to say; pings and closes only).
const MAX_CLIENT_MESSAGE: usize = 4096;

/// Where a socket's cursor stands once it has sent `item`: at the item's `seq`, never back.
pub fn cursor_after(cursor: i64, item: &InboxItem) -> i64 {
    cursor.max(item.seq)
}

/// The live inbox route with its documentation. The app composes it with the REST API, under
/// its layers (JSON error bodies for the framework's rejections among them).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upgrade))
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
    responses((status = 101, description = "switching protocols: the connection becomes a websocket carrying JSON text frames"), (status = 401, description = "not signed in", body = ApiErrorBody), (status = 403, description = "not allowed", body = ApiErrorBody), (status = 429, description = "this person already holds the most live inbox sockets allowed", body = ApiErrorBody), (status = 503, description = "the server holds the most live inbox sockets allowed", body = ApiErrorBody))
)]
async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response> {
    let upgrader = super::auth::authenticate(&state, &headers, query.token.as_deref()).await?;
    let person = upgrader.identity.user_id.ok_or(AppError::Forbidden(None))?;
    let limits = &state.limits.sockets;
    let subscription = state
        .inbox
        .subscribe(person, limits.max_inbox_per_person)
        .ok_or_else(|| AppError::TooManyRequests {
            message: format!(
                "you already have {} live inbox connections open; close one first",
                limits.max_inbox_per_person
            ),
            retry_after_secs: 30,
        })?;
    let permit = state
        .inbox_permits
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            AppError::Unavailable(
                "the server has reached its limit of live inbox connections; try again later"
                    .into(),
            )
        })?;
    let expires_at = match upgrader.credential.session() {
        Some(session) => {
            state
                .db
                .session_expiry(&crate::auth::secret::hash(session))
                .await?
        }
        None => None,
    };
    let kick = Kick::new();
    let registration = state.sockets.register(
        upgrader.credential,
        SocketKind::Inbox { person },
        kick.clone(),
        upgrader.epoch,
        expires_at,
    );
    let live = Live {
        person,
        subscription,
        kick,
        _registration: registration,
        _permit: permit,
    };
    let tracker = state.tracker.clone();
    Ok(ws
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| tracker.track_future(live.run(state, socket))))
}

/// One open live inbox socket and what it holds.
struct Live {
    person: i64,
    subscription: InboxSubscription,
    kick: Kick,
    _registration: Registration,
    _permit: OwnedSemaphorePermit,
}

impl Live {
    async fn run(mut self, state: AppState, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let (tx, mut rx) = mpsc::channel::<String>(QUEUE);
        let kick = self.kick.clone();
        let writer = tokio::spawn(async move {
            loop {
                tokio::select! {
                    biased;
                    _ = kick.kicked() => break,
                    frame = rx.recv() => match frame {
                        Some(frame) => {
                            if sink.send(Message::Text(frame.into())).await.is_err() {
                                return;
                            }
                        }
                        None => break,
                    },
                }
            }
            let reason = kick.reason().unwrap_or(CloseReason {
                code: 1000,
                reason: "bye",
            });
            let _ = sink
                .send(Message::Close(Some(CloseFrame {
                    code: reason.code,
                    reason: Utf8Bytes::from_static(reason.reason),
                })))
                .await;
        });
        self.serve(&state, &mut stream, &tx).await;
        drop(tx);
        let _ = writer.await;
    }

    async fn serve(
        &mut self,
        state: &AppState,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
        tx: &mpsc::Sender<String>,
    ) {
        let person = self.person;
        let mut cursor = match state.db.last_inbox_seq(person).await {
            Ok(last) => last,
            Err(error) => {
                tracing::warn!(%error, "live inbox cannot start");
                return;
            }
        };
        let unread = state.db.unread_count(person).await.unwrap_or(0);
        if tx
            .try_send(json!({ "type": "unread", "count": unread }).to_string())
            .is_err()
        {
            return;
        }
        loop {
            tokio::select! {
                () = state.shutdown.cancelled() => {
                    self.kick.kick(CloseReason::SHUTTING_DOWN);
                    return;
                }
                _ = self.kick.kicked() => return,
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                },
                () = self.subscription.woken() => {}
                () = tokio::time::sleep(poll_interval(state)) => {}
            }
            match state.db.inbox_after_seq(person, cursor).await {
                Ok(items) => {
                    for item in items {
                        cursor = cursor_after(cursor, &item);
                        let frame = json!({ "type": "notification", "item": item }).to_string();
                        if tx.try_send(frame).is_err() {
                            // slow consumer: close; the client reloads its inbox on reconnect
                            self.kick.kick(CloseReason::SLOW_CONSUMER);
                            return;
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "live inbox lookup failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::NotificationType;

    fn item(id: i64, seq: i64) -> InboxItem {
        InboxItem {
            id,
            seq,
            key: format!("k{id}"),
            kind: NotificationType::DueToday,
            subject_ref: "milestone:1".into(),
            party: None,
            notification: serde_json::Value::Null,
            created_at: 0,
            read: false,
        }
    }

    #[test]
    fn the_cursor_follows_the_seq_not_the_id_and_never_moves_back() {
        // item 101 committed first (seq 1), item 100 later (seq 2): both are after cursor 0
        let mut cursor = 0;
        cursor = cursor_after(cursor, &item(101, 1));
        assert_eq!(cursor, 1);
        cursor = cursor_after(cursor, &item(100, 2));
        assert_eq!(cursor, 2);
        assert_eq!(cursor_after(cursor, &item(99, 1)), 2);
    }

    #[test]
    fn the_seq_is_not_sent_to_the_browser() {
        let frame = serde_json::to_value(item(7, 3)).unwrap();
        assert_eq!(frame["id"], 7);
        assert!(frame.get("seq").is_none(), "{frame}");
    }
}
