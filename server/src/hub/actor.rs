//! The owner task of one loaded document.
//!
//! Order of work, which is what makes the durability promise hold:
//! 1. load the stored state; nobody is greeted before it is in memory;
//! 2. take every waiting message (up to a batch limit), applying updates in memory;
//! 3. store the batch's updates in one group commit and only then relay them; any message that
//!    needs the document's state for a reply (a join, a sync step 1) first flushes what is
//!    pending, so no peer ever sees an update that is not stored;
//! 4. if storing fails, the in-memory state is ahead of storage: every peer is closed (they
//!    reconnect and resend) and the actor stops, so the next join reloads from storage.
//!
//! Other processes may hold the same document (`cluster`): after each commit the actor
//! publishes what it stored, applies what the others stored in sequence order, and reads any gap
//! from the database. A snapshot of memory covers only the numbers up to which every update is
//! applied.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use polder_shared::DocId;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::remote::{Remote, MAX_INLINE_BYTES};
use super::sequence::Sequence;
use super::{CloseReason, DocCommand, Hub, Peer};
use crate::storage::{Appended, ClientClaim, DeletionRecord, UpdateBatch};
use crate::sync::attribution;
use crate::sync::document::DocState;
use crate::sync::protocol::{self, Inbound, ValidUpdate};
use crate::sync::relay::Relay;
use crate::sync::ConnId;

mod cluster;
mod compaction;
mod delivery;

/// Most messages handled before pending updates are flushed.
const MAX_BATCH: usize = 256;
/// How often the actor looks at presence expiry and idleness.
const TICK: Duration = Duration::from_millis(1000);

/// Runs a document's actor until it unloads, fails or the server shuts down.
pub(super) async fn run(hub: Hub, doc_id: DocId, inbox: mpsc::Receiver<DocCommand>) {
    let span = tracing::info_span!("document", doc_id = %doc_id);
    async move {
        hub.shared.metrics.documents_loaded.inc();
        // Subscribe before loading: what other processes commit meanwhile waits in the mailbox
        // and is applied (or found a duplicate) once the stored state is in memory.
        hub.shared.bus.subscribe(&doc_id);
        let started = Instant::now();
        match load(&hub, &doc_id).await {
            Ok(loaded) => {
                let elapsed = started.elapsed();
                hub.shared
                    .metrics
                    .document_load_seconds
                    .observe(elapsed.as_secs_f64());
                tracing::debug!(log_len = loaded.log_len, ?elapsed, "document loaded");
                let known_head = loaded.seq.highest();
                let actor = DocActor {
                    hub: hub.clone(),
                    doc_id: doc_id.clone(),
                    state: loaded.state,
                    peers: HashMap::new(),
                    pending: Vec::new(),
                    seq: loaded.seq,
                    known_head,
                    heal_at: None,
                    log_since_snapshot: loaded.log_len,
                    frozen: loaded.frozen,
                    frozen_changed: Instant::now(),
                    claims: loaded.claims,
                    pending_claims: Vec::new(),
                    pending_deletions: Vec::new(),
                    bytes_since_snapshot: 0,
                    idle_since: Instant::now(),
                };
                actor.publish(Remote::AwarenessQuery);
                actor.serve(inbox).await;
            }
            Err(error) => {
                tracing::error!(%error, "loading the document failed");
                hub.unregister(&doc_id);
                refuse_waiting(inbox);
            }
        }
        hub.shared.bus.unsubscribe(&doc_id);
        hub.shared.metrics.documents_loaded.dec();
    }
    .instrument(span)
    .await;
}

/// A document as loaded from storage.
struct Loaded {
    state: DocState,
    seq: Sequence,
    log_len: usize,
    frozen: bool,
    claims: HashMap<u64, Option<i64>>,
}

async fn load(hub: &Hub, doc_id: &DocId) -> Result<Loaded, String> {
    let storage = &hub.shared.storage;
    let stored = storage
        .load_document(doc_id)
        .await
        .map_err(|e| e.to_string())?;
    let claims = storage
        .client_claims(doc_id)
        .await
        .map_err(|e| e.to_string())?;
    let state = DocState::from_stored(
        stored.snapshot.as_deref(),
        stored.updates.iter().map(|(_, data)| data.as_slice()),
    )
    .map_err(|e| e.to_string())?;
    // Every number up to the head is in the state; rows committed after the head was read are
    // in it too, above it.
    let mut seq = Sequence::new(stored.head_seq.max(stored.snapshot_upto));
    for (number, _) in &stored.updates {
        seq.mark(*number, *number);
    }
    Ok(Loaded {
        state,
        seq,
        log_len: stored.updates.len(),
        frozen: stored.frozen,
        claims: claims.into_iter().collect(),
    })
}

/// Closes every connection that was waiting for a document that could not be loaded.
fn refuse_waiting(mut inbox: mpsc::Receiver<DocCommand>) {
    inbox.close();
    while let Ok(command) = inbox.try_recv() {
        match command {
            DocCommand::Join(peer) => peer.kick.kick(CloseReason::STORAGE_FAILED),
            DocCommand::Snapshot { reply, .. } => {
                let _ = reply.send(Err(super::HubError::DocumentGone));
            }
            DocCommand::Leave(_)
            | DocCommand::Message { .. }
            | DocCommand::SetAccess { .. }
            | DocCommand::Remote { .. }
            | DocCommand::Head(_) => {}
        }
    }
}

struct DocActor {
    hub: Hub,
    doc_id: DocId,
    state: DocState,
    peers: HashMap<ConnId, Peer>,
    /// Updates applied in memory but not yet stored, with the connection they came from.
    pending: Vec<(ConnId, Bytes)>,
    /// The log sequence numbers this state includes.
    seq: Sequence,
    /// The highest sequence number known to be stored (from own commits, other processes'
    /// messages and the head check); the state catches up when it is behind.
    known_head: i64,
    /// When to read the log for numbers still missing (a short grace lets messages in flight
    /// arrive first).
    heal_at: Option<Instant>,
    log_since_snapshot: usize,
    bytes_since_snapshot: usize,
    /// Read-only for everyone (a draft past `concept`).
    frozen: bool,
    /// When `frozen` last changed here.
    frozen_changed: Instant,
    /// Yjs client id → the person whose connection first sent its content.
    claims: HashMap<u64, Option<i64>>,
    /// Claims made by pending updates, stored with them.
    pending_claims: Vec<ClientClaim>,
    /// Deletions made by pending updates, stored with them.
    pending_deletions: Vec<DeletionRecord>,
    idle_since: Instant,
}

/// What the actor loop should do next.
enum Next {
    Continue,
    Stop,
}

impl DocActor {
    async fn serve(mut self, mut inbox: mpsc::Receiver<DocCommand>) {
        let shutdown = self.hub.shared.shutdown.clone();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let heal_at = self.heal_at;
            let next = tokio::select! {
                command = inbox.recv() => match command {
                    Some(command) => self.handle_batch(command, &mut inbox).await,
                    None => Next::Stop,
                },
                _ = tick.tick() => self.on_tick(&inbox).await,
                () = cluster::until(heal_at) => {
                    self.heal_at = None;
                    self.catch_up().await;
                    Next::Continue
                }
                () = shutdown.cancelled() => {
                    self.shut_down().await;
                    Next::Stop
                }
            };
            if matches!(next, Next::Stop) {
                break;
            }
        }
    }

    async fn handle_batch(
        &mut self,
        first: DocCommand,
        inbox: &mut mpsc::Receiver<DocCommand>,
    ) -> Next {
        let mut command = Some(first);
        let mut handled = 0;
        while let Some(current) = command.take() {
            if let Next::Stop = self.handle(current).await {
                return Next::Stop;
            }
            handled += 1;
            if handled < MAX_BATCH {
                command = inbox.try_recv().ok();
            }
        }
        self.flush().await
    }

    async fn handle(&mut self, command: DocCommand) -> Next {
        match command {
            DocCommand::Join(peer) => {
                if let Next::Stop = self.flush().await {
                    peer.kick.kick(CloseReason::STORAGE_FAILED);
                    return Next::Stop;
                }
                self.greet(peer);
            }
            DocCommand::Leave(conn) => self.remove_peer(conn),
            DocCommand::SetAccess { conn, can_write } => self.set_access(conn, can_write),
            DocCommand::Snapshot { set_frozen, reply } => {
                if let Next::Stop = self.flush().await {
                    let _ = reply.send(Err(super::HubError::DocumentGone));
                    return Next::Stop;
                }
                let _ = reply.send(self.snapshot_for_version(set_frozen).await);
            }
            DocCommand::Remote { origin, message } => return self.on_remote(origin, message).await,
            DocCommand::Head(head) => self.on_head(head),
            DocCommand::Message { conn, message } => {
                if !self.peers.contains_key(&conn) {
                    return Next::Continue; // closed while its message was queued
                }
                return self.handle_message(conn, message).await;
            }
        }
        Next::Continue
    }

    fn greet(&mut self, peer: Peer) {
        self.hub.shared.metrics.connections.inc();
        let mut frames = vec![protocol::encode_sync_step1(self.state.state_vector())];
        match self.state.awareness_snapshot() {
            Ok(Some(presence)) => frames.push(protocol::encode_awareness(presence)),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot encode presence"),
        }
        if let Some(reason) = self.read_only_reason(peer.can_write) {
            // Tell a read-only client at once, not only when its first edit is refused.
            frames.push(protocol::encode_permission_denied(reason));
        }
        let id = peer.id;
        self.peers.insert(id, peer);
        for frame in frames {
            self.send_to(id, frame);
        }
    }

    async fn handle_message(&mut self, conn: ConnId, message: Inbound) -> Next {
        match message {
            Inbound::SyncStep1(sv) => {
                if self
                    .peers
                    .get(&conn)
                    .is_some_and(|peer| peer.outbound.state_reply_pending())
                {
                    // The full-state reply still queued, followed by the updates relayed after
                    // it, already brings this peer up to date: no second copy.
                    self.hub.shared.metrics.state_replies_coalesced.inc();
                    return Next::Continue;
                }
                if let Next::Stop = self.flush().await {
                    return Next::Stop;
                }
                let reply = protocol::encode_sync_step2(self.state.diff(&sv));
                self.send_state_reply(conn, reply);
            }
            Inbound::SyncStep2(update) | Inbound::Update(update) => {
                self.accept_update(conn, update)
            }
            Inbound::Awareness(update) => match self.state.apply_awareness(
                conn,
                update,
                self.peers.get(&conn).and_then(|p| p.stamp.as_deref()),
            ) {
                Ok(Some(changed)) => {
                    self.publish_awareness(&changed);
                    self.broadcast(protocol::encode_awareness(changed), Some(conn))
                }
                Ok(None) => {}
                Err(error) => tracing::debug!(%error, conn, "awareness update ignored"),
            },
            Inbound::AwarenessQuery => {
                if let Ok(Some(presence)) = self.state.awareness_snapshot() {
                    self.send_to(conn, protocol::encode_awareness(presence));
                }
            }
            Inbound::Auth => {}
        }
        Next::Continue
    }

    fn accept_update(&mut self, conn: ConnId, update: ValidUpdate) {
        if update.is_empty() {
            return;
        }
        let metrics = self.hub.shared.metrics.clone();
        let can_write = self.peers.get(&conn).is_some_and(|peer| peer.can_write);
        if let Some(reason) = self.read_only_reason(can_write) {
            metrics.updates_refused.inc();
            self.send_to(conn, protocol::encode_permission_denied(reason));
            return;
        }
        let size = update.raw.len();
        let max = self.hub.shared.settings.max_document_bytes;
        if self.state.content_bytes() + size > max {
            metrics.updates_refused.inc();
            tracing::warn!(size, max, "update refused: document size limit reached");
            self.send_to(
                conn,
                protocol::encode_permission_denied(
                    "document size limit reached: the change was not saved",
                ),
            );
            return;
        }
        if let Err(refusal) = self
            .state
            .check_nesting(&update, self.hub.shared.settings.max_nesting_depth)
        {
            metrics.updates_refused.inc();
            tracing::warn!(%refusal, "update refused: nesting");
            self.send_to(
                conn,
                protocol::encode_permission_denied(&refusal.to_string()),
            );
            return;
        }
        if !self.record_authorship(conn, &update) {
            metrics.updates_refused.inc();
            self.send_to(
                conn,
                protocol::encode_permission_denied(
                    "refused: the update carries edits of a Yjs client that belongs to someone else",
                ),
            );
            return;
        }
        if let Err(error) = self.state.apply(update.update, size) {
            tracing::warn!(%error, conn, "update could not be applied");
            metrics.protocol_errors.inc();
            self.kick(conn, CloseReason::PROTOCOL_ERROR);
            return;
        }
        self.pending.push((conn, update.raw));
    }

    /// Records which person brought new content and made new deletions (first claim wins), so
    /// version comparisons can name them; refuses content for a Yjs client id that another
    /// person already owns.
    fn record_authorship(&mut self, conn: ConnId, update: &ValidUpdate) -> bool {
        let Some(peer) = self.peers.get(&conn) else {
            return false;
        };
        let (user_id, label) = (peer.user_id, peer.label.clone());
        let footprint = {
            let txn = yrs::Transact::transact(self.state.doc());
            attribution::footprint(&txn, &update.update)
        };
        if footprint.new_content_clients.iter().any(|client| {
            self.claims
                .get(client)
                .is_some_and(|owner| *owner != user_id)
        }) {
            return false;
        }
        for client in footprint.new_content_clients {
            if self.claims.insert(client, user_id).is_none() {
                self.pending_claims.push(ClientClaim {
                    client,
                    user_id,
                    label: label.clone(),
                });
            }
        }
        for range in footprint.new_deletions {
            self.pending_deletions.push(DeletionRecord {
                client: range.client,
                start: range.start,
                end: range.end,
                user_id,
                label: label.clone(),
            });
        }
        true
    }

    /// Stores pending updates, then relays them: merged into one frame for peers that sent none
    /// of them, the others' updates one by one for those that did ([`Relay`]).
    async fn flush(&mut self) -> Next {
        if self.pending.is_empty() {
            return Next::Continue;
        }
        let pending = std::mem::take(&mut self.pending);
        let batch = UpdateBatch {
            doc_id: self.doc_id.clone(),
            updates: pending.iter().map(|(_, raw)| raw.clone()).collect(),
            claims: std::mem::take(&mut self.pending_claims),
            deletions: std::mem::take(&mut self.pending_deletions),
        };
        match self.hub.shared.persister.append(batch).await {
            Ok(Appended::Stored {
                first_seq,
                last_seq,
            }) => {
                self.seq.mark(first_seq, last_seq);
                self.known_head = self.known_head.max(last_seq);
                let metrics = self.hub.shared.metrics.clone();
                let carries = self.hub.shared.bus.carries();
                let inline = carries
                    && pending.iter().map(|(_, raw)| raw.len()).sum::<usize>() <= MAX_INLINE_BYTES;
                self.relay(&Relay::plan(&pending));
                let mut updates = Vec::with_capacity(if inline { pending.len() } else { 0 });
                for (_, raw) in pending {
                    metrics.updates.inc();
                    metrics.update_bytes.inc_by(raw.len() as u64);
                    self.log_since_snapshot += 1;
                    self.bytes_since_snapshot += raw.len();
                    if inline {
                        updates.push(raw);
                    }
                }
                if carries {
                    self.publish(Remote::Updates {
                        first_seq,
                        last_seq,
                        updates: inline.then_some(updates),
                        committed_at_ms: crate::clock::now_ms(),
                    });
                }
                self.schedule_catch_up();
                self.maybe_compact();
                Next::Continue
            }
            Ok(Appended::Refused(refusal)) => {
                // Applied in memory but refused by the database: memory is ahead of what is
                // stored, so reload it; the sender's client resends and is told why.
                tracing::warn!(%refusal, "the database refused updates; reloading the document");
                self.hub.shared.metrics.updates_refused.inc();
                self.hub.unregister(&self.doc_id);
                self.close_all_peers(CloseReason::RELOAD);
                Next::Stop
            }
            Err(error) => {
                tracing::error!(%error, "updates could not be stored; closing the document's connections");
                self.hub.unregister(&self.doc_id);
                self.close_all_peers(CloseReason::STORAGE_FAILED);
                Next::Stop
            }
        }
    }

    async fn on_tick(&mut self, inbox: &mpsc::Receiver<DocCommand>) -> Next {
        let timeout = self.hub.shared.settings.awareness_timeout;
        let now = u64::try_from(crate::clock::now_ms()).unwrap_or_default();
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        match self.state.expire_awareness(now, timeout_ms) {
            Ok(Some(removed)) => self.broadcast(protocol::encode_awareness(removed), None),
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, "presence expiry skipped"),
        }
        let bus = self.hub.shared.bus.clone();
        match self.state.drop_dead_nodes(|node| bus.node_alive(node)) {
            Ok(Some(removed)) => self.broadcast(protocol::encode_awareness(removed), None),
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, "removing presence of a stopped process skipped"),
        }
        if !self.peers.is_empty()
            || self.idle_since.elapsed() < self.hub.shared.settings.idle_unload
        {
            return Next::Continue;
        }
        self.compact_now().await;
        if self.hub.unregister_if_idle(&self.doc_id, inbox) {
            tracing::debug!("idle document unloaded");
            Next::Stop
        } else {
            Next::Continue
        }
    }

    async fn shut_down(&mut self) {
        let _ = self.flush().await;
        self.compact_now().await;
        self.close_all_peers(CloseReason::SHUTTING_DOWN);
    }

    fn kick(&mut self, conn: ConnId, reason: CloseReason) {
        if let Some(peer) = self.peers.get(&conn) {
            peer.kick.kick(reason);
        }
        self.remove_peer(conn);
    }

    fn remove_peer(&mut self, conn: ConnId) {
        if self.peers.remove(&conn).is_none() {
            return;
        }
        self.hub.shared.metrics.connections.dec();
        if self.peers.is_empty() {
            self.idle_since = Instant::now();
        }
        match self.state.remove_connection(conn) {
            Ok(Some(removed)) => {
                self.publish_awareness(&removed);
                self.broadcast(protocol::encode_awareness(removed), None)
            }
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, "presence removal skipped"),
        }
    }

    /// Why a connection may not change the document now, if it may not: the y-websocket
    /// permission-denied reason (clients recognise the `read-only:` prefix).
    fn read_only_reason(&self, can_write: bool) -> Option<&'static str> {
        if self.frozen {
            Some(
                "read-only: the document is frozen in its current status; comments remain possible",
            )
        } else if !can_write {
            Some("read-only: this connection may not change the document")
        } else {
            None
        }
    }

    /// Closes every connection with `reason` and forgets them.
    fn close_all_peers(&mut self, reason: CloseReason) {
        for peer in self.peers.values() {
            peer.kick.kick(reason);
        }
        let count = self.peers.len();
        self.peers.clear();
        self.hub
            .shared
            .metrics
            .connections
            .dec_by(i64::try_from(count).unwrap_or(i64::MAX));
    }
}
