//! The Yjs side of sync, free of sockets, tasks and databases.
//!
//! # Layout
//! - [`protocol`]: decodes one y-websocket frame into an [`protocol::Inbound`] message (with the
//!   Yjs update already validated) and encodes the frames the server sends, all through the
//!   codec in `yrs::sync`.
//! - [`anchor`]: comment anchors as Yjs relative positions, validated and resolved.
//! - [`document`]: [`document::DocState`], one document's CRDT and awareness, with the rules the
//!   server enforces on them (awareness ownership per connection, expiry, size accounting).
//! - [`scan`]: a pass over an update's bytes before yrs decodes them: refuses values nested too
//!   deeply for yrs's recursive code and lists the items with their parents.
//! - [`nesting`]: the limit on how deeply an update may nest shared types.
//! - [`relay`]: the frames a batch of stored updates goes out as (merged for readers).

pub mod anchor;
pub mod attribution;
pub mod document;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod nesting;
pub mod protocol;
pub mod relay;
pub mod scan;

#[cfg(test)]
mod property_tests;

/// Identifies one sync connection within this server process.
pub type ConnId = u64;

/// Why a sync message could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The frame is not a y-websocket message.
    #[error("malformed message: {0}")]
    Malformed(#[from] yrs::encoding::read::Error),
    /// The frame's message type is not one of sync, awareness, auth or awareness query.
    #[error("unknown message type {0}")]
    UnknownMessageType(u8),
    /// The payload of a sync message is not a Yjs update.
    #[error("payload is not a Yjs update: {0}")]
    InvalidUpdate(yrs::encoding::read::Error),
    /// yrs refused to apply an update.
    #[error("update could not be applied: {0}")]
    Apply(#[from] yrs::error::UpdateError),
    /// An awareness update could not be encoded or applied.
    #[error("awareness error: {0}")]
    Awareness(#[from] yrs::sync::awareness::Error),
    /// The payload of a sync message (or a stored update) was refused before yrs decoded it.
    #[error("update refused: {0}")]
    Scan(#[from] scan::ScanError),
}
