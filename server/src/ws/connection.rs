//! One sync connection: a reader that decodes frames and hands them to the document, and a
//! writer that drains the connection's bounded outbound queue into the socket.
//!
//! Both run in one task and stop together: when the peer goes away, when the document kicks
//! the connection (slow consumer, storage failure, shutdown), or when the reader meets a frame
//! the protocol does not allow. Every close sends a close frame with a code and a reason.

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use polder_shared::{close, DocId};
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

use super::access::SocketKind;
use super::auth::HeldCredential;
use super::presence::{PresenceGate, Verdict};
use crate::hub::outbox::{self, OutFrame, OutboxReceiver};
use crate::hub::{CloseReason, DocSession, Kick, Peer};
use crate::state::AppState;
use crate::sync::protocol::{self, Inbound};
use crate::sync::ConnId;

/// How often the server pings an idle client.
const PING_EVERY: Duration = Duration::from_secs(30);
/// A client not heard from for this long is considered gone.
const PONG_TIMEOUT: Duration = Duration::from_secs(75);

/// An accepted, authorised sync connection, ready to run.
pub struct Connection {
    /// Connection id, unique in this process.
    pub id: ConnId,
    /// The document it syncs.
    pub doc_id: DocId,
    /// Who is connected (for logs and attribution; never a token).
    pub user: String,
    /// The person, if any.
    pub user_id: Option<i64>,
    /// Whether its updates are applied.
    pub can_write: bool,
    /// The identity stamped into its presence.
    pub stamp: Option<std::sync::Arc<serde_json::Value>>,
    /// The credential it was opened with, to authorise it again when access changes.
    pub credential: HeldCredential,
    /// The access epoch seen before its credential was checked.
    pub epoch: i64,
    /// When its session expires (Unix ms), for a session credential.
    pub expires_at: Option<i64>,
    /// Shared server state.
    pub state: AppState,
    /// Held for the connection's lifetime: counts against the connection limit.
    pub _permit: OwnedSemaphorePermit,
}

impl Connection {
    /// Runs the connection until it closes.
    pub async fn run(self, socket: WebSocket) {
        let span =
            tracing::info_span!("ws", conn_id = self.id, doc_id = %self.doc_id, user = %self.user);
        self.serve(socket).instrument(span).await;
    }

    async fn serve(self, socket: WebSocket) {
        let (sink, stream) = socket.split();
        let (outbound, queue) = outbox::outbox(
            self.state.limits.outbound_queue,
            self.state.limits.sockets.outbound_queue_bytes,
            self.state.metrics.clone(),
        );
        let kick = Kick::new();
        let peer = Peer {
            id: self.id,
            outbound,
            kick: kick.clone(),
            can_write: self.can_write,
            stamp: self.stamp.clone(),
            user_id: self.user_id,
            label: self.user.clone(),
        };
        tracing::debug!(can_write = self.can_write, "connected");
        let session = self.state.hub.join(&self.doc_id, peer).await;
        let reader = async {
            match session {
                Ok(session) => {
                    let _registration = self.state.sockets.register(
                        self.credential.clone(),
                        SocketKind::Sync {
                            doc_id: self.doc_id.clone(),
                            can_write: self.can_write,
                            access: session.access_handle(),
                        },
                        kick.clone(),
                        self.epoch,
                        self.expires_at,
                    );
                    read_frames(stream, session, &kick, &self.state).await;
                }
                Err(_) => kick.kick(CloseReason::SHUTTING_DOWN),
            }
        };
        tokio::join!(write_frames(sink, queue, &kick), reader);
        if let Some(reason) = kick.reason() {
            tracing::debug!(
                code = reason.code,
                reason = reason.reason,
                "closed by server"
            );
        }
    }
}

/// Reads until the peer leaves or the connection is kicked. Dropping `session` on return
/// detaches the connection from its document.
async fn read_frames(
    mut stream: SplitStream<WebSocket>,
    session: DocSession,
    kick: &Kick,
    state: &AppState,
) {
    let mut last_heard = Instant::now();
    let mut liveness = tokio::time::interval(PING_EVERY);
    let mut presence = PresenceGate::new(&state.limits.sockets, tokio::time::Instant::now());
    loop {
        let release_at = presence
            .release_at()
            .unwrap_or_else(|| tokio::time::Instant::now() + PING_EVERY);
        let frame = tokio::select! {
            _ = kick.kicked() => return,
            () = tokio::time::sleep_until(release_at), if presence.release_at().is_some() => {
                if let Some(held) = presence.take_due(tokio::time::Instant::now()) {
                    if session.send(Inbound::Awareness(held)).await.is_err() {
                        kick.kick(CloseReason::SHUTTING_DOWN);
                        return;
                    }
                }
                continue;
            }
            () = state.shutdown.cancelled() => {
                kick.kick(CloseReason::SHUTTING_DOWN);
                return;
            }
            _ = liveness.tick() => {
                if last_heard.elapsed() > PONG_TIMEOUT {
                    tracing::info!("client stopped answering pings");
                    kick.kick(CloseReason { code: close::GOING_AWAY, reason: "no answer to pings" });
                    return;
                }
                continue;
            }
            frame = stream.next() => frame,
        };
        last_heard = Instant::now();
        let data = match frame {
            None | Some(Ok(Message::Close(_))) => {
                kick.kick(CloseReason {
                    code: 1000,
                    reason: "bye",
                });
                return;
            }
            Some(Ok(Message::Binary(data))) => data,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Text(_))) => {
                protocol_violation(state, kick, "text frames are not part of the protocol");
                return;
            }
            Some(Err(error)) => {
                match classify(&error) {
                    ReadFailure::Oversized => {
                        state.metrics.protocol_errors.inc();
                        tracing::warn!("closing: message exceeds the size limit");
                        kick.kick(CloseReason {
                            code: close::MESSAGE_TOO_BIG,
                            reason: "message too big",
                        });
                    }
                    ReadFailure::PeerGone => {
                        tracing::debug!(%error, "peer went away");
                        kick.kick(CloseReason {
                            code: close::GOING_AWAY,
                            reason: "connection lost",
                        });
                    }
                    ReadFailure::Protocol => {
                        state.metrics.protocol_errors.inc();
                        tracing::warn!(%error, "closing: websocket protocol error");
                        kick.kick(CloseReason::PROTOCOL_ERROR);
                    }
                }
                return;
            }
        };
        match protocol::decode_frame(&data) {
            Ok(Inbound::Awareness(update)) => {
                match presence.admit(update, tokio::time::Instant::now()) {
                    Verdict::Pass(update) => {
                        if session.send(Inbound::Awareness(update)).await.is_err() {
                            kick.kick(CloseReason::SHUTTING_DOWN);
                            return;
                        }
                    }
                    Verdict::Held { replaced } => {
                        if replaced {
                            state.metrics.presence_dropped.inc();
                        }
                    }
                    Verdict::TooLarge(size) => {
                        state.metrics.presence_dropped.inc();
                        tracing::debug!(size, "presence update dropped: larger than the limit");
                    }
                }
            }
            Ok(message) => {
                if session.send(message).await.is_err() {
                    kick.kick(CloseReason::SHUTTING_DOWN);
                    return;
                }
            }
            Err(error) => {
                let reason = match error {
                    crate::sync::SyncError::UnknownMessageType(_) => "unknown message type",
                    crate::sync::SyncError::InvalidUpdate(_) => "payload is not a Yjs update",
                    _ => "malformed message",
                };
                tracing::warn!(%error, bytes = data.len(), "closing: protocol error");
                protocol_violation(state, kick, reason);
                return;
            }
        }
    }
}

fn protocol_violation(state: &AppState, kick: &Kick, reason: &'static str) {
    state.metrics.protocol_errors.inc();
    kick.kick(CloseReason {
        code: close::PROTOCOL_ERROR,
        reason,
    });
}

/// What a failed read means for the connection.
enum ReadFailure {
    /// A message or frame exceeded the size limit.
    Oversized,
    /// The peer vanished (reset, closed socket): nothing to report.
    PeerGone,
    /// The peer broke the WebSocket protocol.
    Protocol,
}

fn classify(error: &axum::Error) -> ReadFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = source {
        match err.downcast_ref::<tungstenite::Error>() {
            Some(tungstenite::Error::Capacity(_)) => return ReadFailure::Oversized,
            Some(
                tungstenite::Error::Io(_)
                | tungstenite::Error::ConnectionClosed
                | tungstenite::Error::AlreadyClosed
                | tungstenite::Error::Protocol(
                    tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                ),
            ) => return ReadFailure::PeerGone,
            Some(_) => return ReadFailure::Protocol,
            None => source = err.source(),
        }
    }
    ReadFailure::Protocol
}

/// Writes queued frames, batching whatever is waiting into one flush, until kicked or the
/// queue closes; then sends the close frame.
async fn write_frames(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: OutboxReceiver,
    kick: &Kick,
) {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    // Grows to what the busiest moment needed and keeps it; an idle connection holds none, so a
    // thousand quiet connections do not hold 2.5 KiB of empty slots each.
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            biased;
            _ = kick.kicked() => break,
            count = queue.recv_many(&mut batch, 64) => {
                if count == 0 {
                    break;
                }
                if write_batch(&mut sink, &mut queue, &mut batch).await.is_err() {
                    kick.kick(CloseReason { code: close::GOING_AWAY, reason: "write failed" });
                    return;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                    kick.kick(CloseReason { code: close::GOING_AWAY, reason: "write failed" });
                    return;
                }
            }
        }
    }
    let reason = kick.reason().unwrap_or(CloseReason::SHUTTING_DOWN);
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: reason.code,
            reason: Utf8Bytes::from_static(reason.reason),
        })))
        .await;
    let _ = sink.close().await;
}

/// Writes a batch; each frame's bytes leave the connection's budget once the socket has taken
/// it (or the write failed and the connection ends).
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    queue: &mut OutboxReceiver,
    batch: &mut Vec<OutFrame>,
) -> Result<(), axum::Error> {
    let mut written = outbox::Written::default();
    let mut result = Ok(());
    for frame in batch.drain(..) {
        let bytes = frame.take(&mut written);
        if result.is_ok() {
            result = sink.feed(Message::Binary(bytes)).await;
        }
    }
    if result.is_ok() {
        result = sink.flush().await;
    }
    queue.release(written);
    result
}
