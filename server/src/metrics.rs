//! [`Metrics`]: the Prometheus counters and gauges the server exports at `/metrics`.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

mod queued;

pub use queued::QueuedBytes;

/// Every metric the server keeps, registered once at start-up.
pub struct Metrics {
    registry: Registry,
    /// Open sync connections.
    pub connections: Gauge,
    /// Documents held in memory.
    pub documents_loaded: Gauge,
    /// Yjs updates accepted (stored and relayed).
    pub updates: Counter,
    /// Bytes of accepted Yjs updates.
    pub update_bytes: Counter,
    /// Frames queued to connections (each relayed update counts once per receiver).
    pub frames_sent: Counter,
    /// Connections closed because their outbound queue filled up.
    pub slow_consumers_closed: Counter,
    /// Connections closed for a protocol violation (malformed, unknown or oversized frames).
    pub protocol_errors: Counter,
    /// Updates refused because the connection may only read.
    pub updates_refused: Counter,
    /// Failed storage transactions.
    pub storage_errors: Counter,
    /// Duration of group-commit transactions.
    pub storage_commit_seconds: Histogram,
    /// Duration of loading a document from storage.
    pub document_load_seconds: Histogram,
    /// Bytes queued to sync connections and not yet written to their sockets.
    pub outbound_queued: std::sync::Arc<QueuedBytes>,
    /// Sync step 1 requests answered by a full-state reply that was already queued.
    pub state_replies_coalesced: Counter,
    /// Presence updates dropped: larger than the limit, or over a connection's rate.
    pub presence_dropped: Counter,
    /// Open sockets closed or downgraded because their credential or access changed.
    pub sockets_reauthorised: Counter,
    /// What crosses between the processes of a cluster.
    pub cluster: ClusterMetrics,
}

/// The cluster's counters (`polder_cluster_*`): what one process learned from the others.
pub struct ClusterMetrics {
    /// Updates of another process applied here and relayed to this process's connections.
    pub relayed: Counter,
    /// Messages of another process that brought nothing new (already applied).
    pub duplicates: Counter,
    /// Catch-up reads of the log: a gap in the sequence, a message without its payload, or a
    /// head seen in the periodic check that this process had not reached.
    pub gaps_healed: Counter,
    /// Publishes that failed (Redis unreachable or too slow); the periodic check heals them.
    pub publish_failures: Counter,
    /// Publishes dropped on purpose by the test switch.
    pub publishes_dropped: Counter,
    /// Messages of another process dropped because a document's mailbox was full.
    pub inbound_dropped: Counter,
    /// From another process's commit to this process relaying the update.
    pub relay_seconds: Histogram,
}

impl ClusterMetrics {
    fn new(relay_seconds: Histogram) -> Self {
        Self {
            relayed: Counter::default(),
            duplicates: Counter::default(),
            gaps_healed: Counter::default(),
            publish_failures: Counter::default(),
            publishes_dropped: Counter::default(),
            inbound_dropped: Counter::default(),
            relay_seconds,
        }
    }

    fn register(&self, registry: &mut Registry) {
        registry.register(
            "relayed",
            "Updates of other processes applied and relayed here",
            self.relayed.clone(),
        );
        registry.register(
            "duplicates",
            "Messages of other processes that brought nothing new",
            self.duplicates.clone(),
        );
        registry.register(
            "gaps_healed",
            "Catch-up reads of the update log after a gap or a missed message",
            self.gaps_healed.clone(),
        );
        registry.register(
            "publish_failures",
            "Publishes to Redis that failed",
            self.publish_failures.clone(),
        );
        registry.register(
            "publishes_dropped",
            "Publishes dropped on purpose by the test switch",
            self.publishes_dropped.clone(),
        );
        registry.register(
            "inbound_dropped",
            "Messages of other processes dropped at a full document mailbox",
            self.inbound_dropped.clone(),
        );
        registry.register(
            "relay_seconds",
            "From another process's commit to the relay here",
            self.relay_seconds.clone(),
        );
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("polder");
        let metrics_seconds = || Histogram::new(exponential_buckets(0.0001, 2.0, 16));
        let connections = Gauge::default();
        let documents_loaded = Gauge::default();
        let updates = Counter::default();
        let update_bytes = Counter::default();
        let frames_sent = Counter::default();
        let slow_consumers_closed = Counter::default();
        let protocol_errors = Counter::default();
        let updates_refused = Counter::default();
        let storage_errors = Counter::default();
        let storage_commit_seconds = metrics_seconds();
        let document_load_seconds = metrics_seconds();
        let outbound_queued = std::sync::Arc::new(QueuedBytes::default());
        let state_replies_coalesced = Counter::default();
        let presence_dropped = Counter::default();
        let sockets_reauthorised = Counter::default();
        let cluster = ClusterMetrics::new(metrics_seconds());
        cluster.register(registry.sub_registry_with_prefix("cluster"));
        registry.register_collector(Box::new(queued::QueuedBytesCollector(
            outbound_queued.clone(),
        )));
        registry.register(
            "state_replies_coalesced",
            "Sync step 1 requests answered by an already queued full-state reply",
            state_replies_coalesced.clone(),
        );
        registry.register(
            "presence_dropped",
            "Presence updates dropped for their size or rate",
            presence_dropped.clone(),
        );
        registry.register(
            "sockets_reauthorised",
            "Open sockets closed or downgraded after a change of credential or access",
            sockets_reauthorised.clone(),
        );
        registry.register("connections", "Open sync connections", connections.clone());
        registry.register(
            "documents_loaded",
            "Documents in memory",
            documents_loaded.clone(),
        );
        registry.register("updates", "Yjs updates stored and relayed", updates.clone());
        registry.register(
            "update_bytes",
            "Bytes of Yjs updates stored",
            update_bytes.clone(),
        );
        registry.register(
            "frames_sent",
            "Frames queued to connections",
            frames_sent.clone(),
        );
        registry.register(
            "slow_consumers_closed",
            "Connections closed because their outbound queue was full",
            slow_consumers_closed.clone(),
        );
        registry.register(
            "protocol_errors",
            "Connections closed for protocol violations",
            protocol_errors.clone(),
        );
        registry.register(
            "updates_refused",
            "Updates refused from read-only connections",
            updates_refused.clone(),
        );
        registry.register(
            "storage_errors",
            "Failed storage transactions",
            storage_errors.clone(),
        );
        registry.register(
            "storage_commit_seconds",
            "Duration of group-commit transactions",
            storage_commit_seconds.clone(),
        );
        registry.register(
            "document_load_seconds",
            "Duration of loading a document from storage",
            document_load_seconds.clone(),
        );
        Self {
            registry,
            connections,
            documents_loaded,
            updates,
            update_bytes,
            frames_sent,
            slow_consumers_closed,
            protocol_errors,
            updates_refused,
            storage_errors,
            storage_commit_seconds,
            document_load_seconds,
            outbound_queued,
            state_replies_coalesced,
            presence_dropped,
            sockets_reauthorised,
            cluster,
        }
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
