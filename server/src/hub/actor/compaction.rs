//! Compaction: replacing a document's log by a snapshot of memory, at the highest sequence
//! number up to which memory holds every update.

use tracing::Instrument;

use super::DocActor;
use crate::storage::Compaction;

impl DocActor {
    pub(super) fn maybe_compact(&mut self) {
        let settings = &self.hub.shared.settings;
        if self.log_since_snapshot < settings.compact_after_updates
            && self.bytes_since_snapshot < settings.compact_after_bytes
        {
            return;
        }
        // Memory holds every update up to `applied` (and perhaps more): that is what the
        // snapshot may claim to cover; rows above it stay.
        let snapshot = self.state.snapshot();
        let upto = self.seq.applied();
        self.log_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
        let storage = self.hub.shared.storage.clone();
        let doc_id = self.doc_id.clone();
        self.hub.shared.tracker.spawn(
            async move {
                report_compaction(storage.compact(&doc_id, &snapshot, upto).await);
            }
            .in_current_span(),
        );
    }

    /// Compacts in the foreground, for unload and shutdown.
    pub(super) async fn compact_now(&mut self) {
        if self.log_since_snapshot == 0 {
            return;
        }
        let snapshot = self.state.snapshot();
        report_compaction(
            self.hub
                .shared
                .storage
                .compact(&self.doc_id, &snapshot, self.seq.applied())
                .await,
        );
        self.log_since_snapshot = 0;
        self.bytes_since_snapshot = 0;
    }
}

/// Logs what a compaction came to.
fn report_compaction(result: Result<Compaction, crate::storage::StorageError>) {
    match result {
        Ok(Compaction::Written) => {}
        Ok(outcome) => tracing::debug!(?outcome, "compaction left to another process"),
        Err(error) => tracing::warn!(%error, "compaction failed; the log stays as it is"),
    }
}
