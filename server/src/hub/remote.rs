//! What the processes of a cluster tell each other about a document, and the [`Bus`] that
//! carries it.
//!
//! The database is the log; the bus is only a doorbell. A process publishes after its commit,
//! so anything a message carries is already stored, and a message that never arrives costs
//! latency, not data: the receiver finds the gap at the next message or at the periodic head
//! check and reads the missing rows from the database. Presence is never stored; it crosses
//! only on the bus and expires when its owner stops renewing it.

use bytes::Bytes;
use polder_shared::DocId;
use serde::{Deserialize, Serialize};

/// Identifies one running process of a cluster (random at start-up).
pub type NodeId = u64;

/// Largest update payload a message carries; above it, only the sequence range is published
/// and receivers read the rows from the database.
pub const MAX_INLINE_BYTES: usize = 64 * 1024;

/// One message about one document, from the process `origin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The process that sent it.
    pub origin: NodeId,
    /// The document it is about.
    pub doc_id: DocId,
    /// What it says.
    pub message: Remote,
}

/// What a process tells the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Remote {
    /// The log rows `first_seq..=last_seq` were committed; `updates` holds them unless they
    /// were too large to publish.
    Updates {
        /// First sequence number.
        first_seq: i64,
        /// Last sequence number.
        last_seq: i64,
        /// The Yjs v1 updates, one per row, in sequence order.
        updates: Option<Vec<Bytes>>,
        /// When the commit finished (Unix ms), for the relay-latency metric.
        committed_at_ms: i64,
    },
    /// An awareness (presence) update, already stamped with the authenticated identities.
    Awareness {
        /// Encoded y-protocols awareness update.
        update: Bytes,
    },
    /// A process opened the document and asks the others for their connections' presence.
    AwarenessQuery,
    /// The document was frozen (read-only for everyone) or unfrozen.
    Frozen {
        /// Frozen or not.
        frozen: bool,
    },
}

/// Carries messages between processes. Every method returns at once: a message that cannot be
/// sent is counted and dropped, never waited for.
pub trait Bus: Send + Sync + 'static {
    /// This process's id.
    fn node(&self) -> NodeId;
    /// Whether there are other processes to tell at all (so a single process builds no
    /// messages on its hot path).
    fn carries(&self) -> bool {
        true
    }
    /// Sends a message to the other processes that hold the document.
    fn publish(&self, envelope: Envelope);
    /// Starts receiving the document's messages (called before it is loaded).
    fn subscribe(&self, doc_id: &DocId);
    /// Stops receiving them (the document left memory).
    fn unsubscribe(&self, doc_id: &DocId);
    /// Whether messages flow now; when they do not, the head check runs often.
    fn healthy(&self) -> bool;
    /// Whether the process `node` was heard from recently; its presence entries are dropped
    /// when it was not.
    fn node_alive(&self, node: NodeId) -> bool;
}

/// The bus of a single process: nothing to tell anyone.
#[derive(Debug, Default)]
pub struct NoBus;

impl Bus for NoBus {
    fn node(&self) -> NodeId {
        0
    }
    fn carries(&self) -> bool {
        false
    }
    fn publish(&self, _envelope: Envelope) {}
    fn subscribe(&self, _doc_id: &DocId) {}
    fn unsubscribe(&self, _doc_id: &DocId) {}
    fn healthy(&self) -> bool {
        true
    }
    fn node_alive(&self, _node: NodeId) -> bool {
        true
    }
}
