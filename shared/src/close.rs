//! WebSocket close codes used by the sync endpoint `/ws/{doc_id}`.
//!
//! Every 1xxx code here makes a y-websocket client reconnect and resync, so a closed connection
//! never leaves a client silently out of date. The 44xx codes are permanent: reconnecting with
//! the same credential cannot succeed, so clients must stop and tell the person (y-websocket's
//! provider reconnects on every close; Polder's browser client disconnects it on
//! [`is_permanent`] codes).

/// The server is shutting down or unloading the document; reconnect later.
pub const GOING_AWAY: u16 = 1001;
/// The peer sent a frame that is not a valid y-websocket message (malformed, unknown
/// message type, not a Yjs update, a text frame).
pub const PROTOCOL_ERROR: u16 = 1002;
/// A message exceeded the server's maximum message size.
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// The server could not store updates (database unavailable); the client should reconnect,
/// which resends what the server lacks.
pub const INTERNAL_ERROR: u16 = 1011;
/// The document changed under this process in a way its memory cannot follow (another process
/// froze it, or claimed a Yjs client id, while an update was on its way to the database): the
/// document is reloaded from storage; reconnect, which resends what the server lacks.
pub const SERVICE_RESTART: u16 = 1012;
/// The connection's outbound queue filled up (the client stopped reading fast enough).
/// The client should reconnect and resync.
pub const SLOW_CONSUMER: u16 = 1013;
/// Permanent: the connection's credential is no longer valid (token revoked, signed out,
/// session expired, password changed). Sign in again before reconnecting.
pub const CREDENTIAL_REVOKED: u16 = 4401;
/// Permanent: the credential is valid but no longer gives access to this document (membership
/// or grant removed). Do not reconnect.
pub const ACCESS_REVOKED: u16 = 4403;

/// Whether a close code means "do not reconnect" (the 4400–4499 range).
pub const fn is_permanent(code: u16) -> bool {
    code >= 4400 && code < 4500
}
