//! WebSocket close codes used by the sync endpoint `/ws/{doc_id}`.
//!
//! Every code here makes a y-websocket client reconnect and resync, except where noted,
//! so a closed connection never leaves a client silently out of date.

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
/// The connection's outbound queue filled up (the client stopped reading fast enough).
/// The client should reconnect and resync.
pub const SLOW_CONSUMER: u16 = 1013;
