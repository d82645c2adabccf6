//! One logical chaos client: it writes a marker about five times a second while writing is
//! on, and when its socket closes it reconnects to the next node (round-robin) as a new
//! [`YClient`] that carries over nothing but its marker counter. What each connection sees is
//! recorded in the [`Ledger`] from the text's own change events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use polder_tests::yclient::TEXT;
use polder_tests::YClient;
use yrs::types::Delta;
use yrs::{Any, Observable, Out};

use super::ledger::Ledger;
use crate::support::{markers, Marker};

/// Time between two markers of one client.
pub const WRITE_EVERY: Duration = Duration::from_millis(200);
/// How long a connection attempt (handshake and first sync) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the clients share with the test.
pub struct Shared {
    /// The record of writes and sightings.
    pub ledger: Arc<Mutex<Ledger>>,
    /// Sync endpoint of each document on each node: `urls[node][doc]`.
    pub urls: Vec<Vec<String>>,
    /// Whether clients write.
    pub writing: AtomicBool,
    /// Whether clients should stop.
    pub done: AtomicBool,
    /// Each client's current connection, for the final comparison.
    pub live: Vec<Mutex<Option<Arc<YClient>>>>,
}

impl Shared {
    /// The ledger, locked.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        lock(&self.ledger)
    }

    /// Client `client`'s connection if it is open.
    pub fn live_client(&self, client: usize) -> Option<Arc<YClient>> {
        lock(&self.live[client])
            .clone()
            .filter(|yclient| yclient.close_info().is_none())
    }
}

/// Runs client `client` from `first_node` until `shared.done`.
pub async fn run(shared: Arc<Shared>, client: usize, first_node: usize) {
    let nodes = shared.urls.len();
    let doc = shared.ledger().doc_of(client);
    let mut node = first_node;
    let mut next = 0u32;
    let mut first = true;
    // Spread the clients' writes over one period.
    tokio::time::sleep(WRITE_EVERY.mul_f64(client as f64 / 16.0)).await;
    while !shared.done.load(Ordering::Relaxed) {
        let Some(yclient) = connect(&shared, client, node, &shared.urls[node][doc]).await else {
            node = (node + 1) % nodes;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        shared.ledger().connected(client, first, Instant::now());
        first = false;
        *lock(&shared.live[client]) = Some(yclient.clone());
        let mut tick = tokio::time::interval(WRITE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                // Notices the close at once, so the reconnect time starts when it happened.
                _ = yclient.wait_closed(Duration::from_secs(3600)) => break,
            }
            if shared.done.load(Ordering::Relaxed) {
                return;
            }
            if yclient.close_info().is_some() {
                break;
            }
            if !shared.writing.load(Ordering::Relaxed) {
                continue;
            }
            let marker = Marker { client, n: next };
            next += 1;
            shared.ledger().sending(marker, node, Instant::now());
            if yclient.append(&marker.text()).await.is_err() {
                break;
            }
        }
        shared.ledger().disconnected(client, Instant::now());
        node = (node + 1) % nodes;
    }
}

/// Connects to `url` on `node`, records what the connection sees, waits for the first sync.
async fn connect(shared: &Shared, client: usize, node: usize, url: &str) -> Option<Arc<YClient>> {
    let attempt = async {
        let yclient = YClient::connect(url).await.ok()?;
        watch(&yclient, shared.ledger.clone(), client, node);
        yclient.synced().await.ok()?;
        Some(yclient)
    };
    let yclient = tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .ok()??;
    // Whatever arrived before the watch began counts as seen now.
    let text = yclient.text();
    shared
        .ledger()
        .observed(client, node, markers(&text), Instant::now());
    Some(Arc::new(yclient))
}

/// Records every marker inserted into `yclient`'s text, local or remote, as it is applied.
fn watch(yclient: &YClient, ledger: Arc<Mutex<Ledger>>, client: usize, node: usize) {
    let text = yclient.doc().get_or_insert_text(TEXT);
    text.observe("chaos", move |txn, event| {
        let mut inserted = String::new();
        for delta in event.delta(txn) {
            if let Delta::Inserted(Out::Any(Any::String(s)), _) = delta {
                inserted.push_str(s);
            }
        }
        if !inserted.is_empty() {
            lock(&ledger).observed(client, node, markers(&inserted), Instant::now());
        }
    });
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
