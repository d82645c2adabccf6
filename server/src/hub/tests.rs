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
pub(super) struct StoredDoc {
    head: i64,
    rows: std::collections::BTreeMap<i64, Vec<u8>>,
    pub(super) snapshot: Option<(i64, Vec<u8>)>,
    frozen: bool,
}

/// Documents kept in memory, with the database's numbering and compaction rules; appends fail
/// while `failing` is set.
#[derive(Default)]
pub(super) struct MemoryStore {
    pub(super) docs: Mutex<HashMap<DocId, StoredDoc>>,
    failing: AtomicBool,
}

impl MemoryStore {
    fn failing() -> Self {
        let store = Self::default();
        store.failing.store(true, Ordering::SeqCst);
        store
    }

    pub(super) fn stored(&self, doc_id: &DocId) -> Vec<Vec<u8>> {
        self.docs
            .lock()
            .unwrap()
            .get(doc_id)
            .map(|doc| doc.rows.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The text of the stored document, loaded as a new process would.
    pub(super) fn stored_text(&self, doc_id: &DocId) -> String {
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

pub(super) fn hub_over(store: Arc<MemoryStore>) -> Hub {
    hub_with_bus(store, Arc::new(super::NoBus), HubSettings::default())
}

pub(super) fn hub_with_bus(
    store: Arc<MemoryStore>,
    bus: Arc<dyn super::Bus>,
    settings: HubSettings,
) -> Hub {
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
pub(super) struct TestPeer {
    peer: Option<Peer>,
    pub(super) frames: OutboxReceiver,
    pub(super) kick: Kick,
}

pub(super) fn test_peer(hub: &Hub) -> TestPeer {
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
    pub(super) fn take(&mut self) -> Peer {
        self.peer.take().unwrap()
    }

    pub(super) async fn next_frame(&mut self) -> Bytes {
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
pub(super) fn text_update(text: &str) -> Vec<u8> {
    let doc = yrs::Doc::new();
    let body = doc.get_or_insert_text("body");
    body.insert(&mut doc.transact_mut(), 0, text);
    let txn = doc.transact();
    txn.encode_state_as_update_v1(&yrs::StateVector::default())
}

pub(super) fn doc_id() -> DocId {
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
async fn a_batch_reaches_a_reader_as_one_merged_frame_and_each_writer_gets_only_the_others() {
    let store = Arc::new(MemoryStore::default());
    let hub = hub_over(store.clone());
    let mut anna = test_peer(&hub);
    let mut cara = test_peer(&hub);
    let mut bram = test_peer(&hub);
    let anna_session = hub.join(&doc_id(), anna.take()).await.unwrap();
    let cara_session = hub.join(&doc_id(), cara.take()).await.unwrap();
    let _bram_session = hub.join(&doc_id(), bram.take()).await.unwrap();
    for peer in [&mut anna, &mut cara, &mut bram] {
        peer.next_frame().await; // sync step 1
    }

    // Both are queued before the actor runs (this test runtime has one thread), so the actor
    // takes them as one batch.
    let (from_anna, from_cara) = (text_update("anna "), text_update("cara "));
    anna_session
        .send(Inbound::Update(
            ValidUpdate::decode(from_anna.clone()).unwrap(),
        ))
        .await
        .unwrap();
    cara_session
        .send(Inbound::Update(
            ValidUpdate::decode(from_cara.clone()).unwrap(),
        ))
        .await
        .unwrap();

    let merged = bram.next_frame().await;
    let expected = yrs::merge_updates_v1([&from_anna, &from_cara]).unwrap();
    assert_eq!(
        merged,
        protocol::encode_update(&expected),
        "one frame for the reader"
    );
    assert_eq!(anna.next_frame().await, protocol::encode_update(&from_cara));
    assert_eq!(cara.next_frame().await, protocol::encode_update(&from_anna));
    assert_eq!(
        store.stored(&doc_id()),
        vec![from_anna, from_cara],
        "stored as sent, one row each"
    );
    // nothing else was queued for anyone
    for peer in [&mut anna, &mut cara, &mut bram] {
        let mut rest = Vec::new();
        let more = tokio::time::timeout(
            Duration::from_millis(100),
            peer.frames.recv_many(&mut rest, 8),
        )
        .await;
        assert!(more.is_err(), "an extra frame was queued");
    }
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
