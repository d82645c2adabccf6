//! The actor's side of a cluster: publishing what it stored, applying what other processes
//! stored in sequence order, and reading from the database whatever it did not hear of.

use std::time::{Duration, Instant};

use yrs::sync::AwarenessUpdate;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;

use super::{DocActor, Next};
use crate::hub::remote::{Envelope, NodeId, Remote};
use crate::hub::HubError;
use crate::storage::DocHead;
use crate::sync::protocol;

/// How long a missing number may stay missing before the log is read: messages of other
/// processes in flight usually fill the gap sooner.
const GRACE: Duration = Duration::from_millis(100);
/// After a local freeze or unfreeze, how long the head check's view of the flag (possibly read
/// before the change) is not trusted.
const FROZEN_SETTLE: Duration = Duration::from_secs(10);
/// Most log reads one catch-up makes (each up to [`crate::storage::LOG_TAIL_ROWS`] rows).
const MAX_READS: usize = 64;
/// The reason a connection is told when another process froze the document.
const FROZEN_REASON: &str =
    "read-only: the document is frozen in its current status; comments remain possible";

/// Waits until `deadline`, or forever without one.
pub(super) async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

impl DocActor {
    /// Tells the other processes holding this document.
    pub(super) fn publish(&self, message: Remote) {
        let bus = &self.hub.shared.bus;
        bus.publish(Envelope {
            origin: bus.node(),
            doc_id: self.doc_id.clone(),
            message,
        });
    }

    /// Publishes a presence change of a connection here.
    pub(super) fn publish_awareness(&self, update: &AwarenessUpdate) {
        self.publish(Remote::Awareness {
            update: update.encode_v1().into(),
        });
    }

    /// Reads the log soon if this state is behind what is known to be stored.
    pub(super) fn schedule_catch_up(&mut self) {
        if self.seq.applied() >= self.known_head && !self.seq.has_gap() {
            return;
        }
        let at = Instant::now() + GRACE;
        self.heal_at = Some(self.heal_at.map_or(at, |current| current.min(at)));
    }

    /// A message of another process.
    pub(super) async fn on_remote(&mut self, origin: NodeId, message: Remote) -> Next {
        match message {
            Remote::Updates {
                first_seq,
                last_seq,
                updates,
                committed_at_ms,
            } => {
                self.known_head = self.known_head.max(last_seq);
                if self.seq.covers(first_seq, last_seq) {
                    self.hub.shared.metrics.cluster.duplicates.inc();
                    return Next::Continue;
                }
                match updates {
                    Some(updates) => {
                        self.apply_relayed(first_seq, last_seq, &updates, committed_at_ms)
                    }
                    None => {
                        self.catch_up().await;
                    }
                }
                self.maybe_compact();
            }
            Remote::Awareness { update } => {
                let applied = AwarenessUpdate::decode_v1(&update)
                    .map_err(|e| e.to_string())
                    .and_then(|update| {
                        self.state
                            .apply_remote_awareness(origin, update)
                            .map_err(|e| e.to_string())
                    });
                match applied {
                    Ok(Some(changed)) => self.broadcast(protocol::encode_awareness(changed), None),
                    Ok(None) => {}
                    Err(error) => tracing::debug!(%error, origin, "relayed presence ignored"),
                }
            }
            Remote::AwarenessQuery => match self.state.local_awareness() {
                Ok(Some(local)) => self.publish_awareness(&local),
                Ok(None) => {}
                Err(error) => tracing::debug!(%error, "cannot encode presence"),
            },
            Remote::Frozen { frozen } => self.apply_frozen(frozen, FROZEN_REASON),
        }
        Next::Continue
    }

    /// Applies updates another process stored and relays them to the connections here.
    fn apply_relayed(
        &mut self,
        first_seq: i64,
        last_seq: i64,
        updates: &[bytes::Bytes],
        committed_at_ms: i64,
    ) {
        for raw in updates {
            if let Err(error) = self.state.apply_stored(raw) {
                // Stored bytes the other process accepted: read them from the log instead.
                tracing::warn!(%error, "a relayed update could not be applied; reading the log");
                self.heal_at = Some(Instant::now());
                return;
            }
        }
        let metrics = &self.hub.shared.metrics.cluster;
        metrics.relayed.inc_by(updates.len() as u64);
        let latency_ms = crate::clock::now_ms()
            .saturating_sub(committed_at_ms)
            .max(0);
        #[allow(clippy::cast_precision_loss)] // milliseconds well below 2^52
        metrics.relay_seconds.observe(latency_ms as f64 / 1000.0);
        for raw in updates {
            self.log_since_snapshot += 1;
            self.bytes_since_snapshot += raw.len();
            self.broadcast(protocol::encode_update(raw), None);
        }
        self.seq.mark(first_seq, last_seq);
        self.schedule_catch_up();
    }

    /// The periodic check read this document's head.
    pub(super) fn on_head(&mut self, head: DocHead) {
        if head.frozen && !self.frozen && self.frozen_changed.elapsed() > FROZEN_SETTLE {
            // Frozen by another process whose message did not arrive.
            self.apply_frozen(true, FROZEN_REASON);
        }
        self.known_head = self.known_head.max(head.head_seq);
        self.schedule_catch_up();
    }

    /// Reads the log above what this state holds, applies it and relays it to the connections
    /// here. Returns whether the state reached the head it read.
    pub(super) async fn catch_up(&mut self) -> bool {
        let storage = self.hub.shared.storage.clone();
        for _ in 0..MAX_READS {
            let after = self.seq.applied();
            let tail = match storage.log_after(&self.doc_id, after).await {
                Ok(tail) => tail,
                Err(error) => {
                    tracing::warn!(%error, "reading the log to catch up failed; retrying");
                    self.heal_at = Some(Instant::now() + Duration::from_secs(1));
                    return false;
                }
            };
            self.known_head = self.known_head.max(tail.head_seq);
            if tail.frozen && !self.frozen && self.frozen_changed.elapsed() > FROZEN_SETTLE {
                self.apply_frozen(true, FROZEN_REASON);
            }
            if tail.head_seq <= after {
                return true;
            }
            self.hub.shared.metrics.cluster.gaps_healed.inc();
            // Everything read is relayed as one update (the difference it made), so a long
            // catch-up never floods a connection's queue.
            let before = self.state.state_vector();
            let mut changed = false;
            if let Some((upto, snapshot)) = &tail.snapshot {
                if let Err(error) = self.state.merge_snapshot(snapshot) {
                    tracing::error!(%error, "the stored snapshot cannot be applied");
                    return false;
                }
                self.seq.mark(after + 1, *upto);
                changed = true;
            }
            let full = tail.updates.len()
                >= usize::try_from(crate::storage::LOG_TAIL_ROWS).unwrap_or(usize::MAX);
            for (number, raw) in &tail.updates {
                if self.seq.covers(*number, *number) {
                    continue;
                }
                if let Err(error) = self.state.apply_stored(raw) {
                    tracing::error!(%error, seq = number, "a stored update cannot be applied");
                    return false;
                }
                self.log_since_snapshot += 1;
                self.bytes_since_snapshot += raw.len();
                self.seq.mark(*number, *number);
                changed = true;
            }
            if changed {
                let diff = self.state.diff(&before);
                self.broadcast(protocol::encode_update(&diff), None);
            }
            if !full {
                // Every number up to the head read is committed, so it is in the rows read or in
                // a snapshot; what is still missing was compacted between the two reads.
                if self.seq.applied() >= tail.head_seq {
                    self.maybe_compact();
                    return true;
                }
            }
        }
        self.heal_at = Some(Instant::now() + GRACE);
        false
    }

    /// The state for a version, after storing what is pending (done by the caller) and reading
    /// what other processes stored; freezing (or unfreezing) the document first if asked, in the
    /// database for every process, and announcing it.
    pub(super) async fn snapshot_for_version(
        &mut self,
        set_frozen: Option<(bool, &'static str)>,
    ) -> Result<Vec<u8>, HubError> {
        if let Some((frozen, reason)) = set_frozen {
            match self
                .hub
                .shared
                .storage
                .set_frozen(&self.doc_id, frozen)
                .await
            {
                Ok(head) => self.known_head = self.known_head.max(head),
                Err(error) => {
                    tracing::error!(%error, "the document could not be frozen");
                    return Err(HubError::DocumentGone);
                }
            }
            tracing::info!(frozen, reason, "document access changed");
            self.mark_frozen(frozen, reason);
            self.publish(Remote::Frozen { frozen });
        }
        if !self.catch_up().await {
            return Err(HubError::DocumentGone);
        }
        Ok(self.state.diff(&yrs::StateVector::default()))
    }

    /// Another process froze or unfroze the document.
    fn apply_frozen(&mut self, frozen: bool, reason: &str) {
        if self.frozen == frozen {
            return;
        }
        tracing::info!(frozen, "document access changed by another server");
        self.mark_frozen(frozen, reason);
    }

    /// Makes the document read-only (telling every connection why) or editable again.
    fn mark_frozen(&mut self, frozen: bool, reason: &str) {
        self.frozen = frozen;
        self.frozen_changed = Instant::now();
        if frozen {
            self.broadcast(protocol::encode_permission_denied(reason), None);
        }
    }
}
