//! The document log with several writers: per-document sequence numbers and compaction, on a
//! real database, as several processes would use it.
//!
//! - Several connection pools (processes) append to one document at once while a reader
//!   follows the log by number: the numbers have no holes, and no reader ever sees a number
//!   before a smaller one is readable (sequence order is commit order).
//! - Two hubs (processes) hold one document, each with its own pool, joined by a bus that
//!   drops, duplicates and reorders messages, and both compact at random: every update ends up
//!   in the stored document and in both hubs' live connections.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polder::hub::heads::HeadCheck;
use polder::hub::outbox::{self, OutboxReceiver};
use polder::hub::{Bus, Envelope, Hub, HubSettings, Kick, NodeId, Peer};
use polder::metrics::Metrics;
use polder::storage::{
    AppendRefusal, Appended, ClientClaim, DeletionRecord, DocStore, Persister, SqlStorage,
    UpdateBatch,
};
use polder::sync::protocol::{Inbound, ValidUpdate};
use polder_shared::DocId;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::{GetString, ReadTxn, Text, Transact};

use crate::helpers::{backend_tests, Backend, TestDatabase};

backend_tests!(
    concurrent_appends_get_gap_free_numbers_in_commit_order,
    one_group_commit_stores_refuses_and_records_each_batch_on_its_own,
    a_failed_group_commit_stores_nothing_and_the_next_one_is_stored,
    two_hubs_over_a_lossy_bus_with_racing_compactions_lose_nothing,
);

const DOC: &str = "seq-doc";

async fn storage(database: &TestDatabase) -> Arc<SqlStorage> {
    let storage = SqlStorage::connect(&database.url).await.unwrap();
    storage.migrate().await.unwrap();
    Arc::new(storage)
}

fn doc() -> DocId {
    DocId::parse(DOC).unwrap()
}

/// An update that appends `marker` to a writer's own document.
fn edit(writer: &yrs::Doc, marker: &str) -> Vec<u8> {
    let body = writer.get_or_insert_text("body");
    let before = writer.transact().state_vector();
    {
        let mut txn = writer.transact_mut();
        let len = body.len(&txn);
        body.insert(&mut txn, len, marker);
    }
    writer.transact().encode_diff_v1(&before)
}

async fn concurrent_appends_get_gap_free_numbers_in_commit_order(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    let pools = [storage(&database).await, storage(&database).await];
    pools[0].create_document(&doc(), "test").await.unwrap();
    let (tasks_per_pool, batches_per_task) = (8, 60);
    let stop = CancellationToken::new();
    // A reader follows the log by number, as a process catching up does.
    let reader = {
        let storage = pools[1].clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let (mut cursor, mut reads, mut out_of_order) = (0i64, 0u64, 0u64);
            loop {
                let done = stop.is_cancelled();
                let tail = storage.log_after(&doc(), cursor).await.unwrap();
                reads += 1;
                for (seq, _) in &tail.updates {
                    if *seq != cursor + 1 {
                        out_of_order += 1;
                    }
                    cursor = *seq;
                }
                // Every number up to the head read first is committed, so it was read.
                if tail.updates.len() < 2000 && cursor < tail.head_seq {
                    out_of_order += 1;
                }
                if done {
                    return (cursor, reads, out_of_order);
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for pool in &pools {
        for task in 0..tasks_per_pool {
            let storage = pool.clone();
            writers.push(tokio::spawn(async move {
                let writer = yrs::Doc::new();
                let mut stored = 0i64;
                for n in 0..batches_per_task {
                    let updates = (0..1 + n % 3)
                        .map(|k| edit(&writer, &format!("[{task}-{n}-{k}]")).into())
                        .collect::<Vec<_>>();
                    let count = updates.len() as i64;
                    let appended = storage
                        .append_updates(&[UpdateBatch {
                            doc_id: doc(),
                            updates,
                            claims: Vec::new(),
                            deletions: Vec::new(),
                        }])
                        .await
                        .unwrap();
                    match appended[0] {
                        Appended::Stored {
                            first_seq,
                            last_seq,
                        } => assert_eq!(last_seq - first_seq + 1, count),
                        refused => panic!("refused: {refused:?}"),
                    }
                    stored += count;
                }
                stored
            }));
        }
    }
    let mut rows = 0;
    for writer in writers {
        rows += writer.await.unwrap();
    }
    stop.cancel();
    let (cursor, reads, out_of_order) = reader.await.unwrap();
    let loaded = pools[0].load_document(&doc()).await.unwrap();
    let numbers: Vec<i64> = loaded.updates.iter().map(|(seq, _)| *seq).collect();
    println!(
        "seq allocator: {rows} rows from {} writers; head {}; reader: {reads} reads, final cursor {cursor}, out of order {out_of_order}",
        2 * tasks_per_pool,
        loaded.head_seq
    );
    assert_eq!(loaded.head_seq, rows, "the head counts every row");
    assert_eq!(
        numbers,
        (1..=rows).collect::<Vec<_>>(),
        "no holes, no duplicates"
    );
    assert_eq!(cursor, rows, "the reader reached the end");
    assert_eq!(
        out_of_order, 0,
        "a reader never saw a number before a smaller one"
    );
}

/// The hubs of the test, and a bus between them that drops, duplicates and delays messages.
struct Network {
    hubs: Mutex<Vec<Hub>>,
    rng: Mutex<rand::rngs::StdRng>,
    dropped: Mutex<u64>,
}

struct LossyBus {
    node: NodeId,
    net: Arc<Network>,
}

impl Bus for LossyBus {
    fn node(&self) -> NodeId {
        self.node
    }

    fn publish(&self, envelope: Envelope) {
        let hubs = self.net.hubs.lock().unwrap().clone();
        for hub in hubs.into_iter().filter(|hub| hub.node() != self.node) {
            let (drop, copies, delay) = {
                let mut rng = self.net.rng.lock().unwrap();
                (
                    rng.gen_range(0..100) < 20,
                    if rng.gen_range(0..100) < 10 { 2 } else { 1 },
                    rng.gen_range(0..20u64),
                )
            };
            if drop {
                *self.net.dropped.lock().unwrap() += 1;
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
    fn node_alive(&self, _: NodeId) -> bool {
        true
    }
}

/// A hub as one process would run it, on its own pool, with a fast head check.
fn process(
    node: NodeId,
    storage: Arc<SqlStorage>,
    net: &Arc<Network>,
    metrics: Arc<Metrics>,
) -> Hub {
    let store: Arc<dyn DocStore> = storage;
    let persister = Persister::spawn(store.clone(), metrics.clone());
    let settings = HubSettings {
        compact_after_updates: 9,
        ..HubSettings::default()
    };
    let hub = Hub::new(
        store,
        persister,
        Arc::new(LossyBus {
            node,
            net: net.clone(),
        }),
        metrics,
        settings,
        CancellationToken::new(),
        TaskTracker::new(),
    );
    net.hubs.lock().unwrap().push(hub.clone());
    tokio::spawn(polder::hub::heads::run(
        hub.clone(),
        HeadCheck {
            every: Duration::from_millis(300),
            degraded: Duration::from_millis(300),
        },
        CancellationToken::new(),
    ));
    hub
}

/// What a live client on a hub sees: every update frame applied to its own document.
fn live_view(mut frames: OutboxReceiver) -> Arc<Mutex<yrs::Doc>> {
    let view = Arc::new(Mutex::new(yrs::Doc::new()));
    let target = view.clone();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while frames.recv_many(&mut batch, 64).await > 0 {
            for frame in batch.drain(..) {
                frames.written(&frame);
                if let Ok(Message::Sync(SyncMessage::Update(u) | SyncMessage::SyncStep2(u))) =
                    Message::decode_v1(&frame.bytes)
                {
                    let doc = target.lock().unwrap();
                    let _ = doc
                        .transact_mut()
                        .apply_update(yrs::Update::decode_v1(&u).unwrap());
                }
            }
        }
    });
    view
}

fn text(doc: &yrs::Doc) -> String {
    let body = doc.get_or_insert_text("body");
    let text = body.get_string(&doc.transact());
    text
}

fn missing(text: &str, markers: &[String]) -> Vec<String> {
    markers
        .iter()
        .filter(|m| !text.contains(m.as_str()))
        .cloned()
        .collect()
}

fn batch(doc: &str, updates: Vec<Vec<u8>>) -> UpdateBatch {
    UpdateBatch {
        doc_id: DocId::parse(doc).unwrap(),
        updates: updates.into_iter().map(Into::into).collect(),
        claims: Vec::new(),
        deletions: Vec::new(),
    }
}

/// A group commit of batches that each take another way: stored with a deletion record,
/// refused as frozen, refused as missing, and stored with a claim (the statement-by-statement
/// way); then single batches, which PostgreSQL stores without a transaction.
async fn one_group_commit_stores_refuses_and_records_each_batch_on_its_own(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    let storage = storage(&database).await;
    for id in ["g-live", "g-frozen", "g-claim"] {
        storage
            .create_document(&DocId::parse(id).unwrap(), "test")
            .await
            .unwrap();
    }
    storage
        .set_document_frozen(&DocId::parse("g-frozen").unwrap(), true)
        .await
        .unwrap();
    let writer = yrs::Doc::new();
    let (first, second) = (edit(&writer, "[one]"), edit(&writer, "[two]"));
    let mut live = batch("g-live", vec![first.clone(), second.clone()]);
    live.deletions.push(DeletionRecord {
        client: 42,
        start: 3,
        end: 9,
        user_id: None,
        label: "Ans (ZIN)".into(),
    });
    let mut claimed = batch("g-claim", vec![edit(&writer, "[three]")]);
    claimed.claims.push(ClientClaim {
        client: writer.client_id().get(),
        user_id: None,
        label: "token:load".into(),
    });
    let appended = storage
        .append_updates(&[
            batch("g-frozen", vec![edit(&writer, "[x]")]),
            live,
            batch("g-missing", vec![edit(&writer, "[y]")]),
            claimed,
        ])
        .await
        .unwrap();
    assert_eq!(
        appended,
        vec![
            Appended::Refused(AppendRefusal::Frozen),
            Appended::Stored {
                first_seq: 1,
                last_seq: 2
            },
            Appended::Refused(AppendRefusal::NoDocument),
            Appended::Stored {
                first_seq: 1,
                last_seq: 1
            },
        ]
    );
    let loaded = storage
        .load_document(&DocId::parse("g-live").unwrap())
        .await
        .unwrap();
    assert_eq!(loaded.head_seq, 2);
    assert_eq!(loaded.updates, vec![(1, first), (2, second)]);
    let deletion = sqlx::query(
        "SELECT client_id, clock_start, clock_end, user_id, label FROM doc_deletions WHERE doc_id = $1",
    )
    .bind("g-live")
    .fetch_one(storage.pool())
    .await
    .unwrap();
    assert_eq!(deletion.try_get::<i64, _>("client_id").unwrap(), 42);
    assert_eq!(deletion.try_get::<i64, _>("clock_start").unwrap(), 3);
    assert_eq!(deletion.try_get::<i64, _>("clock_end").unwrap(), 9);
    assert_eq!(deletion.try_get::<Option<i64>, _>("user_id").unwrap(), None);
    assert_eq!(deletion.try_get::<String, _>("label").unwrap(), "Ans (ZIN)");
    let frozen = storage
        .load_document(&DocId::parse("g-frozen").unwrap())
        .await
        .unwrap();
    assert!(frozen.updates.is_empty() && frozen.head_seq == 0);
    assert_eq!(
        storage
            .client_claims(&DocId::parse("g-claim").unwrap())
            .await
            .unwrap(),
        vec![(writer.client_id().get(), None)]
    );
    // one batch at a time
    for (doc, expected) in [
        (
            "g-live",
            Appended::Stored {
                first_seq: 3,
                last_seq: 3,
            },
        ),
        ("g-frozen", Appended::Refused(AppendRefusal::Frozen)),
        ("g-missing", Appended::Refused(AppendRefusal::NoDocument)),
    ] {
        let appended = storage
            .append_updates(&[batch(doc, vec![edit(&writer, "[z]")])])
            .await
            .unwrap();
        assert_eq!(appended, vec![expected], "{doc}");
    }
}

/// A group commit that fails part-way (a row is in the way of its numbers) changes nothing,
/// and leaves the writer's connection able to store the next one.
async fn a_failed_group_commit_stores_nothing_and_the_next_one_is_stored(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    let storage = storage(&database).await;
    let docs = ["f-ok", "f-blocked"];
    for id in docs {
        storage
            .create_document(&DocId::parse(id).unwrap(), "test")
            .await
            .unwrap();
    }
    // a row numbered 1 that the head does not count: the append's INSERT collides with it
    sqlx::query("INSERT INTO doc_updates (doc_id, seq, data, created_at) VALUES ($1, 1, $2, 0)")
        .bind("f-blocked")
        .bind(vec![0u8])
        .execute(storage.pool())
        .await
        .unwrap();
    let writer = yrs::Doc::new();
    for round in 0..3 {
        let group = docs.map(|doc| batch(doc, vec![edit(&writer, "[a]")]));
        assert!(
            storage.append_updates(&group).await.is_err(),
            "round {round}: the colliding row fails the commit"
        );
        let single = [batch("f-blocked", vec![edit(&writer, "[b]")])];
        assert!(storage.append_updates(&single).await.is_err());
    }
    for doc in docs {
        let head: i64 = sqlx::query("SELECT head_seq FROM documents WHERE id = $1")
            .bind(doc)
            .fetch_one(storage.pool())
            .await
            .unwrap()
            .try_get("head_seq")
            .unwrap();
        assert_eq!(head, 0, "{doc}: nothing of the failed commits stayed");
    }
    assert_eq!(
        storage
            .update_count(&DocId::parse("f-ok").unwrap())
            .await
            .unwrap(),
        0
    );
    sqlx::query("DELETE FROM doc_updates WHERE doc_id = $1")
        .bind("f-blocked")
        .execute(storage.pool())
        .await
        .unwrap();
    let group = docs.map(|doc| batch(doc, vec![edit(&writer, "[c]")]));
    let appended = storage.append_updates(&group).await.unwrap();
    assert!(appended.iter().all(|a| *a
        == Appended::Stored {
            first_seq: 1,
            last_seq: 1
        }));
}

async fn stored_text(storage: &SqlStorage) -> String {
    let stored = storage.load_document(&doc()).await.unwrap();
    let loaded = yrs::Doc::new();
    {
        let mut txn = loaded.transact_mut();
        for raw in stored
            .snapshot
            .iter()
            .chain(stored.updates.iter().map(|(_, data)| data))
        {
            txn.apply_update(yrs::Update::decode_v1(raw).unwrap())
                .unwrap();
        }
    }
    text(&loaded)
}

async fn two_hubs_over_a_lossy_bus_with_racing_compactions_lose_nothing(backend: Backend) {
    let database = TestDatabase::create(&backend).await;
    let pools = [storage(&database).await, storage(&database).await];
    pools[0].create_document(&doc(), "test").await.unwrap();
    let net = Arc::new(Network {
        hubs: Mutex::default(),
        rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(11)),
        dropped: Mutex::default(),
    });
    let metrics = [Arc::new(Metrics::new()), Arc::new(Metrics::new())];
    let hubs = [
        process(1, pools[0].clone(), &net, metrics[0].clone()),
        process(2, pools[1].clone(), &net, metrics[1].clone()),
    ];
    let (mut sessions, mut views, mut writers) = (Vec::new(), Vec::new(), Vec::new());
    for (side, hub) in hubs.iter().enumerate() {
        let (outbound, frames) = outbox::outbox(4096, 64 << 20, metrics[side].clone());
        let peer = Peer {
            id: hub.next_conn_id(),
            outbound,
            kick: Kick::new(),
            can_write: true,
            user_id: None,
            label: format!("token:side-{side}"),
            stamp: None,
        };
        let session = hub.join(&doc(), peer).await.unwrap();
        // As a client does: ask for the state it lacks.
        session
            .send(Inbound::SyncStep1(yrs::StateVector::default()))
            .await
            .unwrap();
        sessions.push(session);
        views.push(live_view(frames));
        writers.push(yrs::Doc::new());
    }
    let mut markers = Vec::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for n in 0..400 {
        let side = rng.gen_range(0..2);
        let marker = format!("[{side}-{n}]");
        let update = edit(&writers[side], &marker);
        sessions[side]
            .send(Inbound::Update(ValidUpdate::decode(update).unwrap()))
            .await
            .unwrap();
        markers.push(marker);
        if rng.gen_range(0..10) == 0 {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..15))).await;
        }
    }
    let mut converged = false;
    for _ in 0..300 {
        let live_missing: usize = views
            .iter()
            .zip(&writers)
            .map(|(view, own)| {
                let view = view.lock().unwrap();
                // A view holds the other side's edits; its own come from its writer.
                let mut both = text(&view);
                both.push_str(&text(own));
                missing(&both, &markers).len()
            })
            .sum();
        if live_missing == 0 && missing(&stored_text(&pools[0]).await, &markers).is_empty() {
            converged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = stored_text(&pools[1]).await;
    let loaded = pools[1].load_document(&doc()).await.unwrap();
    let gaps: u64 = metrics.iter().map(|m| m.cluster.gaps_healed.get()).sum();
    let duplicates: u64 = metrics.iter().map(|m| m.cluster.duplicates.get()).sum();
    println!(
        "compaction race: {} updates, {} messages dropped, {gaps} catch-up reads, {duplicates} duplicates dropped, snapshot up to {}, {} rows left, head {}",
        markers.len(),
        net.dropped.lock().unwrap(),
        loaded.snapshot_upto,
        loaded.updates.len(),
        loaded.head_seq
    );
    assert!(
        converged,
        "did not converge; stored document misses {:?}",
        missing(&stored, &markers)
    );
    assert_eq!(missing(&stored, &markers), Vec::<String>::new());
    let unique: HashSet<&String> = markers.iter().collect();
    assert_eq!(unique.len(), 400);
    assert!(loaded.snapshot_upto > 0, "compactions ran");
    assert!(gaps > 0, "the lost messages were healed from the log");
    assert_eq!(loaded.head_seq, 400, "one number per stored update");
}
