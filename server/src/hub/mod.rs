//! The document hub: one owner task per loaded document, and the registry that finds it.
//!
//! # Layout
//! - [`Hub`]: the registry. [`Hub::join`] finds or starts a document's actor and attaches a
//!   connection to it; the returned [`DocSession`] forwards that connection's messages.
//! - `actor`: the per-document owner task. It loads the stored state before serving anyone,
//!   applies updates, stores them through the group-commit [`Persister`] before relaying them
//!   (encoded once, shared by every receiver), compacts the log, expires presence, and unloads
//!   the document when idle.
//! - [`peer`]: what the actor keeps per connection: an outbound queue and a [`Kick`] that
//!   closes the connection with a reason when its queue overflows.
//! - [`outbox`]: that outbound queue, bounded in frames and in bytes, with at most one
//!   full-state reply waiting per connection.
//!
//! - [`remote`]: what the processes of a cluster tell each other about a document, and the
//!   [`Bus`] that carries it ([`NoBus`] for a single process); [`heads`]: the periodic check of
//!   each loaded document's head in the database, which heals any message the bus lost.
//!
//! The hub reaches storage only through [`DocStore`] (load, append, compact, client claims, the
//! log after a number, heads), so its unit tests run on an in-memory store, a failing one
//! included.

mod actor;
#[cfg(test)]
mod cluster_tests;
pub mod heads;
pub mod outbox;
pub mod peer;
pub mod remote;
mod sequence;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polder_shared::DocId;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use peer::{CloseReason, Kick, Peer};
pub use remote::{Bus, Envelope, NoBus, NodeId, Remote};

use crate::metrics::Metrics;
use crate::storage::{DocHead, DocStore, Persister};
use crate::sync::protocol::Inbound;
use crate::sync::ConnId;

/// How the hub treats documents; part of the server configuration.
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// Largest stored size a document may grow to, in bytes.
    pub max_document_bytes: usize,
    /// Compact the update log after this many updates since the last snapshot.
    pub compact_after_updates: usize,
    /// Compact the update log after this many bytes of updates since the last snapshot.
    pub compact_after_bytes: usize,
    /// Unload a document this long after its last connection left.
    pub idle_unload: Duration,
    /// Remove a client's presence when it has not been renewed for this long.
    pub awareness_timeout: Duration,
    /// Messages that may wait for a document's actor.
    pub mailbox_capacity: usize,
    /// Deepest nesting of shared types (XML elements, maps, arrays) an update may create;
    /// deeper updates are refused with a permission-denied message. Default:
    /// [`crate::sync::nesting::DEFAULT_MAX_NESTING_DEPTH`] (100).
    pub max_nesting_depth: usize,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            max_document_bytes: 64 * 1024 * 1024,
            compact_after_updates: 1000,
            compact_after_bytes: 4 * 1024 * 1024,
            idle_unload: Duration::from_secs(60),
            awareness_timeout: Duration::from_secs(30),
            mailbox_capacity: 1024,
            max_nesting_depth: crate::sync::nesting::DEFAULT_MAX_NESTING_DEPTH,
        }
    }
}

/// Why a connection could not be attached to, or talk to, its document.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The document's actor has stopped (it failed or the server is shutting down).
    #[error("the document is no longer being served")]
    DocumentGone,
}

/// A message for a document's actor.
pub(crate) enum DocCommand {
    Join(Peer),
    Leave(ConnId),
    /// The connection's access changed while it is open (see [`AccessHandle`]).
    SetAccess {
        conn: ConnId,
        can_write: bool,
    },
    Message {
        conn: ConnId,
        message: Inbound,
    },
    /// Answers with the full state after storing everything pending; optionally first makes
    /// the document read-only (or editable again) for every connection, open or future.
    Snapshot {
        set_frozen: Option<(bool, &'static str)>,
        reply: tokio::sync::oneshot::Sender<Result<Vec<u8>, HubError>>,
    },
    /// A message of another process.
    Remote {
        origin: NodeId,
        message: Remote,
    },
    /// The document's head, as the periodic check read it.
    Head(DocHead),
}

struct HubShared {
    docs: Mutex<HashMap<DocId, mpsc::Sender<DocCommand>>>,
    storage: Arc<dyn DocStore>,
    persister: Persister,
    bus: Arc<dyn Bus>,
    metrics: Arc<Metrics>,
    settings: HubSettings,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    next_conn: AtomicU64,
}

/// The registry of loaded documents; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<HubShared>,
}

impl Hub {
    /// Creates an empty hub. Actors are spawned on `tracker` and stop when `shutdown` fires,
    /// after storing what they hold. `bus` carries messages to the other processes of a
    /// cluster ([`NoBus`] for a single process).
    pub fn new(
        storage: Arc<dyn DocStore>,
        persister: Persister,
        bus: Arc<dyn Bus>,
        metrics: Arc<Metrics>,
        settings: HubSettings,
        shutdown: CancellationToken,
        tracker: TaskTracker,
    ) -> Self {
        Self {
            shared: Arc::new(HubShared {
                docs: Mutex::new(HashMap::new()),
                storage,
                persister,
                bus,
                metrics,
                settings,
                shutdown,
                tracker,
                next_conn: AtomicU64::new(1),
            }),
        }
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> ConnId {
        self.shared.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Number of documents in memory.
    pub fn loaded_documents(&self) -> usize {
        self.lock_docs().len()
    }

    /// The documents in memory.
    pub fn loaded_doc_ids(&self) -> Vec<DocId> {
        self.lock_docs().keys().cloned().collect()
    }

    /// This process's id in the cluster.
    pub fn node(&self) -> NodeId {
        self.shared.bus.node()
    }

    /// Hands a message of another process to its document's actor, if the document is in
    /// memory here. Never waits: when the mailbox is full the message is dropped (and counted);
    /// the head check finds what it carried.
    pub fn deliver_remote(&self, envelope: Envelope) {
        if envelope.origin == self.node() {
            return;
        }
        let command = DocCommand::Remote {
            origin: envelope.origin,
            message: envelope.message,
        };
        self.try_deliver(&envelope.doc_id, command);
    }

    /// Hands each loaded document its head as the periodic check read it.
    pub fn deliver_heads(&self, heads: Vec<DocHead>) {
        for head in heads {
            let doc_id = head.doc_id.clone();
            self.try_deliver(&doc_id, DocCommand::Head(head));
        }
    }

    fn try_deliver(&self, doc_id: &DocId, command: DocCommand) {
        let mailbox = self.lock_docs().get(doc_id).cloned();
        if let Some(mailbox) = mailbox {
            if mailbox.try_send(command).is_err() {
                self.shared.metrics.cluster.inbound_dropped.inc();
            }
        }
    }

    /// Whether messages between processes flow now.
    pub fn bus_healthy(&self) -> bool {
        self.shared.bus.healthy()
    }

    /// The storage the hub reads heads from.
    pub(crate) fn storage(&self) -> &Arc<dyn DocStore> {
        &self.shared.storage
    }

    /// Attaches a connection to a document, loading the document first if needed. The actor
    /// greets the peer (sync step 1 and presence) through its outbound queue once the stored
    /// state is loaded.
    ///
    /// # Errors
    /// [`HubError::DocumentGone`] when the server is shutting down.
    pub async fn join(&self, doc_id: &DocId, peer: Peer) -> Result<DocSession, HubError> {
        let conn = peer.id;
        let mailbox = self.deliver(doc_id, DocCommand::Join(peer)).await?;
        Ok(DocSession::new(conn, mailbox))
    }

    /// Freezes a document (read-only for everyone, including open connections) or unfreezes it,
    /// and returns its full state as a Yjs v1 update, taken after every pending update is stored.
    ///
    /// # Errors
    /// [`HubError::DocumentGone`] when the document cannot be loaded or stored.
    pub async fn set_frozen(
        &self,
        doc_id: &DocId,
        frozen: bool,
        reason: &'static str,
    ) -> Result<Vec<u8>, HubError> {
        self.snapshot_with(doc_id, Some((frozen, reason))).await
    }

    /// The document's full state as a Yjs v1 update, taken after every pending update is stored.
    ///
    /// # Errors
    /// [`HubError::DocumentGone`] when the document cannot be loaded or stored.
    pub async fn snapshot(&self, doc_id: &DocId) -> Result<Vec<u8>, HubError> {
        self.snapshot_with(doc_id, None).await
    }

    async fn snapshot_with(
        &self,
        doc_id: &DocId,
        set_frozen: Option<(bool, &'static str)>,
    ) -> Result<Vec<u8>, HubError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.deliver(doc_id, DocCommand::Snapshot { set_frozen, reply })
            .await?;
        answer.await.map_err(|_| HubError::DocumentGone)?
    }

    /// Delivers a command to a document's actor, starting the actor (which loads the document
    /// before it reads its mailbox) when the document is not in memory.
    async fn deliver(
        &self,
        doc_id: &DocId,
        mut command: DocCommand,
    ) -> Result<mpsc::Sender<DocCommand>, HubError> {
        for _ in 0..3 {
            if self.shared.shutdown.is_cancelled() {
                return Err(HubError::DocumentGone);
            }
            let mailbox = {
                let mut docs = self.lock_docs();
                let mailbox = docs
                    .entry(doc_id.clone())
                    .or_insert_with(|| self.spawn_actor(doc_id.clone()))
                    .clone();
                // Sent under the lock: an actor unloads only with an empty mailbox, checked
                // under the same lock, so a command is never left in a mailbox nobody reads.
                match mailbox.try_send(command) {
                    Ok(()) => return Ok(mailbox),
                    Err(TrySendError::Full(back)) => {
                        command = back;
                        Some(mailbox)
                    }
                    Err(TrySendError::Closed(back)) => {
                        command = back;
                        docs.remove(doc_id);
                        None
                    }
                }
            };
            if let Some(mailbox) = mailbox {
                return match mailbox.send(command).await {
                    Ok(()) => Ok(mailbox),
                    Err(_) => Err(HubError::DocumentGone),
                };
            }
        }
        Err(HubError::DocumentGone)
    }

    fn spawn_actor(&self, doc_id: DocId) -> mpsc::Sender<DocCommand> {
        let (mailbox, inbox) = mpsc::channel(self.shared.settings.mailbox_capacity);
        let hub = self.clone();
        self.shared.tracker.spawn(actor::run(hub, doc_id, inbox));
        mailbox
    }

    /// Removes a document from the registry if nothing waits in its mailbox. Called by the
    /// actor before it exits.
    fn unregister_if_idle(&self, doc_id: &DocId, inbox: &mpsc::Receiver<DocCommand>) -> bool {
        let mut docs = self.lock_docs();
        if !inbox.is_empty() {
            return false;
        }
        docs.remove(doc_id);
        true
    }

    /// Removes a document from the registry unconditionally (its actor failed).
    fn unregister(&self, doc_id: &DocId) {
        self.lock_docs().remove(doc_id);
    }

    fn lock_docs(&self) -> std::sync::MutexGuard<'_, HashMap<DocId, mpsc::Sender<DocCommand>>> {
        // A panic while holding this lock cannot leave the map inconsistent (every operation
        // on it is a single insert or remove), so a poisoned lock is still usable.
        self.shared
            .docs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A connection's link to its document's actor. Dropping it detaches the connection.
pub struct DocSession {
    conn: ConnId,
    mailbox: mpsc::Sender<DocCommand>,
}

impl DocSession {
    fn new(conn: ConnId, mailbox: mpsc::Sender<DocCommand>) -> Self {
        Self { conn, mailbox }
    }

    /// Forwards a decoded message to the document, waiting while its mailbox is full.
    ///
    /// # Errors
    /// [`HubError::DocumentGone`] when the actor has stopped.
    pub async fn send(&self, message: Inbound) -> Result<(), HubError> {
        self.mailbox
            .send(DocCommand::Message {
                conn: self.conn,
                message,
            })
            .await
            .map_err(|_| HubError::DocumentGone)
    }
}

impl DocSession {
    /// A handle that changes this connection's write access while it is open.
    pub fn access_handle(&self) -> AccessHandle {
        AccessHandle {
            conn: self.conn,
            mailbox: self.mailbox.clone(),
        }
    }
}

/// Changes one open connection's write access in its document (after a role change).
#[derive(Clone)]
pub struct AccessHandle {
    conn: ConnId,
    mailbox: mpsc::Sender<DocCommand>,
}

impl AccessHandle {
    /// Makes the connection read-only (it is told so at once) or writable again.
    ///
    /// # Errors
    /// [`HubError::DocumentGone`] when the document's actor has stopped.
    pub async fn set_can_write(&self, can_write: bool) -> Result<(), HubError> {
        self.mailbox
            .send(DocCommand::SetAccess {
                conn: self.conn,
                can_write,
            })
            .await
            .map_err(|_| HubError::DocumentGone)
    }
}

impl Drop for DocSession {
    fn drop(&mut self) {
        if let Err(TrySendError::Full(leave)) = self.mailbox.try_send(DocCommand::Leave(self.conn))
        {
            let mailbox = self.mailbox.clone();
            tokio::spawn(async move {
                let _ = mailbox.send(leave).await;
            });
        }
    }
}
