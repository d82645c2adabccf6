//! Several hubs on one in-memory store, joined by a test bus that drops, duplicates and
//! reorders: the cluster rules without Redis or a database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polder_shared::DocId;
use tokio_util::sync::CancellationToken;
use yrs::updates::decoder::Decode;
use yrs::{GetString, ReadTxn, Text, Transact};

use super::outbox::OutboxReceiver;
use super::tests::{doc_id, hub_over, hub_with_bus, test_peer, text_update, MemoryStore};
use super::{CloseReason, Hub, HubSettings};
use crate::storage::DocStore;
use crate::sync::protocol::{Inbound, ValidUpdate};

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
