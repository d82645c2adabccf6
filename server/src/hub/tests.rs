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
use crate::storage::{DocStore, LoadedDocument, Persister, StorageError, UpdateBatch};
use crate::sync::protocol::{self, Inbound, ValidUpdate};

/// One document's stored updates with their log ids.
type Log = Vec<(i64, Vec<u8>)>;

/// Documents kept in memory; appends fail while `failing` is set.
#[derive(Default)]
struct MemoryStore {
    logs: Mutex<HashMap<DocId, Log>>,
    next_id: Mutex<i64>,
    failing: AtomicBool,
}

impl MemoryStore {
    fn failing() -> Self {
        let store = Self::default();
        store.failing.store(true, Ordering::SeqCst);
        store
    }

    fn stored(&self, doc_id: &DocId) -> Vec<Vec<u8>> {
        self.logs
            .lock()
            .unwrap()
            .get(doc_id)
            .map(|log| log.iter().map(|(_, data)| data.clone()).collect())
            .unwrap_or_default()
    }
}

#[async_trait]
impl DocStore for MemoryStore {
    async fn load_document(&self, doc_id: &DocId) -> Result<LoadedDocument, StorageError> {
        Ok(LoadedDocument {
            updates: self
                .logs
                .lock()
                .unwrap()
                .get(doc_id)
                .cloned()
                .unwrap_or_default(),
            ..LoadedDocument::default()
        })
    }

    async fn client_claims(&self, _: &DocId) -> Result<Vec<(u64, Option<i64>)>, StorageError> {
        Ok(Vec::new())
    }

    async fn append_updates(&self, batches: &[UpdateBatch]) -> Result<Vec<i64>, StorageError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StorageError::Io(std::io::Error::other("disk full")));
        }
        let mut logs = self.logs.lock().unwrap();
        let mut next_id = self.next_id.lock().unwrap();
        let mut last_ids = Vec::new();
        for batch in batches {
            let log = logs.entry(batch.doc_id.clone()).or_default();
            for update in &batch.updates {
                *next_id += 1;
                log.push((*next_id, update.to_vec()));
            }
            last_ids.push(*next_id);
        }
        Ok(last_ids)
    }

    async fn compact(&self, _: &DocId, _: &[u8], _: i64) -> Result<(), StorageError> {
        Ok(())
    }
}

fn hub_over(store: Arc<MemoryStore>) -> Hub {
    let metrics = Arc::new(Metrics::new());
    let persister = Persister::spawn(store.clone(), metrics.clone());
    Hub::new(
        store,
        persister,
        metrics,
        HubSettings::default(),
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
