//! What the hub knows of one connection: where to send its frames and how to close it.

use std::sync::{Arc, OnceLock};

use polder_shared::close;
use tokio_util::sync::CancellationToken;

use super::outbox::Outbox;
use crate::sync::ConnId;

/// Why the server closes a connection: a WebSocket close code and a short reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseReason {
    /// The WebSocket close code (see [`polder_shared::close`]).
    pub code: u16,
    /// A short reason sent in the close frame.
    pub reason: &'static str,
}

impl CloseReason {
    /// The outbound queue filled up.
    pub const SLOW_CONSUMER: Self = Self {
        code: close::SLOW_CONSUMER,
        reason: "too slow to keep up: reconnect to resync",
    };
    /// The peer sent something the protocol does not allow.
    pub const PROTOCOL_ERROR: Self = Self {
        code: close::PROTOCOL_ERROR,
        reason: "protocol error",
    };
    /// The document's draft was withdrawn or deleted.
    pub const GONE: Self = Self {
        code: close::GOING_AWAY,
        reason: "the document is no longer available",
    };
    /// The server is shutting down.
    pub const SHUTTING_DOWN: Self = Self {
        code: close::GOING_AWAY,
        reason: "server is shutting down: reconnect shortly",
    };
    /// Updates could not be stored, or the document could not be loaded.
    pub const STORAGE_FAILED: Self = Self {
        code: close::INTERNAL_ERROR,
        reason: "storage unavailable: reconnect to resend your changes",
    };
    /// The append statement refused an update that was already applied in memory.
    pub const RELOAD: Self = Self {
        code: close::SERVICE_RESTART,
        reason: "the document changed on another server: reconnect to resync",
    };
    /// The credential is no longer valid (revoked token, signed out, expired session, changed
    /// password): permanent, the client must sign in again.
    pub const CREDENTIAL_REVOKED: Self = Self {
        code: close::CREDENTIAL_REVOKED,
        reason: "your sign-in is no longer valid: sign in again",
    };
    /// The credential is valid but no longer gives access to this document: permanent.
    pub const ACCESS_REVOKED: Self = Self {
        code: close::ACCESS_REVOKED,
        reason: "you no longer have access to this document",
    };
}

/// A one-shot "close this connection" signal that carries the reason.
#[derive(Clone, Default)]
pub struct Kick {
    token: CancellationToken,
    reason: Arc<OnceLock<CloseReason>>,
}

impl Kick {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal. Only the first reason is kept.
    pub fn kick(&self, reason: CloseReason) {
        let _ = self.reason.set(reason);
        self.token.cancel();
    }

    /// Waits for the signal and returns its reason.
    pub async fn kicked(&self) -> CloseReason {
        self.token.cancelled().await;
        self.reason
            .get()
            .copied()
            .unwrap_or(CloseReason::SHUTTING_DOWN)
    }

    /// The reason, if the signal has fired.
    pub fn reason(&self) -> Option<CloseReason> {
        self.reason.get().copied()
    }
}

/// A connection as the document actor sees it.
pub struct Peer {
    /// Unique within this process.
    pub id: ConnId,
    /// Queue of encoded frames to the socket writer, bounded in frames and bytes.
    pub outbound: Outbox,
    /// Closes the connection.
    pub kick: Kick,
    /// Whether this connection may change the document (the document may still be frozen).
    pub can_write: bool,
    /// The person behind the connection (none for service tokens), for attribution.
    pub user_id: Option<i64>,
    /// How attribution names them when the person record is gone.
    pub label: String,
    /// The authenticated identity stamped into this connection's presence (`user` fields such as
    /// name, party and colour); `None` leaves presence as the client sent it.
    pub stamp: Option<std::sync::Arc<serde_json::Value>>,
}
