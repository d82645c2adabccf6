//! [`RedisBus`]: the [`Bus`] over Redis pub/sub (the `redis` crate's connection manager, which
//! reconnects and resubscribes by itself).
//!
//! Nothing here waits on Redis in the path of a document: a publish is queued (bounded in
//! messages and bytes) to one writer task and dropped, counted, when the queue is full or Redis
//! is known to be down; received messages are queued (bounded too) to one router task that hands
//! them to the hub without waiting. The writer sends a heartbeat every [`HEARTBEAT`]; its
//! success or failure is the bus's health, which the head check reads to poll faster.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use polder_shared::DocId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use redis::{IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use super::wire::{self, Channel};
use super::ClusterError;
use crate::hub::{Bus, Envelope, Hub, NodeId};
use crate::metrics::Metrics;

/// How often the writer proves Redis answers (and tells the others this process lives).
const HEARTBEAT: Duration = Duration::from_millis(500);
/// A process not heard from for this long is taken for gone: its presence entries are dropped.
const NODE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one Redis command or connection attempt may take.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// Messages and bytes that may wait for the writer.
const OUTGOING_MESSAGES: usize = 4096;
const OUTGOING_BYTES: usize = 16 * 1024 * 1024;
/// Messages and bytes received and not yet routed.
const INBOUND_MESSAGES: usize = 4096;
const INBOUND_BYTES: usize = 32 * 1024 * 1024;

enum Outgoing {
    Publish { channel: String, payload: Vec<u8> },
    Subscribe(String),
    Unsubscribe(String),
}

struct Shared {
    node: NodeId,
    outgoing: mpsc::Sender<Outgoing>,
    outgoing_bytes: AtomicUsize,
    healthy: AtomicBool,
    nodes: Mutex<HashMap<NodeId, Instant>>,
    drop_percent: u8,
    metrics: Arc<Metrics>,
}

/// The Redis bus; cheap to clone.
#[derive(Clone)]
pub struct RedisBus {
    shared: Arc<Shared>,
}

/// What Redis pushed to this process, waiting for [`RedisBus::route`].
pub struct Inbound {
    pushes: mpsc::Receiver<PushInfo>,
    bytes: Arc<AtomicUsize>,
}

impl RedisBus {
    /// Sets up the bus for `url` without waiting for Redis: the connection is made (and remade)
    /// in the background, so a process starts, and keeps serving, while Redis is away.
    /// `drop_percent` drops that share of document publishes on purpose (tests only).
    ///
    /// # Errors
    /// [`ClusterError::Url`] for a URL the `redis` crate does not accept.
    pub fn start(
        url: &str,
        drop_percent: u8,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
        tracker: &TaskTracker,
    ) -> Result<(Self, Inbound), ClusterError> {
        let info = url.into_connection_info().map_err(|_| ClusterError::Url)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client = redis::Client::open(info.set_redis_settings(settings))
            .map_err(|_| ClusterError::Url)?;
        let (push_tx, pushes) = mpsc::channel(INBOUND_MESSAGES);
        let bytes = Arc::new(AtomicUsize::new(0));
        let queued = bytes.clone();
        let dropped = metrics.clone();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_max_delay(Duration::from_secs(1))
            .set_automatic_resubscription()
            .set_push_sender(move |push: PushInfo| {
                let size = push_size(&push);
                if queued.fetch_add(size, Ordering::AcqRel) + size > INBOUND_BYTES
                    || push_tx.try_send(push).is_err()
                {
                    queued.fetch_sub(size, Ordering::AcqRel);
                    dropped.cluster.inbound_dropped.inc();
                }
                Ok::<(), std::convert::Infallible>(())
            });
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|_| ClusterError::Url)?;
        let (outgoing, jobs) = mpsc::channel(OUTGOING_MESSAGES);
        let bus = Self {
            shared: Arc::new(Shared {
                node: rand::random(),
                outgoing,
                outgoing_bytes: AtomicUsize::new(0),
                healthy: AtomicBool::new(false),
                nodes: Mutex::new(HashMap::new()),
                drop_percent: drop_percent.min(100),
                metrics,
            }),
        };
        for channel in [wire::NODES, wire::INBOX] {
            bus.queue(Outgoing::Subscribe(channel.to_owned()), 0);
        }
        tracing::info!(node = bus.shared.node, "cluster bus on Redis set up");
        tracker.spawn(
            write(bus.clone(), manager, jobs, shutdown).instrument(tracing::info_span!("redis")),
        );
        Ok((bus, Inbound { pushes, bytes }))
    }

    /// Routes what Redis pushes until `shutdown`: document messages to the hub, inbox wake-ups
    /// to `wake_inbox`, heartbeats to the table of live processes.
    pub async fn route(
        self,
        mut inbound: Inbound,
        hub: Hub,
        wake_inbox: impl Fn(i64) + Send + 'static,
        shutdown: CancellationToken,
    ) {
        loop {
            let push = tokio::select! {
                push = inbound.pushes.recv() => match push {
                    Some(push) => push,
                    None => return,
                },
                () = shutdown.cancelled() => return,
            };
            inbound.bytes.fetch_sub(push_size(&push), Ordering::AcqRel);
            match push.kind {
                PushKind::Message => {}
                PushKind::Disconnection => {
                    self.set_healthy(false);
                    continue;
                }
                _ => continue,
            }
            let (Some(Value::BulkString(channel)), Some(Value::BulkString(payload))) =
                (push.data.first(), push.data.get(1))
            else {
                continue;
            };
            let Some(channel) = std::str::from_utf8(channel)
                .ok()
                .and_then(wire::parse_channel)
            else {
                continue;
            };
            match channel {
                Channel::Doc(_) => match wire::decode(payload) {
                    Ok(envelope) => {
                        self.seen(envelope.origin);
                        hub.deliver_remote(envelope);
                    }
                    Err(error) => tracing::debug!(%error, "a cluster message was dropped"),
                },
                Channel::Nodes => {
                    if let Some((node, _)) = wire::decode_wake(payload) {
                        self.seen(node);
                    }
                }
                Channel::Inbox => {
                    if let Some((node, Some(person))) = wire::decode_wake(payload) {
                        if node != self.shared.node {
                            wake_inbox(person);
                        }
                    }
                }
            }
        }
    }

    /// Tells the other processes that `person` has new inbox items.
    pub fn wake_inbox(&self, person: i64) {
        let payload = wire::encode_wake(self.shared.node, Some(person)).into_bytes();
        let size = payload.len();
        self.queue(
            Outgoing::Publish {
                channel: wire::INBOX.to_owned(),
                payload,
            },
            size,
        );
    }

    fn seen(&self, node: NodeId) {
        if node == self.shared.node {
            return;
        }
        self.lock_nodes().insert(node, Instant::now());
    }

    fn set_healthy(&self, healthy: bool) {
        let was = self.shared.healthy.swap(healthy, Ordering::AcqRel);
        if was != healthy {
            if healthy {
                tracing::info!("Redis answers again: cross-process delivery is back");
            } else {
                tracing::warn!(
                    "Redis does not answer: other processes' updates arrive by polling the database"
                );
            }
        }
    }

    /// Queues work for the writer; drops it (counted) when the queue is full in messages or
    /// bytes.
    fn queue(&self, job: Outgoing, size: usize) {
        let shared = &self.shared;
        if shared.outgoing_bytes.fetch_add(size, Ordering::AcqRel) + size > OUTGOING_BYTES {
            shared.outgoing_bytes.fetch_sub(size, Ordering::AcqRel);
            shared.metrics.cluster.publish_failures.inc();
            return;
        }
        if shared.outgoing.try_send(job).is_err() {
            shared.outgoing_bytes.fetch_sub(size, Ordering::AcqRel);
            shared.metrics.cluster.publish_failures.inc();
        }
    }

    fn lock_nodes(&self) -> std::sync::MutexGuard<'_, HashMap<NodeId, Instant>> {
        // Single inserts and lookups: a poisoned lock is still consistent.
        self.shared
            .nodes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl crate::scheduler::signal::InboxRelay for RedisBus {
    fn publish(&self, person: i64) {
        self.wake_inbox(person);
    }
}

impl Bus for RedisBus {
    fn node(&self) -> NodeId {
        self.shared.node
    }

    fn publish(&self, envelope: Envelope) {
        let drop_percent = self.shared.drop_percent;
        if drop_percent > 0 && rand::random::<u8>() % 100 < drop_percent {
            self.shared.metrics.cluster.publishes_dropped.inc();
            return;
        }
        let channel = wire::doc_channel(&envelope.doc_id);
        match wire::encode(&envelope) {
            Ok(payload) => {
                let size = payload.len();
                self.queue(Outgoing::Publish { channel, payload }, size);
            }
            Err(error) => tracing::warn!(%error, "a cluster message could not be encoded"),
        }
    }

    fn subscribe(&self, doc_id: &DocId) {
        self.queue(Outgoing::Subscribe(wire::doc_channel(doc_id)), 0);
    }

    fn unsubscribe(&self, doc_id: &DocId) {
        self.queue(Outgoing::Unsubscribe(wire::doc_channel(doc_id)), 0);
    }

    fn healthy(&self) -> bool {
        self.shared.healthy.load(Ordering::Acquire)
    }

    fn node_alive(&self, node: NodeId) -> bool {
        self.lock_nodes()
            .get(&node)
            .is_some_and(|seen| seen.elapsed() < NODE_TIMEOUT)
    }
}

/// The writer: publishes, (un)subscribes and sends heartbeats, one command at a time, so this
/// process's messages reach Redis in the order they were made.
async fn write(
    bus: RedisBus,
    mut manager: ConnectionManager,
    mut jobs: mpsc::Receiver<Outgoing>,
    shutdown: CancellationToken,
) {
    // Channel → how many actors want it; subscribed while the count is above zero.
    let mut wanted: HashMap<String, usize> = HashMap::new();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let beat = wire::encode_wake(bus.shared.node, None);
    loop {
        tokio::select! {
            job = jobs.recv() => match job {
                Some(job) => run_job(&bus, &mut manager, &mut wanted, job).await,
                None => return,
            },
            _ = heartbeat.tick() => {
                let answered = manager.publish::<_, _, i64>(wire::NODES, &beat).await.is_ok();
                if answered && !bus.healthy() {
                    // Subscribe again to everything wanted: whatever the connection manager
                    // restored, a SUBSCRIBE of a channel already subscribed is harmless.
                    for channel in wanted.keys() {
                        let _ = manager.subscribe(channel).await;
                    }
                }
                bus.set_healthy(answered);
            }
            () = shutdown.cancelled() => return,
        }
    }
}

async fn run_job(
    bus: &RedisBus,
    manager: &mut ConnectionManager,
    wanted: &mut HashMap<String, usize>,
    job: Outgoing,
) {
    match job {
        Outgoing::Publish { channel, payload } => {
            bus.shared
                .outgoing_bytes
                .fetch_sub(payload.len(), Ordering::AcqRel);
            if !bus.healthy() {
                // Fail fast while Redis is away; the head check carries the update.
                bus.shared.metrics.cluster.publish_failures.inc();
                return;
            }
            if let Err(error) = manager.publish::<_, _, i64>(&channel, payload).await {
                tracing::debug!(%error, "publish failed");
                bus.shared.metrics.cluster.publish_failures.inc();
                bus.set_healthy(false);
            }
        }
        Outgoing::Subscribe(channel) => {
            let count = wanted.entry(channel.clone()).or_insert(0);
            *count += 1;
            if *count == 1 && bus.healthy() {
                if let Err(error) = manager.subscribe(&channel).await {
                    tracing::debug!(%error, "subscribe failed; retried when Redis answers");
                    bus.set_healthy(false);
                }
            }
        }
        Outgoing::Unsubscribe(channel) => {
            let Some(count) = wanted.get_mut(&channel) else {
                return;
            };
            *count -= 1;
            if *count == 0 {
                wanted.remove(&channel);
                if bus.healthy() {
                    let _ = manager.unsubscribe(&channel).await;
                }
            }
        }
    }
}

/// Bytes a push holds, for the inbound bound.
fn push_size(push: &PushInfo) -> usize {
    push.data
        .iter()
        .map(|value| match value {
            Value::BulkString(bytes) => bytes.len(),
            _ => 16,
        })
        .sum()
}
