//! The hub over an in-memory [`DocStore`]: no database, no sockets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use polder_shared::DocId;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use yrs::updates::decoder::Decode;
use yrs::{GetString, ReadTxn, Text, Transact};

use super::outbox::{self, OutboxReceiver};
use super::{CloseReason, Hub, HubSettings, Kick, Peer};
use crate::metrics::Metrics;
use crate::storage::{
    AppendRefusal, Appended, Compaction, DocHead, DocStore, LoadedDocument, LogTail, Persister,
    StorageError, UpdateBatch,
};
use crate::sync::protocol::{self, Inbound, ValidUpdate};

/// One document as stored: head, rows above the snapshot, the snapshot.
#[derive(Default)]
struct StoredDoc {
    head: i64,
    rows: std::collections::BTreeMap<i64, Vec<u8>>,
    snapshot: Option<(i64, Vec<u8>)>,
    frozen: bool,
}

/// Documents kept in memory, with the database's numbering and compaction rules; appends fail
/// while `failing` is set.
#[derive(Default)]
struct MemoryStore {
    docs: Mutex<HashMap<DocId, StoredDoc>>,
    failing: AtomicBool,
}

impl MemoryStore {
    fn failing() -> Self {
        let store = Self::default();
        store.failing.store(true, Ordering::SeqCst);
        store
    }

    fn stored(&self, doc_id: &DocId) -> Vec<Vec<u8>> {
        self.docs
            .lock()
            .unwrap()
            .get(doc_id)
            .map(|doc| doc.rows.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The text of the stored document, loaded as a new process would.
    fn stored_text(&self, doc_id: &DocId) -> String {
        let docs = self.docs.lock().unwrap();
        let doc = yrs::Doc::new();
        let body = doc.get_or_insert_text("body");
        if let Some(stored) = docs.get(doc_id) {
            let mut txn = doc.transact_mut();
            for raw in stored
                .snapshot
                .iter()
                .map(|(_, data)| data)
                .chain(stored.rows.values())
            {
                txn.apply_update(yrs::Update::decode_v1(raw).unwrap())
                    .unwrap();
            }
        }
        let text = body.get_string(&doc.transact());
        text
    }
}

#[async_trait]
impl DocStore for MemoryStore {
    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        let docs = self.docs.lock().unwrap();
        let Some(doc) = docs.get(doc_id) else {
            return Ok(LoadedDocument::default());
        };
        Ok(LoadedDocument {
            snapshot: doc.snapshot.as_ref().map(|(_, data)| data.clone()),
            snapshot_upto: doc.snapshot.as_ref().map_or(0, |(upto, _)| *upto),
            updates: doc.rows.iter().map(|(n, d)| (*n, d.clone())).collect(),
            head_seq: doc.head,
            frozen: doc.frozen,
        })
    }

    async fn client_claims(&self, _: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError> {
        Ok(Vec::new())
    }

    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<Appended>, StorageError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StorageError::Io(std::io::Error::other("disk full")));
        }
        let mut docs = self.docs.lock().unwrap();
        let mut results = Vec::new();
        for batch in batches {
            let doc = docs.entry(batch.doc_id.clone()).or_default();
            if doc.frozen {
                results.push(Appended::Refused(AppendRefusal::Frozen));
                continue;
            }
            let first_seq = doc.head + 1;
            for update in &batch.updates {
                doc.head += 1;
                doc.rows.insert(doc.head, update.to_vec());
            }
            results.push(Appended::Stored {
                first_seq,
                last_seq: doc.head,
            });
        }
        Ok(results)
    }

    async fn compact(
        &self,
        doc_id: &DocId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<Compaction, StorageError> {
        let mut docs = self.docs.lock().unwrap();
        let doc = docs.entry(doc_id.clone()).or_default();
        if doc
            .snapshot
            .as_ref()
            .is_some_and(|(upto, _)| *upto >= upto_seq)
        {
            return Ok(Compaction::Superseded);
        }
        doc.snapshot = Some((upto_seq, snapshot.to_vec()));
        doc.rows.retain(|seq, _| *seq > upto_seq);
        Ok(Compaction::Written)
    }

    async fn log_after(&self, doc_id: &DocId, after_seq: i64) -> Result<LogTail, StorageError> {
        let docs = self.docs.lock().unwrap();
        let Some(doc) = docs.get(doc_id) else {
            return Ok(LogTail::default());
        };
        let updates: Vec<(i64, Vec<u8>)> = doc
            .rows
            .range(after_seq + 1..)
            .map(|(n, d)| (*n, d.clone()))
            .collect();
        let missing = updates.first().is_none_or(|(n, _)| *n > after_seq + 1);
        Ok(LogTail {
            head_seq: doc.head,
            frozen: doc.frozen,
            snapshot: if missing && doc.head > after_seq {
                doc.snapshot.clone()
            } else {
                None
            },
            updates,
        })
    }

    async fn set_frozen(&self, doc_id: &DocId, frozen: bool) -> Result<i64, StorageError> {
        let mut docs = self.docs.lock().unwrap();
        let doc = docs.entry(doc_id.clone()).or_default();
        doc.frozen = frozen;
        Ok(doc.head)
    }

    async fn heads(&self, doc_ids: &[DocId]) -> Result<Vec<DocHead>, StorageError> {
        let docs = self.docs.lock().unwrap();
        Ok(doc_ids
            .iter()
            .filter_map(|id| {
                docs.get(id).map(|doc| DocHead {
                    doc_id: id.clone(),
                    head_seq: doc.head,
                    frozen: doc.frozen,
                })
            })
            .collect())
    }
}

fn hub_over(store: Arc<MemoryStore>) -> Hub {
    hub_with_bus(store, Arc::new(super::NoBus), HubSettings::default())
}

fn hub_with_bus(store: Arc<MemoryStore>, bus: Arc<dyn super::Bus>, settings: HubSettings) -> Hub {
    let metrics = Arc::new(Metrics::new());
    let persister = Persister::spawn(store.clone(), metrics.clone());
    Hub::new(
        store,
        persister,
        bus,
        metrics,
        settings,
        CancellationToken::new(),
        TaskTracker::new(),
    )
}

/// A connection as the hub sees it, with the receiving end of its queue.
struct TestPeer {
    peer: Option<Peer>,
    frames: OutboxReceiver,
    kick: Kick,
}

fn test_peer(hub: &Hub) -> TestPeer {
    let (outbound, frames) = outbox::outbox(64, 1 << 20, Arc::new(Metrics::new()));
    let kick = Kick::new();
    let peer = Peer {
        id: hub.next_conn_id(),
        outbound,
        kick: kick.clone(),
        can_write: true,
        user_id: Some(1),
        label: "Anna (ZIN)".into(),
        stamp: None,
    };
    TestPeer {
        peer: Some(peer),
        frames,
        kick,
    }
}

impl TestPeer {
    fn take(&mut self) -> Peer {
        self.peer.take().unwrap()
    }

    async fn next_frame(&mut self) -> Bytes {
        let mut batch = Vec::new();
        let received = tokio::time::timeout(Duration::from_secs(5), async {
            self.frames.recv_many(&mut batch, 1).await
        })
        .await
        .expect("a frame arrives");
        assert_eq!(received, 1, "the queue is open");
        let frame = batch.pop().unwrap();
        self.frames.written(&frame);
        frame.bytes
    }
}

/// An update that inserts `text` into the shared text `body`, as a client would send it.
fn text_update(text: &str) -> Vec<u8> {
    let doc = yrs::Doc::new();
    let body = doc.get_or_insert_text("body");
    body.insert(&mut doc.transact_mut(), 0, text);
    let txn = doc.transact();
    txn.encode_state_as_update_v1(&yrs::StateVector::default())
}

fn doc_id() -> DocId {
    DocId::parse("hub-test").unwrap()
}

#[tokio::test]
async fn an_update_is_stored_then_relayed_to_the_other_peers() {
    let store = Arc::new(MemoryStore::default());
    let hub = hub_over(store.clone());
    let mut anna = test_peer(&hub);
    let mut bram = test_peer(&hub);
    let anna_session = hub.join(&doc_id(), anna.take()).await.unwrap();
    let _bram_session = hub.join(&doc_id(), bram.take()).await.unwrap();
    anna.next_frame().await; // sync step 1
    bram.next_frame().await; // sync step 1

    let raw = text_update("hello");
    anna_session
        .send(Inbound::Update(ValidUpdate::decode(raw.clone()).unwrap()))
        .await
        .unwrap();

    assert_eq!(bram.next_frame().await, protocol::encode_update(&raw));
    assert_eq!(
        store.stored(&doc_id()),
        vec![raw],
        "stored before it was relayed"
    );
    let state = hub.snapshot(&doc_id()).await.unwrap();
    let doc = yrs::Doc::new();
    let body = doc.get_or_insert_text("body");
    doc.transact_mut()
        .apply_update(yrs::Update::decode_v1(&state).unwrap())
        .unwrap();
    assert_eq!(body.get_string(&doc.transact()), "hello");
    assert!(anna.kick.reason().is_none() && bram.kick.reason().is_none());
}

#[tokio::test]
async fn when_storing_fails_every_peer_is_closed_with_1011_and_the_document_unloads() {
    let store = Arc::new(MemoryStore::failing());
    let hub = hub_over(store.clone());
    let mut anna = test_peer(&hub);
    let mut bram = test_peer(&hub);
    let anna_session = hub.join(&doc_id(), anna.take()).await.unwrap();
    let _bram_session = hub.join(&doc_id(), bram.take()).await.unwrap();
    anna.next_frame().await;
    bram.next_frame().await;
    assert_eq!(hub.loaded_documents(), 1);

    let raw = text_update("lost");
    anna_session
        .send(Inbound::Update(ValidUpdate::decode(raw).unwrap()))
        .await
        .unwrap();

    for peer in [&anna, &bram] {
        let reason = tokio::time::timeout(Duration::from_secs(5), peer.kick.kicked())
            .await
            .expect("the peer is closed");
        assert_eq!(reason, CloseReason::STORAGE_FAILED);
        assert_eq!(reason.code, 1011);
    }
    assert!(store.stored(&doc_id()).is_empty());
    assert_eq!(
        hub.loaded_documents(),
        0,
        "the next join reloads from storage"
    );
    // nothing that was not stored reached the other peer
    let mut batch = Vec::new();
    let more = tokio::time::timeout(
        Duration::from_millis(100),
        bram.frames.recv_many(&mut batch, 8),
    )
    .await;
    assert!(
        !matches!(more, Ok(n) if n > 0),
        "no frame after the greeting"
    );
}

// ---- Several hubs on one store: the cluster rules without Redis or a database. ----

use super::heads::HeadCheck;
use super::remote::{Bus, Envelope, NodeId};
use rand::{Rng, SeedableRng};
use yrs::sync::awareness::AwarenessUpdateEntry;
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};

/// The hubs of a test cluster and how badly their bus behaves.
struct Network {
    hubs: Mutex<Vec<Hub>>,
    /// Percentages of messages dropped and duplicated; delivery delays up to `max_delay_ms`
    /// reorder them.
    drop_pct: u32,
    dup_pct: u32,
    max_delay_ms: u64,
    rng: Mutex<rand::rngs::StdRng>,
    dead: Mutex<std::collections::HashSet<NodeId>>,
}

impl Network {
    fn new(drop_pct: u32, dup_pct: u32, max_delay_ms: u64) -> Arc<Self> {
        Arc::new(Self {
            hubs: Mutex::new(Vec::new()),
            drop_pct,
            dup_pct,
            max_delay_ms,
            rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(7)),
            dead: Mutex::default(),
        })
    }

    fn hub(self: &Arc<Self>, node: NodeId, store: Arc<MemoryStore>, settings: HubSettings) -> Hub {
        let bus = Arc::new(NetBus {
            node,
            net: self.clone(),
        });
        let hub = hub_with_bus(store, bus, settings);
        self.hubs.lock().unwrap().push(hub.clone());
        tokio::spawn(super::heads::run(
            hub.clone(),
            HeadCheck {
                every: Duration::from_millis(200),
                degraded: Duration::from_millis(200),
            },
            CancellationToken::new(),
        ));
        hub
    }
}

struct NetBus {
    node: NodeId,
    net: Arc<Network>,
}

impl Bus for NetBus {
    fn node(&self) -> NodeId {
        self.node
    }

    fn publish(&self, envelope: Envelope) {
        let hubs = self.net.hubs.lock().unwrap().clone();
        for hub in hubs {
            if hub.node() == self.node {
                continue;
            }
            let (dropped, copies, delay) = {
                let mut rng = self.net.rng.lock().unwrap();
                (
                    rng.gen_range(0..100) < self.net.drop_pct,
                    if rng.gen_range(0..100) < self.net.dup_pct {
                        2
                    } else {
                        1
                    },
                    rng.gen_range(0..=self.net.max_delay_ms),
                )
            };
            if dropped {
                continue;
            }
            for _ in 0..copies {
                let (hub, envelope) = (hub.clone(), envelope.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    hub.deliver_remote(envelope);
                });
            }
        }
    }

    fn subscribe(&self, _: &DocId) {}
    fn unsubscribe(&self, _: &DocId) {}

    fn healthy(&self) -> bool {
        true
    }

    fn node_alive(&self, node: NodeId) -> bool {
        !self.net.dead.lock().unwrap().contains(&node)
    }
}

/// A client's own document: each edit appends a marker and yields the update a client sends.
struct Writer {
    doc: yrs::Doc,
}

impl Writer {
    fn new() -> Self {
        Self {
            doc: yrs::Doc::new(),
        }
    }

    fn write(&self, marker: &str) -> Vec<u8> {
        let body = self.doc.get_or_insert_text("body");
        let before = self.doc.transact().state_vector();
        let mut txn = self.doc.transact_mut();
        let len = body.len(&txn);
        body.insert(&mut txn, len, marker);
        drop(txn);
        self.doc.transact().encode_diff_v1(&before)
    }
}

/// Applies every update frame a test peer receives to a document of its own: what a live
/// client on that hub sees.
fn live_view(mut frames: OutboxReceiver) -> Arc<Mutex<yrs::Doc>> {
    let doc = Arc::new(Mutex::new(yrs::Doc::new()));
    let view = doc.clone();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while frames.recv_many(&mut batch, 64).await > 0 {
            for frame in batch.drain(..) {
                frames.written(&frame);
                if let Ok(Message::Sync(
                    SyncMessage::Update(update) | SyncMessage::SyncStep2(update),
                )) = Message::decode_v1(&frame.bytes)
                {
                    let doc = view.lock().unwrap();
                    let _ = doc
                        .transact_mut()
                        .apply_update(yrs::Update::decode_v1(&update).unwrap());
                }
            }
        }
    });
    doc
}

fn text_of(doc: &Mutex<yrs::Doc>) -> String {
    let doc = doc.lock().unwrap();
    let body = doc.get_or_insert_text("body");
    let text = body.get_string(&doc.transact());
    text
}

fn missing<'a>(text: &str, markers: &'a [String]) -> Vec<&'a String> {
    markers
        .iter()
        .filter(|m| !text.contains(m.as_str()))
        .collect()
}

async fn converge(what: &str, check: impl Fn() -> Vec<String>) {
    for _ in 0..200 {
        if check().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not converge; missing: {:?}", check());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hubs_over_a_lossy_bus_with_racing_compactions_store_and_show_every_update() {
    let store = Arc::new(MemoryStore::default());
    let net = Network::new(20, 10, 15);
    let settings = HubSettings {
        compact_after_updates: 7,
        ..HubSettings::default()
    };
    let hubs = [
        net.hub(1, store.clone(), settings.clone()),
        net.hub(2, store.clone(), settings),
    ];
    let (mut sessions, mut views, mut kicks) = (Vec::new(), Vec::new(), Vec::new());
    for hub in &hubs {
        let mut peer = test_peer(hub);
        let session = hub.join(&doc_id(), peer.take()).await.unwrap();
        // As a client does: ask for the state (the actor may have loaded it after the other
        // hub stored edits).
        session
            .send(Inbound::SyncStep1(yrs::StateVector::default()))
            .await
            .unwrap();
        kicks.push(peer.kick.clone());
        views.push(live_view(peer.frames));
        sessions.push(session);
    }
    let writers = [Writer::new(), Writer::new()];
    let mut markers = Vec::new();
    for n in 0..300 {
        let side = n % 2;
        let marker = format!("[{side}-{n}]");
        let update = writers[side].write(&marker);
        sessions[side]
            .send(Inbound::Update(ValidUpdate::decode(update).unwrap()))
            .await
            .unwrap();
        markers.push(marker);
        if n % 25 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    // Each live view lacks only the other side's markers until they arrive.
    for (side, view) in views.iter().enumerate() {
        let others: Vec<String> = markers
            .iter()
            .filter(|m| !m.starts_with(&format!("[{side}-")))
            .cloned()
            .collect();
        converge("a hub's live view", || {
            missing(&text_of(view), &others)
                .into_iter()
                .cloned()
                .collect()
        })
        .await;
    }
    converge("the stored document", || {
        missing(&store.stored_text(&doc_id()), &markers)
            .into_iter()
            .cloned()
            .collect()
    })
    .await;
    assert!(
        kicks.iter().all(|kick| kick.reason().is_none()),
        "no connection was closed: catching up never floods a queue"
    );
    let compacted = store.docs.lock().unwrap()[&doc_id()]
        .snapshot
        .as_ref()
        .map(|(upto, _)| *upto);
    assert!(compacted.is_some_and(|upto| upto > 0), "compactions ran");
    let gaps: u64 = hubs
        .iter()
        .map(|h| h.shared.metrics.cluster.gaps_healed.get())
        .sum();
    assert!(gaps > 0, "lost messages were healed from the store");
}

#[tokio::test]
async fn a_freeze_on_one_hub_makes_the_document_read_only_on_the_other() {
    let store = Arc::new(MemoryStore::default());
    let net = Network::new(0, 0, 0);
    let a = net.hub(1, store.clone(), HubSettings::default());
    let b = net.hub(2, store.clone(), HubSettings::default());
    let mut anna = test_peer(&a);
    let mut bram = test_peer(&b);
    let _anna_session = a.join(&doc_id(), anna.take()).await.unwrap();
    let bram_session = b.join(&doc_id(), bram.take()).await.unwrap();
    anna.next_frame().await;
    bram.next_frame().await;

    a.set_frozen(&doc_id(), true, "read-only: frozen for the test")
        .await
        .unwrap();
    let denied = bram.next_frame().await;
    assert!(
        matches!(Message::decode_v1(&denied), Ok(Message::Auth(Some(reason))) if reason.starts_with("read-only")),
        "the other hub's connection is told at once"
    );
    bram_session
        .send(Inbound::Update(
            ValidUpdate::decode(text_update("late")).unwrap(),
        ))
        .await
        .unwrap();
    let refused = bram.next_frame().await;
    assert!(matches!(
        Message::decode_v1(&refused),
        Ok(Message::Auth(Some(_)))
    ));
    assert!(
        store.stored(&doc_id()).is_empty(),
        "nothing stored after the freeze"
    );
}

#[tokio::test]
async fn an_append_the_store_refuses_reloads_the_document_instead_of_relaying_it() {
    let store = Arc::new(MemoryStore::default());
    let hub = hub_over(store.clone());
    let mut anna = test_peer(&hub);
    let mut bram = test_peer(&hub);
    let anna_session = hub.join(&doc_id(), anna.take()).await.unwrap();
    let _bram_session = hub.join(&doc_id(), bram.take()).await.unwrap();
    anna.next_frame().await;
    bram.next_frame().await;
    // Frozen by another process whose message never came.
    store.set_frozen(&doc_id(), true).await.unwrap();
    anna_session
        .send(Inbound::Update(
            ValidUpdate::decode(text_update("x")).unwrap(),
        ))
        .await
        .unwrap();
    for peer in [&anna, &bram] {
        let reason = tokio::time::timeout(Duration::from_secs(5), peer.kick.kicked())
            .await
            .expect("the peer is closed");
        assert_eq!(reason, CloseReason::RELOAD);
    }
    assert!(store.stored(&doc_id()).is_empty());
    assert_eq!(hub.loaded_documents(), 0, "the next join reloads");
}

fn presence(client: u64, clock: u32, json: &str) -> AwarenessUpdate {
    let mut clients = HashMap::new();
    clients.insert(
        yrs::block::ClientID::new(client),
        AwarenessUpdateEntry {
            clock,
            json: json.into(),
        },
    );
    AwarenessUpdate { clients }
}

/// The awareness client ids a frame announces as live, if it is an awareness frame.
fn live_presence(frame: &[u8]) -> Option<Vec<u64>> {
    match Message::decode_v1(frame) {
        Ok(Message::Awareness(update)) => Some(
            update
                .clients
                .iter()
                .filter(|(_, entry)| &*entry.json != "null")
                .map(|(client, _)| client.get())
                .collect(),
        ),
        _ => None,
    }
}

#[tokio::test]
async fn presence_crosses_hubs_and_goes_when_its_process_is_gone() {
    let store = Arc::new(MemoryStore::default());
    let net = Network::new(0, 0, 0);
    let a = net.hub(1, store.clone(), HubSettings::default());
    let b = net.hub(2, store.clone(), HubSettings::default());
    let mut anna = test_peer(&a);
    let mut bram = test_peer(&b);
    let anna_session = a.join(&doc_id(), anna.take()).await.unwrap();
    let _bram_session = b.join(&doc_id(), bram.take()).await.unwrap();
    anna.next_frame().await;
    bram.next_frame().await;

    anna_session
        .send(Inbound::Awareness(presence(77, 1, r#"{"cursor":1}"#)))
        .await
        .unwrap();
    let seen = bram.next_frame().await;
    assert_eq!(
        live_presence(&seen),
        Some(vec![77]),
        "relayed to the other hub"
    );

    // Process 1 stops answering: within a tick its entries are removed on hub 2.
    net.dead.lock().unwrap().insert(1);
    let removal = tokio::time::timeout(Duration::from_secs(3), bram.next_frame())
        .await
        .expect("the removal arrives");
    assert_eq!(
        live_presence(&removal),
        Some(vec![]),
        "the ghost cursor is gone"
    );
}
